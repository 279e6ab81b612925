// CodePipeline V2's `triggers`: one git configuration per source action, with push filters on branches, tags and
// file paths (CodePipeline's combinations and limits), every glob checked where it stands.
import { TRIGGER_LIMITS, TRIGGER_PROVIDER_TYPES, categoryOf } from '../core/index.js';
import type { GitFilterCriteria, GitPushFilterSpec, PipelineTriggerSpec } from '../core/index.js';
import { entry, joinPath, keyNode } from './problems.js';
import type { ProblemCollector } from './problems.js';
import { describeNode } from './yaml-source.js';
import type { YamlMapping, YamlNode } from './yaml-source.js';
import type { Located, PipelineDraft } from './pipeline-read.js';
import { compileGlob } from './git-glob.js';

const TRIGGER_KEYS = ['providerType', 'gitConfiguration'] as const;
const GIT_CONFIGURATION_KEYS = ['sourceActionName', 'push', 'pullRequest'] as const;
const PUSH_KEYS = ['branches', 'tags', 'filePaths'] as const;
const CRITERIA_KEYS = ['includes', 'excludes'] as const;

export interface TriggerDraft {
  path: string;
  providerType: string;
  sourceActionName?: Located<string>;
  push: GitPushFilterSpec[];
}

/** Reads the top-level `triggers` list; every problem is reported where it stands. */
export function readTriggers(root: YamlMapping, problems: ProblemCollector): TriggerDraft[] {
  const node = entry(root, 'triggers');
  const list = node && problems.expectSequence(node, 'triggers');
  if (!list) return [];
  const drafts: TriggerDraft[] = [];
  list.items.forEach((item, i) => {
    const t = readTrigger(item, joinPath('triggers', i), problems);
    if (t) drafts.push(t);
  });
  return drafts;
}

function readTrigger(node: YamlNode, path: string, problems: ProblemCollector): TriggerDraft | undefined {
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, TRIGGER_KEYS);
  const draft: TriggerDraft = { path, providerType: TRIGGER_PROVIDER_TYPES[0], push: [] };
  const provider = entry(map, 'providerType');
  if (provider) {
    const text = problems.expectString(provider, joinPath(path, 'providerType'));
    if (text !== undefined && !TRIGGER_PROVIDER_TYPES.some((p) => p === text)) {
      problems.add(provider, joinPath(path, 'providerType'), `unknown providerType '${text}'; git triggers take ${TRIGGER_PROVIDER_TYPES.join(', ')}`);
    }
  }
  const gitPath = joinPath(path, 'gitConfiguration');
  const git = entry(map, 'gitConfiguration');
  if (!git) {
    problems.add(map, gitPath, "missing required key 'gitConfiguration'");
    return draft;
  }
  const config = problems.expectMapping(git, gitPath);
  if (!config) return draft;
  problems.checkKeys(config, gitPath, GIT_CONFIGURATION_KEYS);
  const pr = keyNode(config, 'pullRequest');
  if (pr) problems.add(pr, joinPath(gitPath, 'pullRequest'), 'pullRequest triggers need a hosted repository; a local repository has pushes only (use push)');
  const nameNode = entry(config, 'sourceActionName');
  if (!nameNode) problems.add(config, joinPath(gitPath, 'sourceActionName'), "missing required key 'sourceActionName'");
  else {
    const value = problems.expectString(nameNode, joinPath(gitPath, 'sourceActionName'));
    if (value !== undefined) draft.sourceActionName = { value, node: nameNode, path: joinPath(gitPath, 'sourceActionName') };
  }
  const pushPath = joinPath(gitPath, 'push');
  const pushNode = entry(config, 'push');
  if (!pushNode) {
    if (!pr) problems.add(config, pushPath, "missing required key 'push'; a trigger needs at least one push filter");
    return draft;
  }
  const pushList = problems.expectSequence(pushNode, pushPath);
  if (!pushList) return draft;
  if (pushList.items.length === 0 || pushList.items.length > TRIGGER_LIMITS.pushFilters) {
    problems.add(pushList, pushPath, `expected 1 to ${TRIGGER_LIMITS.pushFilters} push filters, got ${pushList.items.length}`);
  }
  pushList.items.forEach((item, i) => {
    const filter = readPushFilter(item, joinPath(pushPath, i), problems);
    if (filter) draft.push.push(filter);
  });
  return draft;
}

