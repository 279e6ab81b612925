// Unit tests: Lambda's limits and the exact errors AWS answers when one is exceeded; zip validation.
import { describe, expect, test } from 'vitest';
import type { RegistryError } from '../../src/registry/errors.js';
import {
  checkEnvironment, checkEventPayload, checkLayerCount, checkMemorySize, checkRuntime, checkSyncPayload, checkTimeout, checkZippedSize,
} from '../../src/registry/limits.js';
import { inspectZip } from '../../src/registry/zip-check.js';
import { makeZip } from './support.js';

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const r = e as RegistryError;
    return `${r.status} ${r.errorName}: ${r.message}`;
  }
  return 'ok';
}

async function zipFailure(zip: Buffer): Promise<string> {
  try {
    await inspectZip(zip);
    return 'ok';
  } catch (e) {
    const r = e as RegistryError;
    return `${r.status} ${r.errorName}: ${r.message}`;
  }
}

describe('limits', () => {
  test('memory and timeout ranges', () => {
    expect(failure(() => checkMemorySize(128))).toBe('ok');
    expect(failure(() => checkMemorySize(10240))).toBe('ok');
    expect(failure(() => checkMemorySize(127))).toBe(
      "400 ValidationException: 1 validation error detected: Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    );
    expect(failure(() => checkMemorySize(10241))).toBe(
      "400 ValidationException: 1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240",
    );
    expect(failure(() => checkTimeout(0))).toMatch(/^400 ValidationException: .* at 'timeout' .* greater than or equal to 1$/);
    expect(failure(() => checkTimeout(901))).toMatch(/^400 ValidationException: .* at 'timeout' .* less than or equal to 900$/);
  });

  test('runtimes: unknown and deprecated', () => {
    expect(failure(() => checkRuntime('python3.12'))).toBe('ok');
    expect(failure(() => checkRuntime('PYTHON3.9'))).toMatch(/^400 InvalidParameterValueException: Value PYTHON3\.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    expect(failure(() => checkRuntime('nodejs12.x'))).toBe(
      '400 InvalidParameterValueException: The runtime parameter of nodejs12.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs22.x) while creating or updating functions.',
    );
  });

  test('environment: reserved keys, key pattern, 4 KB', () => {
    expect(failure(() => checkEnvironment({ GREETING: 'hi' }))).toBe('ok');
    expect(failure(() => checkEnvironment({ AWS_REGION: 'x' }))).toBe(
      '400 InvalidParameterValueException: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION',
    );
    expect(failure(() => checkEnvironment({ '1BAD': 'x' }))).toMatch(/^400 ValidationException: /);
    const big = { BIG: 'x'.repeat(4096) };
    expect(failure(() => checkEnvironment(big))).toBe(
      `400 InvalidParameterValueException: Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(big)}`,
    );
    expect(failure(() => checkEnvironment({ A1: 'x'.repeat(4096 - 9) }))).toBe('ok');
  });

  test('sizes: layers, zipped upload, payloads', () => {
    expect(failure(() => checkLayerCount(5))).toBe('ok');
    expect(failure(() => checkLayerCount(6))).toBe('400 InvalidParameterValueException: Cannot reference more than 5 layers.');
    expect(failure(() => checkZippedSize(52_428_801))).toBe('413 RequestEntityTooLargeException: Zipped size must be smaller than 52428800 bytes');
    expect(failure(() => checkSyncPayload(6_291_456))).toBe('ok');
    expect(failure(() => checkSyncPayload(6_291_457))).toBe(
      '413 RequestEntityTooLargeException: Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    );
    expect(failure(() => checkEventPayload(1_048_577))).toBe(
      '413 RequestEntityTooLargeException: 1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)',
    );
  });
});

describe('zip validation', () => {
  test('a good zip reports its unzipped size', async () => {
    expect(await inspectZip(makeZip([{ name: 'a.js', content: 'abc' }, { name: 'lib/b.js', content: 'de' }, { name: 'lib/link', symlink: '../a.js' }])))
      .toEqual({ unzippedSize: 3 + 2 + 7, entryCount: 3 });
  });

  test.each([
    ['not a zip', Buffer.from('hello world, not a zip at all')],
    ['a parent path', makeZip([{ name: '../evil.js', content: 'x' }])],
    ['a nested parent path', makeZip([{ name: 'a/../../evil.js', content: 'x' }])],
    ['an absolute path', makeZip([{ name: '/etc/evil', content: 'x' }])],
    ['a link to an absolute path', makeZip([{ name: 'link', symlink: '/etc/passwd' }])],
    ['a link out of the root', makeZip([{ name: 'sub/link', symlink: '../../outside' }])],
  ])('rejects %s with 400', async (_what, zip) => {
    expect(await zipFailure(zip)).toMatch(
      /^400 InvalidParameterValueException: Could not unzip uploaded file\. Please check your file, then try to upload again\. \(.+\)$/,
    );
  });
});
