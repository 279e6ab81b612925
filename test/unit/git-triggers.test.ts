// CodePipeline V2's git triggers without git: the glob language, the pipeline file's `triggers` with every rule's
// exact message and position, and which source actions a ref update starts (with the filter that matched).
import { describe, expect, test } from 'vitest';
import { ValidationError } from '../../src/core/index.js';
import type { GitRefUpdate } from '../../src/core/index.js';
import { compileGlob, matchesGlob, parsePipelineSpec } from '../../src/parse/index.js';
import { buildExecutionPlan } from '../../src/plan/index.js';
import { matchTriggers } from '../../src/source/index.js';
import type { RefUpdateContext } from '../../src/source/index.js';

const HEAD = `name: p
executionMode: PARALLEL
`;
const STAGES = `stages:
  - name: Source
    actions:
      - { name: App, type: Source/Git, configuration: { repository: /repo, branch: main }, outputArtifacts: [A] }
      - { name: Lib, type: Source/Git, configuration: { repository: /other }, outputArtifacts: [L] }
  - name: Approve
    actions:
      - { name: Ok, type: Approval/Manual }
`;

function report(text: string): string {
  try {
    parsePipelineSpec(text, 'p.yml');
  } catch (e) {
    if (e instanceof ValidationError) return e.format();
    throw e;
  }
  throw new Error('expected the file to be invalid');
}

describe('glob patterns', () => {
  test.each([
    ['main', 'main', true],
    ['main', 'mainline', false],
    ['release/*', 'release/1', true],
    ['release/*', 'release/1/hotfix', false],
    ['release/**', 'release/1/hotfix', true],
    ['**', 'any/thing/at/all', true],
    ['src/**', 'src/a.ts', true],
    ['src/**', 'srcx/a.ts', false],
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'docs/deep/x.md', true],
    ['*.md', 'docs/x.md', false],
    ['foo.?', 'foo.c', true],
    ['foo.?', 'foo.cc', false],
    ['*.{java,class}', 'A.class', true],
    ['*.{java,class}', 'A.kt', false],
    ['v[0-9]*', 'v1.2', true],
    ['v[!0-9]*', 'v1.2', false],
    ['v*-rc*', 'v2-rc1', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
  ])('%s against %s: %s', (pattern, name, want) => {
    expect(matchesGlob(pattern, name)).toBe(want);
  });

  test('what is wrong with a glob is said', () => {
    expect(compileGlob('[abc')).toEqual({ ok: false, error: "unclosed '[' at character 1" });
    expect(compileGlob('{a,{b}}')).toEqual({ ok: false, error: "groups cannot be nested ('{' at character 4)" });
    expect(compileGlob('{a,b')).toEqual({ ok: false, error: "unclosed '{'" });
    expect(compileGlob('a\\')).toEqual({ ok: false, error: 'a pattern cannot end with an escaping backslash' });
  });
});

describe('triggers in the pipeline file', () => {
  test('every problem, where it stands', () => {
    const text = `${HEAD}triggers:
  - providerType: GitHub
    gitConfiguration:
      sourceActionName: Nope
      push:
        - tags: { includes: ["v*"] }
          branches: { includes: [main] }
        - filePaths: { includes: ["src/**"] }
        - branches: { includes: ["[x"], excludes: [] }
        - branches: { includes: [a] }
  - gitConfiguration:
      sourceActionName: App
      pullRequest: [{ events: [OPEN] }]
  - gitConfiguration:
      sourceActionName: App
      push:
        - branches: { include: [main] }
${STAGES}`;
    expect(report(text)).toMatchInlineSnapshot(`
      "p.yml: 11 problems found
        p.yml:4:19 triggers[0].providerType: unknown providerType 'GitHub'; git triggers take CodeStarSourceConnection
          4 |   - providerType: GitHub
            |                   ^
        p.yml:6:25 triggers[0].gitConfiguration.sourceActionName: sourceActionName 'Nope' names no source action of this pipeline; source actions: App, Lib
          6 |       sourceActionName: Nope
            |                         ^
        p.yml:8:9 triggers[0].gitConfiguration.push: expected 1 to 3 push filters, got 4
          8 |         - tags: { includes: ["v*"] }
            |         ^
        p.yml:8:11 triggers[0].gitConfiguration.push[0]: a push filter takes tags alone, branches alone, or branches with filePaths; this one has branches + tags
          8 |         - tags: { includes: ["v*"] }
            |           ^
        p.yml:10:11 triggers[0].gitConfiguration.push[1]: a push filter takes tags alone, branches alone, or branches with filePaths; this one has filePaths
          10 |         - filePaths: { includes: ["src/**"] }
             |           ^
        p.yml:11:34 triggers[0].gitConfiguration.push[2].branches.includes[0]: invalid glob pattern '[x': unclosed '[' at character 1
          11 |         - branches: { includes: ["[x"], excludes: [] }
             |                                  ^
        p.yml:11:51 triggers[0].gitConfiguration.push[2].branches.excludes: expected 1 to 8 patterns, got 0
          11 |         - branches: { includes: ["[x"], excludes: [] }
             |                                                   ^
        p.yml:15:7 triggers[1].gitConfiguration.pullRequest: pullRequest triggers need a hosted repository; a local repository has pushes only (use push)
          15 |       pullRequest: [{ events: [OPEN] }]
             |       ^
        p.yml:17:25 triggers[2].gitConfiguration.sourceActionName: source action 'App' already has a trigger (triggers[1].gitConfiguration.sourceActionName, line 14); give it one trigger with several push filters
          17 |       sourceActionName: App
             |                         ^
        p.yml:19:21 triggers[2].gitConfiguration.push[0].branches: expected 'includes', 'excludes' or both
          19 |         - branches: { include: [main] }
             |                     ^
        p.yml:19:23 triggers[2].gitConfiguration.push[0].branches.include: unknown key 'include'; did you mean 'includes'?
          19 |         - branches: { include: [main] }
             |                       ^"
    `);
  });

  test('a valid trigger is in the spec and the plan', () => {
    const spec = parsePipelineSpec(`${HEAD}triggers:
  - gitConfiguration:
      sourceActionName: App
      push:
        - branches: { includes: [main, "release/**"] }
          filePaths: { excludes: ["**/*.md"] }
${STAGES}`, 'p.yml');
    expect(buildExecutionPlan(spec).triggers).toEqual([
      { providerType: 'CodeStarSourceConnection', sourceActionName: 'App', push: [{ branches: { includes: ['main', 'release/**'], excludes: [] }, filePaths: { includes: [], excludes: ['**/*.md'] } }] },
    ]);
  });
});

