// The shell agent's protocol without Docker: sentinels stripped from both streams (also when split across chunks),
// items resolved when both streams told their status, and pending items ended when the agent dies.
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { SentinelSplitter, ShellAgent } from '../../src/codebuild/shell-agent.js';
import { readIfSmall } from '../../src/codebuild/tar.js';

const MARKER = Buffer.from('\x1epipe-agent-abc:', 'latin1');

function split(chunks: string[]): { data: string[]; sentinels: Array<[number, number]> } {
  const data: string[] = [];
  const sentinels: Array<[number, number]> = [];
  const s = new SentinelSplitter(MARKER, (c) => data.push(c.toString('latin1')), (id, code) => sentinels.push([id, code]));
  for (const c of chunks) s.push(Buffer.from(c, 'latin1'));
  s.flush();
  return { data, sentinels };
}

describe('SentinelSplitter', () => {
  it('strips a sentinel and passes the bytes around it on', () => {
    expect(split(['out\n\x1epipe-agent-abc:1 0\nnext'])).toEqual({ data: ['out\n', 'next'], sentinels: [[1, 0]] });
  });

  it('finds a sentinel split at every byte, and keeps output without a final newline whole', () => {
    const text = 'no newline\x1epipe-agent-abc:12 3\nmore';
    for (let cut = 1; cut < text.length; cut++) {
      const r = split([text.slice(0, cut), text.slice(cut)]);
      expect(r.sentinels).toEqual([[12, 3]]);
      expect(r.data.join('')).toBe('no newlinemore');
    }
  });

  it('holds back only a tail that could start the marker', () => {
    const data: string[] = [];
    const s = new SentinelSplitter(MARKER, (c) => data.push(c.toString('latin1')), () => undefined);
    s.push(Buffer.from('abc\x1epipe'));
    expect(data).toEqual(['abc']);
    s.push(Buffer.from('line\n'));
    expect(data).toEqual(['abc', '\x1epipeline\n']);
    s.push(Buffer.from('\x1e'));
    s.push(Buffer.from('x'));
    expect(data.join('')).toBe('abc\x1epipeline\n\x1ex');
  });

  it('reads several sentinels in one chunk', () => {
    expect(split(['a\x1epipe-agent-abc:1 0\n\x1epipe-agent-abc:2 1\nb'])).toEqual({ data: ['a', 'b'], sentinels: [[1, 0], [2, 1]] });
  });
});

/** A scripted agent process: the test writes its output, and ends it as a removed container would. */
function fakeAgent() {
  const { agent, process: main } = ShellAgent.prepare({ pipeDir: '/p', shell: 'sh', carry: true });
  const { cmd, onStdout, onStderr } = main;
  const marker = cmd[4] ?? '';
  const written: string[] = [];
  let finish: () => void = () => undefined;
  let code = 0;
  let asked = 0;
  const ended = new Promise<void>((r) => (finish = r));
  agent.attach({
    write: (d) => written.push(typeof d === 'string' ? d : d.toString('latin1')),
    end: () => undefined,
    ended,
    exitCode: async () => {
      asked++;
      return { exitCode: code };
    },
  });
  return {
    agent,
    cmd,
    written,
    out: (s: string) => onStdout(Buffer.from(s.replaceAll('@', marker), 'utf8')),
    err: (s: string) => onStderr(Buffer.from(s.replaceAll('@', marker), 'utf8')),
    finish: (exitCode: number) => {
      code = exitCode;
      finish();
    },
    asked: () => asked,
  };
}

const quiet = { onStdout: () => undefined, onStderr: () => undefined };

