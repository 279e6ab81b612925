// The batch runner with a scripted container port (no Docker): concurrency, graph order, fast-fail, ignore-failure.
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { runBatch } from '../../src/codebuild/index.js';
import type { BuildContainerFactory, BatchRequest } from '../../src/codebuild/index.js';
import type { BuildContainer } from '../../src/codebuild/container-port.js';
import { parseBuildspec } from '../../src/parse/index.js';

/**
 * Containers whose command items are scripted by their text: `fail` exits 1, `hang` waits until the container is
 * removed, anything else succeeds after a few ms. Records starts, ends and the most builds alive at once.
 */
function scriptedContainers() {
  const events: string[] = [];
  /** `start X` / `end X` of every command item, in order. */
  const timeline: string[] = [];
  let alive = 0;
  let peak = 0;
  const factory: BuildContainerFactory = {
    prepareImage: async () => ({}),
    async create() {
      alive++;
      peak = Math.max(peak, alive);
      let removed: () => void = () => undefined;
      const gone = new Promise<void>((r) => (removed = r));
      const container: BuildContainer = {
        id: 'fake',
        putFiles: async () => undefined,
        getArchive: async () => Readable.from([]),
        async exec({ cmd }) {
          const text = cmd[7];
          if (text === undefined) return { exitCode: 0 };
          const [verb, id] = text.split(' ');
          events.push(`${verb} ${id}`);
          timeline.push(`start ${id}`);
          if (verb === 'fail') {
            timeline.push(`end ${id}`);
            return { exitCode: 1 };
          }
          if (verb === 'hang') {
            await gone;
            return { exitCode: 137 };
          }
          await new Promise((r) => setTimeout(r, 20));
          timeline.push(`end ${id}`);
          return { exitCode: 0 };
        },
        async remove() {
          alive--;
          removed();
        },
      };
      return container;
    },
  };
  return { factory, events, timeline, peak: () => peak };
}

function request(yaml: string, concurrency: number): BatchRequest {
  const spec = parseBuildspec(yaml, 'buildspec.yml');
  return {
    spec,
    concurrency,
    base: {
      identity: {
        projectName: 'p', buildId: 'p:batch', buildNumber: 1, image: 'img', initiator: 't', region: 'us-east-1',
        account: '000000000000', startTimeMs: 0, secondarySourceNames: [],
      },
      secondarySources: [],
      environment: {},
      labels: {},
      line: () => undefined,
    },
    loadBuildspec: async () => spec,
    prepareTask: (task) => ({ buildId: `p:${task.identifier}`, buildNumber: 1, outputs: [] }),
  };
}

const deps = (factory: BuildContainerFactory) => ({
  containers: factory,
  artifacts: { unzipToTar: async () => Buffer.alloc(0), packageFromTar: async () => ({ sha256: '', size: 0, files: [] }) },
});

