// CodePipeline's structural rules over the whole pipeline: stage placement, unique names, artifact and
// variable flow. Each message names the stage and action at fault.
import { EXECUTION_NAMESPACE, EXECUTION_VARIABLES, PIPELINE_VARIABLES_NAMESPACE, categoryOf } from '../core/index.js';
import { entry, joinPath, suggest } from './problems.js';
import type { ProblemCollector } from './problems.js';
import { ACTION_TYPE_RULES } from './pipeline-configuration.js';
import type { ActionDraft, Located, PipelineDraft, StageDraft } from './pipeline-read.js';
import type { ReferenceSite } from './pipeline-references.js';

/** An action with the stage it stands in, which decides what finishes before it. */
interface Placed {
  stage: StageDraft;
  action: ActionDraft;
}

const RESERVED_NAMESPACES = [PIPELINE_VARIABLES_NAMESPACE, EXECUTION_NAMESPACE];

export function checkPipelineRules(draft: PipelineDraft, problems: ProblemCollector): void {
  const placed = draft.stages.flatMap((stage) => stage.actions.map((action) => ({ stage, action })));
  checkStageCount(draft, problems);
  checkSourcePlacement(draft, problems);
  checkUnique(draft.stages.map((s) => s.name), 'stage name', 'stage names must be unique in the pipeline', problems);
  for (const stage of draft.stages) {
    const names = stage.actions.map((a) => a.name);
    checkUnique(names, 'action name', `action names must be unique within stage ${stageLabel(stage)}`, problems);
  }
  checkUnique(draft.variables.map((v) => v.name), 'variable name', 'pipeline variable names must be unique', problems);
  checkArtifactCounts(placed, problems);
  const producers = checkOutputArtifacts(placed, problems);
  checkInputArtifacts(placed, producers, problems);
  const namespaces = checkNamespaces(placed, producers, problems);
  checkReferences(draft, placed, namespaces, problems);
}

function checkStageCount(draft: PipelineDraft, problems: ProblemCollector): void {
  const node = draft.stagesNode;
  if (node?.kind !== 'sequence' || node.items.length >= 2) return;
  const n = node.items.length;
  problems.add(node, 'stages', `a pipeline needs at least two stages (a source stage and one more), got ${n}`);
}

function checkSourcePlacement(draft: PipelineDraft, problems: ProblemCollector): void {
  for (const stage of draft.stages) {
    for (const action of stage.actions) {
      if (!action.type) continue;
      const isSource = categoryOf(action.type.value) === 'Source';
      const { node, path, value } = action.type;
      if (stage.index === 0 && !isSource) {
        const what = `${actionLabel(stage, action)} is ${/^[AEIOU]/.test(value) ? 'an' : 'a'} ${value} action`;
        problems.add(node, path, `the first stage may hold only source actions; ${what}`);
      } else if (stage.index > 0 && isSource) {
        problems.add(node, path, `source actions belong in the first stage; ${actionLabel(stage, action)} stands in stage ${stageLabel(stage)}`);
      }
    }
  }
}

function checkUnique(
  names: readonly (Located<string> | undefined)[],
  what: string,
  rule: string,
  problems: ProblemCollector,
): void {
  const first = new Map<string, Located<string>>();
  for (const name of names) {
    if (!name) continue;
    const earlier = first.get(name.value);
    if (earlier) {
      problems.add(name.node, name.path, `duplicate ${what} '${name.value}' (first at line ${earlier.node.location.line}); ${rule}`);
    } else {
      first.set(name.value, name);
    }
  }
}

function checkArtifactCounts(placed: Placed[], problems: ProblemCollector): void {
  for (const { stage, action } of placed) {
    if (!action.type) continue;
    const rules = ACTION_TYPE_RULES[action.type.value];
    for (const key of ['inputArtifacts', 'outputArtifacts'] as const) {
      const { min, max } = rules[key];
      const list = entry(action.node, key);
      // Count the items as written: one with a bad name is already reported, and still counts.
      if (list !== undefined && list.kind !== 'sequence') continue;
      const n = list?.items.length ?? 0;
      if (n >= min && n <= max) continue;
      const noun = key === 'inputArtifacts' ? 'input' : 'output';
      const range = max === 0 ? 'no' : min === max ? `${min}` : `${min}-${max}`;
      const plural = max === 1 ? '' : 's';
      const where = joinPath(action.path, key);
      problems.add(list ?? action.node, where, `${actionLabel(stage, action)} (${action.type.value}) takes ${range} ${noun} artifact${plural}, got ${n}`);
    }
  }
}

/** Reports output artifact names used twice; returns each artifact's producer. */
function checkOutputArtifacts(placed: Placed[], problems: ProblemCollector): Map<string, Placed> {
  const producers = new Map<string, Placed>();
  for (const p of placed) {
    for (const artifact of p.action.outputArtifacts) {
      const earlier = producers.get(artifact.value);
      if (earlier) {
        const by = `${actionLabel(earlier.stage, earlier.action)} (line ${earlier.action.node.location.line})`;
        problems.add(artifact.node, artifact.path, `output artifact '${artifact.value}' is already produced by ${by}; output artifact names must be unique in the pipeline`);
      } else {
        producers.set(artifact.value, p);
      }
    }
  }
  return producers;
}