describe('ShellAgent', () => {
  it('sends a step and each item as id, kind, succeeding and base64 text; an item resolves once both streams carried its status', async () => {
    const fake = fakeAgent();
    const { agent } = fake;
    expect(fake.cmd.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(fake.cmd.slice(3)).toEqual(['pipe-agent', expect.stringMatching(/^\x1epipe-agent-[0-9a-f]{24}:$/), 'sh', '1']);
    const first = agent.step(1, 'echo shim');
    expect(fake.written).toEqual([`1 sh - ${Buffer.from('echo shim').toString('base64')}\n`]);
    fake.out('@1 0\n');
    fake.err('@1 0\n');
    expect(await first).toBe(0);
    const out: string[] = [];
    const err: string[] = [];
    let settled = false;
    const item = agent.run(2, "echo 'hé'", true, { onStdout: (c) => out.push(c.toString()), onStderr: (c) => err.push(c.toString()) });
    void item.then(() => (settled = true));
    expect(fake.written[1]).toBe(`2 item 1 ${Buffer.from("echo 'hé'").toString('base64')}\n`);
    fake.out('hé\n@2 7\n');
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    fake.err('warn\n@2 7\n');
    expect(await item).toBe(7);
    expect(out.join('')).toBe('hé\n');
    expect(err.join('')).toBe('warn\n');
  });

  it('gives the bytes after one item\'s sentinel to the next item', async () => {
    const fake = fakeAgent();
    const outs: string[][] = [[], []];
    const a = fake.agent.run(1, 'a', true, { onStdout: (c) => outs[0]?.push(c.toString()), onStderr: () => undefined });
    const b = fake.agent.run(2, 'b', false, { onStdout: (c) => outs[1]?.push(c.toString()), onStderr: () => undefined });
    fake.out('one@1 0\ntwo@2 0\n');
    fake.err('@1 0\n@2 0\n');
    expect([await a, await b]).toEqual([0, 0]);
    expect(outs).toEqual([['one'], ['two']]);
  });

  it('gives what a background process writes between items to the item that ran last', async () => {
    const fake = fakeAgent();
    const out: string[] = [];
    const done = fake.agent.run(1, 'sleep 1 && echo late &', true, { onStdout: (c) => out.push(c.toString()), onStderr: () => undefined });
    fake.out('@1 0\n');
    fake.err('@1 0\n');
    expect(await done).toBe(0);
    fake.out('late\n');
    expect(out).toEqual(['late\n']);
  });

  it('ends the pending item with the agent\'s status when its container goes, and later items at once', async () => {
    const fake = fakeAgent();
    const out: string[] = [];
    const running = fake.agent.run(1, 'sleep 60', true, { onStdout: (c) => out.push(c.toString()), onStderr: () => undefined });
    fake.out('partial\x1epipe');
    fake.finish(137);
    expect(await running).toBe(137);
    expect(out.join('')).toBe('partial\x1epipe');
    expect(await fake.agent.run(2, 'true', true, quiet)).toBe(137);
    expect(fake.asked()).toBe(1);
  });

  it('does not ask how the agent ended when nothing was waiting for it', async () => {
    const fake = fakeAgent();
    const done = fake.agent.run(1, 'true', true, quiet);
    fake.out('@1 0\n');
    fake.err('@1 0\n');
    expect(await done).toBe(0);
    fake.finish(0);
    await new Promise((r) => setImmediate(r));
    expect(fake.asked()).toBe(0);
  });

  it('fails a pending item when the agent ended cleanly without finishing it', async () => {
    const fake = fakeAgent();
    const running = fake.agent.run(3, 'true', true, quiet);
    fake.finish(0);
    await expect(running).rejects.toThrow("the build's shell agent ended before command 3 finished");
  });
});

describe('readIfSmall', () => {
  it('reads a small stream whole, and gives back every byte of a large one as a stream', async () => {
    const bytes = Buffer.from('abcdefghij');
    const chunks = () => Readable.from([bytes.subarray(0, 4), bytes.subarray(4, 8), bytes.subarray(8)]);
    expect(await readIfSmall(chunks(), 10)).toEqual({ whole: bytes });
    const large = await readIfSmall(chunks(), 5);
    if (!('rest' in large)) throw new Error('expected a stream back');
    const back: Buffer[] = [];
    for await (const c of large.rest) back.push(c as Buffer);
    expect(Buffer.concat(back)).toEqual(bytes);
  });
});
