// Log lines from a build: long lines are split with marks (as CloudWatch caps an event), a stored log is cut with a
// notice past its limit, and a secret cut in two by a split is still masked.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINE_CONTINUED_MARK, LINE_SPLIT_MARK, MAX_LOG_LINE_BYTES } from '../../src/core/index.js';
import type { RunEvent } from '../../src/core/index.js';
import { LogStore, actionLogPath } from '../../src/execute/index.js';
import { LineSplitter } from '../../src/codebuild/index.js';
import { StoredLogLimit } from '../../src/core/index.js';
import { SecretMasker } from '../../src/secrets/index.js';

function split(chunks: (string | Buffer)[], maxBytes?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter('stdout', (_s, l) => lines.push(l), maxBytes);
  for (const c of chunks) splitter.push(typeof c === 'string' ? Buffer.from(c) : c);
  splitter.flush();
  return lines;
}

/** The original line back from its pieces. */
function join(pieces: string[]): string {
  return pieces.map((p, i) => {
    const head = i > 0 ? p.slice(LINE_CONTINUED_MARK.length) : p;
    return i < pieces.length - 1 ? head.slice(0, -LINE_SPLIT_MARK.length) : head;
  }).join('');
}

describe('LineSplitter', () => {
  it('splits lines across chunks, strips \\r, keeps a last line without newline', () => {
    expect(split(['a\r\nb', 'c\n\nd'])).toEqual(['a', 'bc', '', 'd']);
  });

  it('sends a line longer than the cap in marked pieces, none longer than the cap, never cutting a character', () => {
    const max = 100 + LINE_SPLIT_MARK.length + LINE_CONTINUED_MARK.length;
    const line = `${'é'.repeat(120)}${'x'.repeat(50)}`;
    const pieces = split([line.slice(0, 7), line.slice(7), '\nnext'], max);
    expect(pieces.at(-1)).toBe('next');
    const parts = pieces.slice(0, -1);
    expect(parts).toHaveLength(3);
    expect(parts[0]?.endsWith(LINE_SPLIT_MARK)).toBe(true);
    expect(parts[0]?.startsWith(LINE_CONTINUED_MARK)).toBe(false);
    expect(parts.at(-1)?.startsWith(LINE_CONTINUED_MARK)).toBe(true);
    expect(parts.at(-1)?.endsWith(LINE_SPLIT_MARK)).toBe(false);
    for (const p of parts) {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(max);
      expect(p).not.toContain('\uFFFD');
    }
    expect(join(parts)).toBe(line);
  });

  it('a 5 MB line without a newline becomes pieces of at most 256 KiB, in linear time', () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const started = Date.now();
    const pieces = split(Array.from({ length: 80 }, () => chunk));
    expect(Date.now() - started).toBeLessThan(10_000); // a quadratic split of 5 MB takes minutes
    expect(pieces).toHaveLength(Math.ceil((80 * 64 * 1024) / (MAX_LOG_LINE_BYTES - LINE_SPLIT_MARK.length - LINE_CONTINUED_MARK.length)));
    expect(Math.max(...pieces.map((p) => Buffer.byteLength(p)))).toBe(MAX_LOG_LINE_BYTES);
    expect(join(pieces)).toBe('a'.repeat(80 * 64 * 1024));
  });
});

describe('StoredLogLimit', () => {
  it('keeps lines up to the limit, then writes one line saying where the log was cut, then nothing', () => {
    const limit = new StoredLogLimit(10);
    expect(limit.admit('abcd')).toEqual(['abcd']);
    expect(limit.admit('efgh')).toEqual(['efgh']);
    expect(limit.admit('ij')).toEqual(["[pipe] log cut here: it reached 10 bytes, pipe's limit for a stored log; later lines are not stored"]);
    expect(limit.admit('k')).toEqual([]);
  });
});

describe('masking split lines', () => {
  it('a secret cut in two by a split is masked on both sides of the cut', () => {
    const secret = 's3cr3t-Value-42';
    const masker = new SecretMasker();
    masker.add([secret]);
    const max = 20 + LINE_SPLIT_MARK.length + LINE_CONTINUED_MARK.length;
    // Pieces of 20 bytes: the secret is cut after "s3cr3t", and again after its first "s".
    const pieces = split([`${'p'.repeat(14)}${secret}${'q'.repeat(10)}${secret}`], max).map((l) => masker.mask(l));
    expect(pieces).toEqual([
      `pppppppppppppp***${LINE_SPLIT_MARK}`,
      `${LINE_CONTINUED_MARK}***qqqqqqqqqq***${LINE_SPLIT_MARK}`,
      `${LINE_CONTINUED_MARK}***`,
    ]);
    expect(pieces.join('')).not.toMatch(/s3cr3t|Value|3t-V/);
  });
});

describe('LogStore', () => {
  it("cuts an action's stored log at its limit with a notice, and starts a fresh count for another action", () => {
    const home = mkdtempSync(path.join(tmpdir(), 'pipe-log-store-'));
    const store = new LogStore(home, () => undefined, 40);
    const log = (action: string, line: string): RunEvent => ({ type: 'log', executionId: 'e-1', time: '2026-01-01T00:00:00.000Z', stage: 'Build', action, stream: 'stdout', line });
    for (let i = 0; i < 10; i++) store.record(log('A', `line ${i} of A`));
    store.record(log('B', 'only line of B'));
    store.closeAll();
    expect(readFileSync(actionLogPath(home, 'e-1', 'Build', 'A'), 'utf8')).toBe(
      "line 0 of A\nline 1 of A\nline 2 of A\n[pipe] log cut here: it reached 40 bytes, pipe's limit for a stored log; later lines are not stored\n",
    );
    expect(readFileSync(actionLogPath(home, 'e-1', 'Build', 'B'), 'utf8')).toBe('only line of B\n');
  });
});