describe('which source actions a ref update starts', () => {
  const zero = '0'.repeat(40);
  const update = (ref: string, oldCommit = 'a'.repeat(40), newCommit = 'b'.repeat(40)): GitRefUpdate => ({ ref, oldCommit, newCommit });
  function context(u: GitRefUpdate, files: string[] = [], head = 'main'): RefUpdateContext & { diffs: number } {
    const ctx = {
      update: u,
      diffs: 0,
      isThisRepository: async (repo: string) => repo === '/repo',
      headBranchOf: async () => head,
      changedFiles: async () => {
        ctx.diffs++;
        return files;
      },
    };
    return ctx;
  }
  const plan = (triggers = '') => buildExecutionPlan(parsePipelineSpec(`${HEAD}${triggers}${STAGES}`, 'p.yml'));

  test('without triggers: an update of the branch the source action names, in its repository', async () => {
    expect(await matchTriggers(plan(), context(update('refs/heads/main')))).toEqual([
      { actionId: 'Source.App', actionName: 'App', branch: 'main', filter: 'branch main of Source.App' },
    ]);
    expect(await matchTriggers(plan(), context(update('refs/heads/dev')))).toEqual([]);
    expect(await matchTriggers(plan(), context(update('refs/tags/main')))).toEqual([]);
  });

  test('a deletion, an unchanged ref, HEAD and other refs start nothing', async () => {
    expect(await matchTriggers(plan(), context(update('refs/heads/main', 'a'.repeat(40), zero)))).toEqual([]);
    expect(await matchTriggers(plan(), context(update('refs/heads/main', 'b'.repeat(40))))).toEqual([]);
    expect(await matchTriggers(plan(), context(update('HEAD')))).toEqual([]);
    expect(await matchTriggers(plan(), context(update('refs/stash')))).toEqual([]);
  });

  const FILTERED = `triggers:
  - gitConfiguration:
      sourceActionName: App
      push:
        - branches: { includes: [main, "release/**"], excludes: ["release/old*"] }
          filePaths: { includes: ["services/a/**"], excludes: ["**/*.md"] }
        - tags: { includes: ["v*"], excludes: ["v*-rc*"] }
`;

  test.each([
    ['refs/heads/main', ['services/a/x.js'], 'triggers[0].gitConfiguration.push[0]'],
    ['refs/heads/main', ['services/a/README.md'], undefined],
    ['refs/heads/main', ['services/b/x.js', 'services/a/y.js'], 'triggers[0].gitConfiguration.push[0]'],
    ['refs/heads/release/1', ['services/a/x.js'], 'triggers[0].gitConfiguration.push[0]'],
    ['refs/heads/release/old-1', ['services/a/x.js'], undefined],
    ['refs/heads/feature', ['services/a/x.js'], undefined],
    ['refs/tags/v1', [], 'triggers[0].gitConfiguration.push[1]'],
    ['refs/tags/v2-rc1', [], undefined],
  ])('%s changing %j: %s', async (ref, files, filter) => {
    const got = await matchTriggers(plan(FILTERED), context(update(ref), files));
    expect(got.map((m) => m.filter)).toEqual(filter ? [filter] : []);
  });

  test('the diff is asked for only when a file-path filter needs it', async () => {
    const tag = context(update('refs/tags/v1'));
    await matchTriggers(plan(FILTERED), tag);
    expect(tag.diffs).toBe(0);
    const branch = context(update('refs/heads/main'), ['services/a/x.js']);
    await matchTriggers(plan(FILTERED), branch);
    expect(branch.diffs).toBe(1);
  });
});
