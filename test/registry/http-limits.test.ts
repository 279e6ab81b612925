// Requests too large for the HTTP API get an answer, not a reset connection: 413 for bodies (however far past the
// limit), 431 for headers, 414 for URLs, in AWS's error shape; sent over raw sockets and with fetch.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startRegistry } from './support.js';
import type { TestRegistry } from './support.js';

let t: TestRegistry;

beforeAll(async () => {
  t = await startRegistry({ settleMs: 0 });
});
afterAll(async () => t.stop());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer once its head and Content-Length bytes of body are in, or undefined while incomplete. */
function parseAnswer(bytes: Buffer): RawAnswer | undefined {
  const split = bytes.indexOf('\r\n\r\n');
  if (split === -1) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const body = bytes.subarray(split + 4);
  if (body.length < Number(headers['content-length'] ?? 0)) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') };
}

/**
 * Writes the request head and `bodyBytes` of body, and resolves with the answer once the answer is complete and
 * every byte was written; a reset or a broken pipe rejects.
 */
function rawRequest(head: string, bodyBytes = 0): Promise<RawAnswer> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    let answer: RawAnswer | undefined;
    let written = false;
    const settle = (): void => {
      if (answer === undefined || !written) return;
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      answer = parseAnswer(Buffer.concat(chunks));
      settle();
    });
    socket.on('error', reject);
    let left = bodyBytes;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        const last = left === 0;
        const more = socket.write(chunk.subarray(0, n), last ? () => { written = true; settle(); } : undefined);
        if (!more && !last) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.write(head, bodyBytes === 0 ? () => { written = true; settle(); } : undefined);
    pump();
  });
}

function expectAwsError(a: RawAnswer, status: number, type: string): void {
  expect({ status: a.status, type: a.headers['x-amzn-errortype'] }).toEqual({ status, type });
  expect(a.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  expect(JSON.parse(a.body)).toMatchObject({ Type: 'User' });
}

describe('too large', () => {
  test('a CreateFunction body three times the limit: 413 with AWS message, after the whole upload was read', async () => {
    const size = 3 * 70_167_211;
    const a = await rawRequest(`POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`, size);
    expectAwsError(a, 413, 'RequestEntityTooLargeException');
    expect(JSON.parse(a.body)).toEqual({ Type: 'User', message: 'Request must be smaller than 70167211 bytes for the CreateFunction operation' });
  });

  test('an Invoke body of 20 MB sent with fetch (chunked) is answered 413, the client sees the answer', async () => {
    const res = await fetch(`${t.url}/2015-03-31/functions/f/invocations`, { method: 'POST', body: Buffer.alloc(20 * 1024 * 1024, 0x61) });
    expect({ status: res.status, type: res.headers.get('x-amzn-errortype') }).toEqual({ status: 413, type: 'RequestEntityTooLargeException' });
    expect(await res.json()).toEqual({ Type: 'User', message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
  });

  test.each([
    ['headers of 20 KB', 431, 'RequestHeaderFieldsTooLarge', `GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['headers of 300 KB (past the parser)', 431, 'RequestHeaderFieldsTooLarge', `GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(300_000)}\r\n\r\n`],
    ['a URL of 70 KB', 414, 'URITooLong', `GET /2015-03-31/functions?x=${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a URL of 300 KB (past the parser)', 414, 'URITooLong', `GET /2015-03-31/functions?x=${'a'.repeat(300_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a request line that is not HTTP', 400, 'InvalidRequestContentException', 'HELLO THERE\r\n\r\n'],
  ])('%s -> %i %s', async (_what, status, type, head) => {
    expectAwsError(await rawRequest(head), status, type);
  });

  test('the server still answers afterwards', async () => {
    expect((await fetch(`${t.url}/2015-03-31/functions`)).status).toBe(200);
  });
});
