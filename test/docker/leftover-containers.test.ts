// Containers belong to one PIPE_HOME: the sweeps of leftovers (a pipeline run's, a registry's) remove a dead
// owner's containers of their own home only, never another home's, whose owners' pids mean nothing to them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LABELS } from '../../src/core/index.js';
import { removeLeftoverContainers } from '../../src/infra/index.js';
import { DockerEngine } from '../../src/infra/docker.js';
import { ENVIRONMENT_ROLE, removeLeftoverEnvironments } from '../../src/registry/invoke/index.js';
import { describeDocker, TEST_IMAGE } from '../support/docker.js';
import { removeContainersOfGoneHomes } from '../support/gone-homes.js';

describeDocker('leftover containers are swept per PIPE_HOME', () => {
  const root = mkdtempSync(join(tmpdir(), 'pipe-homes-'));
  const one = new DockerEngine(undefined, { home: join(root, 'one') });
  const other = new DockerEngine(undefined, { home: join(root, 'other') });
  // A pid that surely belongs to no live process: one that just ran and exited.
  const deadPid = String(spawnSync('true').pid);
  const created: string[] = [];
  afterAll(async () => {
    await Promise.all(created.map((id) => one.removeContainer(id)));
    rmSync(root, { recursive: true, force: true });
  });

  async function deadOwnersContainer(role: string): Promise<string> {
    const c = await one.createContainer({ image: TEST_IMAGE, labels: { [LABELS.role]: role, [LABELS.ownerPid]: deadPid }, cmd: ['sleep', '60'] });
    created.push(c.id);
    return c.id;
  }
  const exists = async (id: string) => (await one.listContainers({ [LABELS.managed]: 'true' })).includes(id);

  it('labels every container with the home of the engine that created it', async () => {
    const id = await deadOwnersContainer('build');
    expect(await one.listContainers({ [LABELS.home]: join(root, 'one') })).toEqual([id]);
    expect(await other.listContainers({ [LABELS.home]: join(root, 'other') })).toEqual([]);
  });

  it("a pipeline run's sweep: the other home's leaves it, its own home's removes it", async () => {
    const id = await deadOwnersContainer('build');
    await removeLeftoverContainers(other);
    expect(await exists(id)).toBe(true);
    await removeLeftoverContainers(one);
    expect(await exists(id)).toBe(false);
  });

  it("a registry's sweep: the other home's leaves an environment, its own home's removes it", async () => {
    const id = await deadOwnersContainer(ENVIRONMENT_ROLE);
    await removeLeftoverEnvironments(other);
    expect(await exists(id)).toBe(true);
    await removeLeftoverEnvironments(one);
    expect(await exists(id)).toBe(false);
  });

  it("the suite's last sweep removes the containers of a test home that is gone, not of one that exists", async () => {
    mkdirSync(join(root, 'other'));
    const gone = await deadOwnersContainer('build');
    const kept = await other.createContainer({ image: TEST_IMAGE, labels: { [LABELS.role]: 'build' }, cmd: ['sleep', '60'] });
    created.push(kept.id);
    expect(await removeContainersOfGoneHomes(root)).toBe(1);
    expect(await exists(gone)).toBe(false);
    expect(await exists(kept.id)).toBe(true);
  });
});
