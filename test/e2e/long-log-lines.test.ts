// A build that prints a 5 MB line with no newline: the terminal and the stored log get it in marked pieces of at
// most 256 KiB (as CloudWatch caps an event), and nothing of it is lost or stored twice.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LINE_CONTINUED_MARK, LINE_SPLIT_MARK, MAX_LOG_LINE_BYTES } from '../../src/core/index.js';
import { makePipeEnv, pipe } from '../support/cli.js';
import { describeDocker } from '../support/docker.js';

const SIZE = 5 * 1024 * 1024;

describeDocker('long log lines', () => {
  it('pipe build: a 5 MB line is split into marked pieces of at most 256 KiB, on the terminal and in the stored log', async () => {
    const env = makePipeEnv();
    const src = mkdtempSync(join(tmpdir(), 'pipe-long-line-'));
    writeFileSync(join(src, 'buildspec.yml'), `version: 0.2\nphases:\n  build:\n    commands:\n      - head -c ${SIZE} /dev/zero | tr -c x x\n      - echo after\n`);
    const r = await pipe(['build', src, '--artifacts', join(src, 'out')], env);
    expect(r.exitCode).toBe(0);
    const logPath = /^Log: (.+)$/m.exec(r.stdout)?.[1] ?? '';
    for (const text of [r.stdout, readFileSync(logPath, 'utf8')]) {
      const lines = text.split('\n');
      const pieces = lines.filter((l) => /^(\[pipe: continued\] )?x/.test(l));
      expect(pieces.length).toBe(Math.ceil(SIZE / (MAX_LOG_LINE_BYTES - LINE_SPLIT_MARK.length - LINE_CONTINUED_MARK.length)));
      expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
      const whole = pieces.map((p) => p.replace(LINE_CONTINUED_MARK, '').replace(LINE_SPLIT_MARK, '')).join('');
      expect(whole).toBe('x'.repeat(SIZE));
      expect(lines[lines.indexOf(pieces.at(-1) ?? '') + 1]).toMatch(/Running command echo after$/);
    }
  });
});
