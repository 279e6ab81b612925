// A Tail log is framed between the Runtime API's `next` and the runtime's response for any bootstrap, also one that
// writes no log markers (not pipe's own): the environment writes them into the container's output itself, so the
// log holds this invocation's output only, none of an earlier invocation's, and comes without a fixed wait.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../../src/infra/project-root.js';
import { createDockerInvoker } from '../../src/registry/invoke/index.js';
import type { DockerInvoker } from '../../src/registry/invoke/index.js';
import { describeDocker } from '../support/docker.js';
import { containersOf, decodeTail, makeTarget, makeZip, removeWorkDir, request } from './support.js';

/** A bootstrap of its own: the Runtime API by hand, no handler, no markers; output on stdout and stderr. */
const BOOTSTRAP = `
const base = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API + '/2018-06-01/runtime/invocation';
console.log('init of a foreign bootstrap');
for (;;) {
  const next = await fetch(base + '/next');
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const event = await next.json();
  console.log('handling ' + event.word);
  console.error('stderr of ' + event.word);
  await fetch(base + '/' + id + '/response', { method: 'POST', body: JSON.stringify(event) });
}
`;

describeDocker('Tail logs of a bootstrap that writes no markers', () => {
  let invoker: DockerInvoker;
  let runtimes: string;
  beforeAll(async () => {
    runtimes = mkdtempSync(join(tmpdir(), 'pipe-runtimes-'));
    mkdirSync(join(runtimes, 'node'));
    mkdirSync(join(runtimes, 'python'));
    writeFileSync(join(runtimes, 'node', 'bootstrap.mjs'), BOOTSTRAP);
    writeFileSync(join(runtimes, 'python', 'bootstrap.py'), readFileSync(join(projectRoot(), 'runtimes', 'python', 'bootstrap.py')));
    invoker = await createDockerInvoker({ runtimesDir: pathToFileURL(`${runtimes}/`) });
  });
  afterAll(async () => {
    await invoker.close();
    expect(await containersOf(invoker.invokerId)).toEqual([]);
    rmSync(runtimes, { recursive: true, force: true });
    removeWorkDir();
  });

  it('frames each invocation between next and its response: init output on the first, no earlier output, no fixed wait', async () => {
    const target = makeTarget({ codeZipPath: makeZip({ 'index.js': '' }) });
    const first = await invoker.invoke(request(target, { word: 'one' }, { logType: 'Tail' }));
    expect(first.payload.toString()).toBe('{"word":"one"}');
    const log1 = decodeTail(first.logResult);
    expect(log1).toMatch(new RegExp(`^init of a foreign bootstrap\\nSTART RequestId: ${first.requestId} Version: \\$LATEST\\nhandling one\\nstderr of one\\nEND RequestId: ${first.requestId}\\nREPORT `));

    await invoker.invoke(request(target, { word: 'two' }));

    const startedAt = performance.now();
    const third = await invoker.invoke(request(target, { word: 'three' }, { logType: 'Tail' }));
    const elapsed = performance.now() - startedAt;
    const log3 = decodeTail(third.logResult);
    expect(log3).toMatch(new RegExp(`^START RequestId: ${third.requestId} Version: \\$LATEST\\nhandling three\\nstderr of three\\nEND RequestId: ${third.requestId}\\nREPORT .*\\tMax Memory Used: \\d+ MB\\t\\n$`));
    expect(log3).not.toContain('two');
    // The old fallback waited 2 s for markers that never came; a warm invocation with two docker execs is far less.
    expect(elapsed).toBeLessThan(1500);
  });
});
