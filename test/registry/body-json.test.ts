// Unit tests: the request body parser accepts and refuses what JSON.parse does, and decodes ZipFile blobs in place.
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { parseJsonBody } from '../../src/registry/http/body-json.js';

describe('parseJsonBody', () => {
  test.each([
    '{}', ' {"a":1} ', '{"a":[1,-2.5e3,true,false,null,{"b":"c"}]}', '{"s":"\\u00e9\\n\\"q\\" \\\\ \\/"}', '{"é":"ü ☃ 𝄞"}',
    '{"__proto__":{"x":1}}', '{"a":1,"a":2}', '{"n":0.1,"m":-0,"e":1E+2}',
  ])('%s parses as JSON.parse does', (text) => {
    expect(parseJsonBody(Buffer.from(text))).toEqual(JSON.parse(text));
  });

  test.each([
    '{', '{"a":}', '{"a":1,}', '[1,]', '{"a" 1}', '{a:1}', "{'a':1}", '{"a":01}', '{"a":1.}', '{"a":tru}', '{"a":"x\ny"}',
    '{"a":"\\x"}', '{"a":1} x', '{"a":"unterminated', '{"a":-}', '\u0000',
  ])('%s is refused as InvalidRequestContentException, as JSON.parse refuses it', (text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(() => parseJsonBody(Buffer.from(text))).toThrow(expect.objectContaining({ errorName: 'InvalidRequestContentException' }));
  });

  test.each(['[1]', '"x"', '1', 'null'])('%s is JSON but not an object: refused', (text) => {
    expect(() => parseJsonBody(Buffer.from(text))).toThrow(expect.objectContaining({ errorName: 'InvalidRequestContentException' }));
  });

  test('ZipFile values come back decoded, sharing the body buffer; other strings stay strings', () => {
    for (const size of [0, 1, 2, 3, 1000, 65_537]) {
      const bytes = randomBytes(size);
      const b64 = bytes.toString('base64');
      const body = Buffer.from(JSON.stringify({ Code: { ZipFile: b64, S3Key: b64.slice(0, 8) }, After: [1] }));
      const parsed = parseJsonBody(body) as { Code: { ZipFile: Buffer; S3Key: string }; After: number[] };
      expect(Buffer.compare(parsed.Code.ZipFile, bytes)).toBe(0);
      expect(parsed.Code.ZipFile.buffer).toBe(body.buffer);
      expect(parsed.Code.S3Key).toBe(b64.slice(0, 8));
      expect(parsed.After).toEqual([1]);
    }
    // Escaped line breaks and escaped slashes, as some encoders write them.
    const wrapped = Buffer.from('hello world').toString('base64').replace(/(.{4})/g, '$1\\r\\n');
    expect((parseJsonBody(Buffer.from(`{"ZipFile":"${wrapped}"}`))['ZipFile'] as Buffer).toString()).toBe('hello world');
    expect([...(parseJsonBody(Buffer.from('{"ZipFile":"\\/\\/A="}'))['ZipFile'] as Buffer)]).toEqual([0xff, 0xf0]);
    expect(() => parseJsonBody(Buffer.from('{"ZipFile":"aGVs\nbG8="}'))).toThrow(expect.objectContaining({ errorName: 'InvalidRequestContentException' }));
  });

  test.each(['!!', 'QQ=A', 'QQ==='])('ZipFile "%s" is not base64: InvalidParameterValueException', (b64) => {
    expect(() => parseJsonBody(Buffer.from(`{"ZipFile":"${b64}"}`))).toThrow(
      expect.objectContaining({ errorName: 'InvalidParameterValueException', message: 'ZipFile is not valid base64.' }),
    );
  });
});
