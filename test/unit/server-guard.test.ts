// The dashboard server's guard as pure functions: which Host and Origin pass for each bound address, where a
// request goes (AWS APIs or dashboard), and how the token is found (bearer first, then the cookie).
import { describe, expect, it } from 'vitest';
import { checkHostAndOrigin, checkToken, isAwsRequest, isLoopbackHost, presentedToken } from '../../src/server/guard.js';

const TOKEN = 'x'.repeat(43);
const on = (boundHost: string) => ({ boundHost, port: 9001, token: TOKEN });

describe('Host and Origin', () => {
  it('passes loopback names with the bound port, and refuses names, other ports and no Host', () => {
    for (const host of ['127.0.0.1:9001', 'localhost:9001', '[::1]:9001', 'LOCALHOST:9001']) expect(checkHostAndOrigin({ host }, on('127.0.0.1'))).toEqual({ ok: true });
    expect(checkHostAndOrigin({ host: 'rebind.example:9001' }, on('127.0.0.1'))).toEqual({ ok: false, status: 403, message: "Host 'rebind.example:9001' is not this server's address" });
    expect(checkHostAndOrigin({ host: '127.0.0.1:9002' }, on('127.0.0.1'))).toMatchObject({ ok: false, status: 403 });
    expect(checkHostAndOrigin({ host: '127.0.0.1' }, on('127.0.0.1'))).toMatchObject({ ok: false, status: 403 });
    expect(checkHostAndOrigin({}, on('127.0.0.1'))).toEqual({ ok: false, status: 403, message: "Host '' is not this server's address" });
  });

  it('bound to every address: any address literal passes, a DNS name does not', () => {
    expect(checkHostAndOrigin({ host: '192.168.1.20:9001' }, on('0.0.0.0'))).toEqual({ ok: true });
    expect(checkHostAndOrigin({ host: 'my-laptop.lan:9001' }, on('0.0.0.0'))).toMatchObject({ ok: false, status: 403 });
    expect(checkHostAndOrigin({ host: '192.168.1.20:9001' }, on('127.0.0.1'))).toMatchObject({ ok: false, status: 403 });
  });

  it('passes no Origin and the server\'s own; refuses another site, another port, https and null', () => {
    const host = '127.0.0.1:9001';
    expect(checkHostAndOrigin({ host, origin: 'http://127.0.0.1:9001' }, on('127.0.0.1'))).toEqual({ ok: true });
    expect(checkHostAndOrigin({ host, origin: 'http://localhost:9001' }, on('127.0.0.1'))).toEqual({ ok: true });
    for (const origin of ['http://evil.example', 'http://127.0.0.1:9002', 'https://127.0.0.1:9001', 'null', 'not a url']) {
      expect(checkHostAndOrigin({ host, origin }, on('127.0.0.1'))).toEqual({ ok: false, status: 403, message: `requests from origin '${origin}' are refused` });
    }
  });
});

describe('routing and the token', () => {
  it('sends signed, X-Amz-Target and non-dashboard requests to the AWS APIs, the rest to the dashboard', () => {
    expect(isAwsRequest('GET', '/2015-03-31/functions/', {})).toBe(true);
    expect(isAwsRequest('POST', '/', { 'x-amz-target': 'CodePipeline_20150709.ListPipelines' })).toBe(true);
    expect(isAwsRequest('POST', '/', {})).toBe(true);
    expect(isAwsRequest('GET', '/api/pipelines', { authorization: 'AWS4-HMAC-SHA256 Credential=x' })).toBe(true);
    expect(isAwsRequest('GET', '/', {})).toBe(false);
    expect(isAwsRequest('GET', '/api/pipelines', { authorization: `Bearer ${TOKEN}` })).toBe(false);
    expect(isAwsRequest('GET', '/assets/dashboard.js', {})).toBe(false);
  });

  it('takes the bearer token before the cookie, and says what is missing', () => {
    expect(presentedToken({ authorization: 'Bearer abc', cookie: 'pipe_token=def' })).toBe('abc');
    expect(presentedToken({ cookie: 'a=1; pipe_token=def; b=2' })).toBe('def');
    expect(checkToken({}, on('127.0.0.1'))).toEqual({ ok: false, status: 401, message: 'this needs the token printed by pipe serve: open the URL it printed, or send Authorization: Bearer TOKEN' });
    expect(checkToken({ cookie: 'pipe_token=short' }, on('127.0.0.1'))).toEqual({ ok: false, status: 401, message: 'the token is wrong: open the URL pipe serve printed' });
    expect(checkToken({ cookie: `pipe_token=${TOKEN}` }, on('127.0.0.1'))).toEqual({ ok: true });
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
    expect(['0.0.0.0', '192.168.1.2', 'example.com', '::'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});