describe('runBatch', () => {
  it('runs a list at most `concurrency` at a time', async () => {
    const c = scriptedContainers();
    const r = await runBatch(
      request(`version: 0.2
phases:
  build:
    commands:
      - run $CODEBUILD_BATCH_BUILD_IDENTIFIER
batch:
  build-list: [{ identifier: a }, { identifier: b }, { identifier: c }, { identifier: d }, { identifier: e }]
`, 2),
      deps(c.factory),
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(r.builds.map((b) => `${b.identifier} ${b.status}`)).toEqual(['a SUCCEEDED', 'b SUCCEEDED', 'c SUCCEEDED', 'd SUCCEEDED', 'e SUCCEEDED']);
    expect(c.peak()).toBe(2);
  });

  it('starts a graph task after its dependencies, and not at all after a failed one', async () => {
    const specs: Record<string, string> = { 'a.yml': 'run a', 'b.yml': 'run b', 'c.yml': 'run c', 'bad.yml': 'fail bad', 'after.yml': 'run after' };
    const c = scriptedContainers();
    const r = await runBatch(
      {
        ...request(`version: 0.2
batch:
  build-graph:
    - { identifier: a, buildspec: a.yml }
    - { identifier: b, depend-on: [a], buildspec: b.yml }
    - { identifier: c, depend-on: [b], buildspec: c.yml }
    - { identifier: bad, buildspec: bad.yml }
    - { identifier: after, depend-on: [bad], buildspec: after.yml }
`, 3),
        loadBuildspec: async (path) => parseBuildspec(`version: 0.2\nphases:\n  build:\n    commands: ['${specs[path] ?? ''}']\n`, path),
      },
      deps(c.factory),
    );
    // a, b, c one after the other, each after its dependency ended; `after` never runs, as bad failed.
    expect(c.events.filter((e) => e.startsWith('run '))).toEqual(['run a', 'run b', 'run c']);
    const at = (entry: string) => c.timeline.indexOf(entry);
    expect(at('start b')).toBeGreaterThan(at('end a'));
    expect(at('start c')).toBeGreaterThan(at('end b'));
    expect(c.events).toContain('fail bad');
    expect(c.events).not.toContain('run after');
    expect(r.builds.map((b) => `${b.identifier} ${b.status}`)).toEqual(['a SUCCEEDED', 'b SUCCEEDED', 'c SUCCEEDED', 'bad FAILED', 'after STOPPED']);
    const after = r.builds.find((b) => b.identifier === 'after');
    expect(after?.message).toBe('not started: it depends on bad, which ended FAILED');
    expect(after?.build).toBeUndefined();
    expect(r.status).toBe('FAILED');
    expect(r.message).toBe('build bad FAILED: Error while executing command: fail bad. Reason: exit status 1');
  });

  it('fast-fail stops the running build and leaves the queued one unstarted; an ignored failure does not trigger it', async () => {
    const specs: Record<string, string> = { 'hang.yml': 'hang slow', 'fail.yml': 'fail bad', 'run.yml': 'run queued' };
    const yaml = (ignore: boolean) => `version: 0.2
batch:
  fast-fail: true
  build-list:
    - { identifier: slow, buildspec: hang.yml }
    - { identifier: bad, buildspec: fail.yml, ignore-failure: ${ignore} }
    - { identifier: queued, buildspec: run.yml }
`;
    const run = (ignore: boolean, c: ReturnType<typeof scriptedContainers>) =>
      runBatch(
        {
          ...request(yaml(ignore), 2),
          loadBuildspec: async (path) => parseBuildspec(`version: 0.2\nphases:\n  build:\n    commands: ['${specs[path] ?? ''}']\n`, path),
        },
        deps(c.factory),
      );
    const c = scriptedContainers();
    const stopped = await run(false, c);
    expect(stopped.status).toBe('FAILED');
    expect(stopped.builds.map((b) => `${b.identifier} ${b.status}`)).toEqual(['slow STOPPED', 'bad FAILED', 'queued STOPPED']);
    expect(stopped.builds[2]?.message).toBe('not started: fast-fail stopped the batch');
    expect(stopped.message).toBe('build bad FAILED: Error while executing command: fail bad. Reason: exit status 1');
    expect(c.events).toEqual(['hang slow', 'fail bad']);

    // With the failure ignored nothing is stopped: the hanging build is only ended by stopping the whole batch.
    const c2 = scriptedContainers();
    const controller = new AbortController();
    const said: string[] = [];
    const ignoring = request(yaml(true), 2);
    const pending = runBatch(
      {
        ...ignoring,
        base: { ...ignoring.base, line: (_stream, text) => said.push(text) },
        signal: controller.signal,
        loadBuildspec: async (path) => parseBuildspec(`version: 0.2\nphases:\n  build:\n    commands: ['${specs[path] ?? ''}']\n`, path),
      },
      deps(c2.factory),
    );
    // Waits for the queued build to have ended (a fixed sleep would be flaky on a loaded machine).
    await vi.waitFor(() => expect(said.some((l) => l.includes('Batch build queued: SUCCEEDED'))).toBe(true), { timeout: 10_000, interval: 20 });
    expect(c2.events).toEqual(['hang slow', 'fail bad', 'run queued']);
    controller.abort();
    const ended = await pending;
    expect(ended.status).toBe('STOPPED');
    expect(ended.builds.map((b) => `${b.identifier} ${b.status}`)).toEqual(['slow STOPPED', 'bad FAILED', 'queued SUCCEEDED']);
  });

  it("gives a task with its own buildspec that buildspec's parameter-store values, not the top-level one's; an unresolved one fails only that task", async () => {
    // Each container's starting environment, as the shell session writes it (an uncompressed tar, so readable).
    const envs: string[] = [];
    const factory: BuildContainerFactory = {
      prepareImage: async () => ({}),
      async create() {
        const container: BuildContainer = {
          id: 'fake',
          async putFiles(path, archive) {
            const tar = archive instanceof Readable ? undefined : await archive;
            if (path === '/' && tar?.includes('export CODEBUILD_BATCH_BUILD_IDENTIFIER')) envs.push(tar.toString('latin1'));
          },
          getArchive: async () => Readable.from([]),
          exec: async () => ({ exitCode: 0 }),
          remove: async () => undefined,
        };
        return container;
      },
    };
    const own: Record<string, string> = {
      'own.yml': 'version: 0.2\nenv:\n  parameter-store:\n    OWN: /own/param\nphases:\n  build:\n    commands: [run]\n',
      'missing.yml': 'version: 0.2\nenv:\n  parameter-store:\n    GONE: /not/there\nphases:\n  build:\n    commands: [run]\n',
    };
    const resolved: string[] = [];
    const base = request(`version: 0.2
env:
  parameter-store:
    TOP: /top/param
phases:
  build:
    commands: [run]
batch:
  build-list:
    - { identifier: inherits }
    - { identifier: ownspec, buildspec: own.yml }
    - { identifier: broken, buildspec: missing.yml }
`, 1);
    const r = await runBatch(
      {
        ...base,
        base: { ...base.base, secrets: { TOP: 'top-value' } },
        loadBuildspec: async (path) => parseBuildspec(own[path] ?? '', path),
        resolveSecrets: (spec) => {
          const missing = Object.entries(spec.env.parameterStore).find(([, name]) => name !== '/own/param');
          if (missing) return { ok: false, message: `parameter does not exist: ${missing[1]} (variable ${missing[0]})` };
          resolved.push(...Object.keys(spec.env.parameterStore));
          return { ok: true, secrets: { OWN: 'own-value' } };
        },
      },
      deps(factory),
    );
    expect(r.builds.map((b) => `${b.identifier} ${b.status}`)).toEqual(['inherits SUCCEEDED', 'ownspec SUCCEEDED', 'broken FAILED']);
    expect(r.builds[2]?.message).toBe('parameter does not exist: /not/there (variable GONE)');
    expect(resolved).toEqual(['OWN']);
    expect(envs).toHaveLength(2);
    expect(envs[0]).toContain("export TOP='top-value'");
    expect(envs[0]).not.toContain('OWN');
    expect(envs[1]).toContain("export OWN='own-value'");
    expect(envs[1]).not.toContain('top-value');
  });
});
