// Several pipe processes opening a fresh PIPE_HOME at once all migrate it without error: the migrations run in one
// exclusive transaction that reads what was applied inside it.
import { describe, expect, it } from 'vitest';
import { makePipeEnv, pipe } from '../support/cli.js';

describe('a fresh PIPE_HOME opened by six processes at once', () => {
  it('every process succeeds, five times over', async () => {
    for (let round = 0; round < 5; round++) {
      const p = makePipeEnv();
      const results = await Promise.all(Array.from({ length: 6 }, () => pipe(['executions'], p)));
      expect(results.map((r) => [r.exitCode, r.stderr, r.stdout])).toEqual(Array.from({ length: 6 }, () => [0, '', 'no executions']));
    }
  });
});