function readPushFilter(node: YamlNode, path: string, problems: ProblemCollector): GitPushFilterSpec | undefined {
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, PUSH_KEYS);
  const filter: GitPushFilterSpec = {};
  for (const key of PUSH_KEYS) {
    const value = entry(map, key);
    const criteria = value && readCriteria(value, joinPath(path, key), problems);
    if (criteria) filter[key] = criteria;
  }
  const has = PUSH_KEYS.filter((k) => keyNode(map, k) !== undefined);
  const combination = has.join(' + ');
  const valid = ['tags', 'branches', 'branches + filePaths'];
  if (has.length === 0) problems.add(map, path, 'a push filter needs branches, tags, or branches with filePaths');
  else if (!valid.includes(combination)) {
    const first = keyNode(map, has[has.length - 1] ?? '') ?? map;
    problems.add(first, path, `a push filter takes tags alone, branches alone, or branches with filePaths; this one has ${combination}`);
  }
  return filter;
}

function readCriteria(node: YamlNode, path: string, problems: ProblemCollector): GitFilterCriteria | undefined {
  const map = problems.expectMapping(node, path);
  if (!map) return undefined;
  problems.checkKeys(map, path, CRITERIA_KEYS);
  const criteria: GitFilterCriteria = { includes: [], excludes: [] };
  for (const key of CRITERIA_KEYS) {
    const listNode = entry(map, key);
    if (!listNode) continue;
    const listPath = joinPath(path, key);
    const list = problems.expectSequence(listNode, listPath);
    if (!list) continue;
    if (list.items.length === 0 || list.items.length > TRIGGER_LIMITS.patterns) {
      problems.add(list, listPath, `expected 1 to ${TRIGGER_LIMITS.patterns} patterns, got ${list.items.length}`);
    }
    list.items.forEach((item, i) => {
      const pattern = readPattern(item, joinPath(listPath, i), problems);
      if (pattern !== undefined) criteria[key].push(pattern);
    });
  }
  if (!keyNode(map, 'includes') && !keyNode(map, 'excludes')) problems.add(map, path, "expected 'includes', 'excludes' or both");
  return criteria;
}

function readPattern(node: YamlNode, path: string, problems: ProblemCollector): string | undefined {
  if (node.kind !== 'scalar' || node.isNull) {
    problems.add(node, path, `expected a glob pattern, got ${describeNode(node)}`);
    return undefined;
  }
  const text = node.value;
  if (text.length < 1 || text.length > TRIGGER_LIMITS.patternLength) {
    problems.add(node, path, `expected a pattern of 1 to ${TRIGGER_LIMITS.patternLength} characters, got ${text.length}`);
    return undefined;
  }
  const compiled = compileGlob(text);
  if (!compiled.ok) {
    problems.add(node, path, `invalid glob pattern '${text}': ${compiled.error}`);
    return undefined;
  }
  return text;
}

/** Each trigger names a source action of the pipeline, and no source action has two triggers. */
export function checkTriggerRules(draft: PipelineDraft, triggers: readonly TriggerDraft[], problems: ProblemCollector): void {
  const sources = draft.stages.flatMap((s) => s.actions).filter((a) => a.type && categoryOf(a.type.value) === 'Source' && a.name);
  const names = sources.map((a) => a.name?.value ?? '');
  const seen = new Map<string, Located<string>>();
  for (const t of triggers) {
    const name = t.sourceActionName;
    if (!name) continue;
    if (!names.includes(name.value)) {
      const known = names.length > 0 ? `source actions: ${names.join(', ')}` : 'the pipeline has no source action';
      problems.add(name.node, name.path, `sourceActionName '${name.value}' names no source action of this pipeline; ${known}`);
      continue;
    }
    const before = seen.get(name.value);
    if (before) {
      problems.add(name.node, name.path, `source action '${name.value}' already has a trigger (${before.path}, line ${before.node.location.line}); give it one trigger with several push filters`);
    } else seen.set(name.value, name);
  }
}

export function toTriggerSpecs(triggers: readonly TriggerDraft[]): PipelineTriggerSpec[] {
  return triggers.map((t) => ({ providerType: t.providerType, sourceActionName: t.sourceActionName?.value ?? '', push: t.push }));
}
