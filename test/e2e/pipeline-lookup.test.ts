// `pipe run deploy.yml` as typed at a project's root: a bare file name that is not in the current folder is
// looked up in pipelines/ (here, and at the project's root from a subfolder); a name found nowhere still fails.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PIPE_BIN, makePipeEnv } from '../support/cli.js';

it('finds pipelines/NAME from the project root and from below it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pipe-lookup-'));
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'pipelines'));
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'pipelines', 'deploy.yml'), `name: p
stages:
  - name: Source
    actions:
      - name: Checkout
        type: Source/Git
        configuration: { repository: .. }
        outputArtifacts: [Src]
  - name: Approve
    actions:
      - name: Ok
        type: Approval/Manual
`);
  const env = makePipeEnv().env;
  const fromRoot = await execa('node', [PIPE_BIN, 'validate', 'deploy.yml'], { cwd: root, env, reject: false });
  expect(fromRoot.exitCode).toBe(0);
  expect(fromRoot.stdout).toContain(`${join(root, 'pipelines', 'deploy.yml')}: valid pipeline p, 2 stages, 2 actions`);
  const fromSub = await execa('node', [PIPE_BIN, 'validate', 'deploy.yml'], { cwd: join(root, 'sub'), env, reject: false });
  expect(fromSub.exitCode).toBe(0);
  const missing = await execa('node', [PIPE_BIN, 'run', 'nothing.yml'], { cwd: root, env, reject: false });
  expect({ code: missing.exitCode, err: missing.stderr }).toEqual({ code: 2, err: `error: pipeline file ${join(root, 'nothing.yml')} not found` });
});
