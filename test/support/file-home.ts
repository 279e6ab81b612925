// Runs before each test file: the file gets its own PIPE_HOME (state, logs, cache, and the label on its
// containers), so no other file's leftover sweep or state can touch it. Removed when the file is done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const home = mkdtempSync(join(tmpdir(), 'pipe-test-home-'));
process.env['PIPE_HOME'] = home;

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});
