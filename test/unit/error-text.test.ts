// Errors as the terminal shows them: text quoted from a file or a build never carries control characters through.
import { describe, expect, test } from 'vitest';
import { PipeError } from '../../src/core/index.js';
import { reportError } from '../../src/cli/main.js';
import { createMemoryOutput } from '../../src/cli/output.js';

describe('errors on the terminal', () => {
  test('a PipeError quoting a value from a file prints its control characters as ?', () => {
    const out = createMemoryOutput();
    const code = reportError(new PipeError('NOT_FOUND', 'buildspec \u001b]0;owned\u0007x.yml not found', { hint: 'see \u001b[2J' }), out);
    expect(code).toBe(2);
    expect(out.err).toBe('error: buildspec ?]0;owned?x.yml not found\nhint: see ?[2J\n');
  });
});