function checkInputArtifacts(placed: Placed[], producers: Map<string, Placed>, problems: ProblemCollector): void {
  for (const consumer of placed) {
    const seen = new Set<string>();
    for (const artifact of consumer.action.inputArtifacts) {
      const { value, node, path } = artifact;
      if (seen.has(value)) problems.add(node, path, `input artifact '${value}' is listed twice`);
      seen.add(value);
      const producer = producers.get(value);
      if (!producer) {
        const close = suggest(value, [...producers.keys()]);
        const hint = close ? `; did you mean '${close}'?` : '';
        problems.add(node, path, `input artifact '${value}' is not produced by any action${hint}`);
      } else if (!finishesBefore(producer, consumer)) {
        const by = actionLabel(producer.stage, producer.action);
        problems.add(node, path, `input artifact '${value}' is produced by ${by}, which does not finish before ${actionLabel(consumer.stage, consumer.action)}; ${ORDER_RULE}`);
      }
    }
  }
}

const ORDER_RULE = 'the producer must stand in an earlier stage, or in the same stage with a lower runOrder';

/** Reports reserved, repeated and artifact-named namespaces; returns each namespace's action. */
function checkNamespaces(placed: Placed[], artifacts: Map<string, Placed>, problems: ProblemCollector): Map<string, Placed> {
  const owners = new Map<string, Placed>();
  for (const p of placed) {
    const ns = p.action.namespace;
    if (!ns) continue;
    const earlier = owners.get(ns.value);
    if (RESERVED_NAMESPACES.includes(ns.value)) {
      problems.add(ns.node, ns.path, `namespace '${ns.value}' is reserved; choose another name`);
    } else if (earlier) {
      const by = `${actionLabel(earlier.stage, earlier.action)} (line ${earlier.action.node.location.line})`;
      problems.add(ns.node, ns.path, `namespace '${ns.value}' is already used by ${by}; namespaces must be unique in the pipeline`);
    } else {
      if (artifacts.has(ns.value)) {
        problems.add(ns.node, ns.path, `namespace '${ns.value}' is also an artifact name; namespaces and artifact names must differ`);
      }
      owners.set(ns.value, p);
    }
  }
  return owners;
}

function checkReferences(
  draft: PipelineDraft,
  placed: Placed[],
  namespaces: Map<string, Placed>,
  problems: ProblemCollector,
): void {
  const declared = draft.variables.flatMap((v) => (v.name ? [v.name.value] : []));
  for (const consumer of placed) {
    for (const site of consumer.action.references) {
      const message = explainReference(site, consumer, declared, namespaces);
      if (message) problems.add(site, site.path, message);
    }
  }
}

/** Why a reference cannot be resolved, or undefined when it can. */
function explainReference(
  site: ReferenceSite,
  consumer: Placed,
  declared: string[],
  namespaces: Map<string, Placed>,
): string | undefined {
  const { namespace, key, text } = site.reference;
  if (namespace === PIPELINE_VARIABLES_NAMESPACE) {
    if (declared.includes(key)) return undefined;
    const known = declared.length > 0 ? `declared: ${declared.join(', ')}` : 'the pipeline declares no variables';
    return `${text}: pipeline variable '${key}' is not declared${didYouMean(key, declared, known)}`;
  }
  if (namespace === EXECUTION_NAMESPACE) {
    if ((EXECUTION_VARIABLES as readonly string[]).includes(key)) return undefined;
    return `${text}: '${key}' is not an execution variable${didYouMean(key, EXECUTION_VARIABLES, `known: ${EXECUTION_VARIABLES.join(', ')}`)}`;
  }
  const producer = namespaces.get(namespace);
  if (!producer) {
    const names = [...namespaces.keys()];
    const known = names.length > 0 ? `namespaces: ${names.join(', ')}` : 'no action declares a namespace';
    return `${text}: unknown namespace '${namespace}'${didYouMean(namespace, names, known)}`;
  }
  const by = actionLabel(producer.stage, producer.action);
  if (!finishesBefore(producer, consumer)) {
    return `${text}: namespace '${namespace}' belongs to ${by}, which does not finish before ${actionLabel(consumer.stage, consumer.action)}; ${ORDER_RULE}`;
  }
  const type = producer.action.type?.value;
  const keys = type ? ACTION_TYPE_RULES[type].outputVariables : 'any';
  if (keys === 'any' || keys.includes(key)) return undefined;
  if (keys.length === 0) return `${text}: ${by} (${type}) publishes no variables`;
  return `${text}: '${key}' is not a variable of ${by} (${type})${didYouMean(key, keys, `its variables: ${keys.join(', ')}`)}`;
}

function didYouMean(word: string, candidates: readonly string[], otherwise: string): string {
  const close = suggest(word, candidates);
  return close ? `; did you mean '${close}'?` : `; ${otherwise}`;
}

/** CodePipeline's order: an earlier stage, or the same stage with a lower runOrder. */
function finishesBefore(producer: Placed, consumer: Placed): boolean {
  if (producer.stage.index !== consumer.stage.index) return producer.stage.index < consumer.stage.index;
  return producer.action.runOrder < consumer.action.runOrder;
}

function stageLabel(stage: StageDraft): string {
  return stage.name ? `'${stage.name.value}'` : stage.path;
}

/** `action 'Build.Compile'`, as the plan names it (`Stage.Action`); by path while a name is invalid. */
function actionLabel(stage: StageDraft, action: ActionDraft): string {
  if (stage.name && action.name) return `action '${stage.name.value}.${action.name.value}'`;
  return `the action at ${action.path}`;
}
