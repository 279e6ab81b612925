// Unit tests: function references (names, partial and full ARNs, qualifiers) and layer ARNs.
import { describe, expect, test } from 'vitest';
import { checkAliasName, functionArn, parseFunctionRef, parseLayerName, parseLayerVersionArn } from '../../src/registry/arn.js';
import { RegistryError } from '../../src/registry/errors.js';

const ctx = { region: 'us-east-1', account: '000000000000' };

function failure(fn: () => unknown): { name: string; message: string; status: number } {
  try {
    fn();
  } catch (e) {
    const r = e as RegistryError;
    return { name: r.errorName, message: r.message, status: r.status };
  }
  throw new Error('expected a RegistryError');
}

describe('parseFunctionRef', () => {
  test.each([
    ['my-fn', { name: 'my-fn' }],
    ['my-fn:live', { name: 'my-fn', qualifier: 'live' }],
    ['my-fn:$LATEST', { name: 'my-fn', qualifier: '$LATEST' }],
    ['000000000000:function:my-fn', { name: 'my-fn' }],
    ['000000000000:function:my-fn:7', { name: 'my-fn', qualifier: '7' }],
    ['function:my_fn', { name: 'my_fn' }],
    ['arn:aws:lambda:us-east-1:000000000000:function:my-fn', { name: 'my-fn' }],
    ['arn:aws:lambda:us-east-1:000000000000:function:my-fn:3', { name: 'my-fn', qualifier: '3' }],
  ])('%s', (raw, expected) => {
    expect(parseFunctionRef(raw, ctx)).toEqual(expected);
  });

  test('a ?Qualifier= agrees with the ARN or the call fails', () => {
    expect(parseFunctionRef('my-fn', ctx, 'live')).toEqual({ name: 'my-fn', qualifier: 'live' });
    expect(parseFunctionRef('my-fn:live', ctx, 'live')).toEqual({ name: 'my-fn', qualifier: 'live' });
    expect(failure(() => parseFunctionRef('my-fn:live', ctx, '2'))).toEqual({
      name: 'InvalidParameterValueException', status: 400,
      message: 'The derived qualifier from the function name does not match the specified qualifier.',
    });
  });

  test('another region is 404, another account 403, a bad name 400', () => {
    expect(failure(() => parseFunctionRef('arn:aws:lambda:eu-west-1:000000000000:function:f', ctx))).toEqual({
      name: 'ResourceNotFoundException', status: 404, message: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
    });
    expect(failure(() => parseFunctionRef('arn:aws:lambda:us-east-1:123456789012:function:f', ctx)).status).toBe(403);
    expect(failure(() => parseFunctionRef('bad name', ctx))).toMatchObject({
      name: 'ValidationException', status: 400,
      message: expect.stringMatching(/^1 validation error detected: Value 'bad name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: /),
    });
    expect(failure(() => parseFunctionRef('x'.repeat(65), ctx)).message).toBe(
      `1 validation error detected: Value '${'x'.repeat(65)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
    expect(failure(() => parseFunctionRef('', ctx)).name).toBe('ValidationException');
  });

  test('alias names may not be all digits', () => {
    expect(() => checkAliasName('live')).not.toThrow();
    expect(failure(() => checkAliasName('123')).name).toBe('ValidationException');
  });
});

describe('layer ARNs', () => {
  test('parse a layer version ARN and a LayerName given as ARN', () => {
    expect(parseLayerVersionArn('arn:aws:lambda:us-east-1:000000000000:layer:util:4')).toEqual({
      layerName: 'util', version: 4, region: 'us-east-1', account: '000000000000',
    });
    expect(parseLayerVersionArn('arn:aws:lambda:us-east-1:000000000000:layer:util')).toBeUndefined();
    expect(parseLayerName('arn:aws:lambda:us-east-1:000000000000:layer:util', ctx)).toBe('util');
    expect(parseLayerName('util', ctx)).toBe('util');
  });

  test('function ARNs', () => {
    expect(functionArn(ctx, 'f')).toBe('arn:aws:lambda:us-east-1:000000000000:function:f');
    expect(functionArn(ctx, 'f', '$LATEST')).toBe('arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST');
  });
});
