// What the dashboard's JSON API answers about pipelines and executions: read from the execution store (and the
// pipeline files), shaped as the CodePipeline console shows them. Reads only; every change goes through actions.ts.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PipeError } from '../core/index.js';
import type { ExecutionPlan } from '../core/index.js';
import type { ActionTile, ExecutionRow, ExecutionView, PipelineSummaryView, PipelineView, StageCard } from './views.js';
import { loadPlan } from '../app/index.js';
import type { PipeContext } from '../app/index.js';
import { StageGate } from '../execute/index.js';
import type { ActionExecutionRecord, ExecutionDetail } from '../execute/index.js';

export interface ReadDeps {
  ctx: PipeContext;
  /** Where pipeline files are found besides those that ran here (the project's `pipelines/`). */
  pipelinesDir: string;
}

export interface PipelineRef {
  name: string;
  file: string;
}

/** A pipeline file's plan, parsed again only when the file changed. */
const planCache = new Map<string, { mtimeMs: number; plan: ExecutionPlan }>();

export async function planOfFile(file: string): Promise<ExecutionPlan | undefined> {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const cached = planCache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.plan;
  try {
    const plan = await loadPlan(file);
    planCache.set(file, { mtimeMs, plan });
    return plan;
  } catch {
    return undefined; // an invalid file is shown by `pipe validate`, not here
  }
}

/** Pipelines that ran here, and the valid pipeline files of the project's pipelines folder. */
export async function knownPipelines(deps: ReadDeps): Promise<PipelineRef[]> {
  const byName = new Map<string, string>();
  if (existsSync(deps.pipelinesDir)) {
    for (const f of readdirSync(deps.pipelinesDir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const file = resolve(deps.pipelinesDir, f);
      const plan = await planOfFile(file);
      if (plan) byName.set(plan.pipeline, file);
    }
  }
  for (const p of deps.ctx.store.pipelines()) if (!byName.has(p.pipeline)) byName.set(p.pipeline, p.pipelineFile);
  return [...byName].map(([name, file]) => ({ name, file })).sort((a, b) => a.name.localeCompare(b.name));
}

export async function pipelineRef(deps: ReadDeps, name: string): Promise<PipelineRef> {
  const found = (await knownPipelines(deps)).find((p) => p.name === name);
  if (!found) throw new PipeError('NOT_FOUND', `no pipeline '${name}'`);
  return found;
}

/** The plan a pipeline has now: its file's, else the one its latest execution ran. */
export async function currentPlan(deps: ReadDeps, ref: PipelineRef): Promise<ExecutionPlan> {
  const plan = await planOfFile(ref.file);
  if (plan) return plan;
  const last = deps.ctx.store.listExecutions({ pipeline: ref.name, limit: 1 })[0];
  const stored = last ? (deps.ctx.store.runState(last.executionId)?.plan as ExecutionPlan | undefined) : undefined;
  if (!stored) throw new PipeError('NOT_FOUND', `pipeline ${ref.name}: its file ${ref.file} is gone or invalid`);
  return stored;
}

const durationMs = (start: string, end: string | undefined): number | undefined => (end ? Date.parse(end) - Date.parse(start) : undefined);

/** The source revision an execution runs: its first source action's commit. */
export function revisionOf(e: Pick<ExecutionDetail, 'actions'>): { commitId: string; summary: string } | undefined {
  for (const a of e.actions) {
    const id = a.outputVariables['CommitId'];
    if (id) return { commitId: id, summary: (a.outputVariables['CommitMessage'] ?? '').split('\n')[0] ?? '' };
  }
  return undefined;
}

/** History, newest first, with each execution's duration and source revision. */
export function executionRows(deps: ReadDeps, filter: { pipeline?: string; status?: string; triggerType?: string; limit?: number }): ExecutionRow[] {
  const list = deps.ctx.store.listExecutions({ limit: filter.limit ?? 100, ...filter });
  const revisions = sourceRevisions(deps, list.map((e) => e.executionId));
  return list.map((e) => {
    const d = durationMs(e.startTime, e.endTime);
    const revision = revisions.get(e.executionId);
    return { ...e, ...(d === undefined ? {} : { durationMs: d }), ...(revision ? { revision } : {}) };
  });
}

/** The commit of each execution's source action, in one query (a history page of a thousand rows stays quick). */
function sourceRevisions(deps: ReadDeps, ids: string[]): Map<string, { commitId: string; summary: string }> {
  const out = new Map<string, { commitId: string; summary: string }>();
  if (ids.length === 0) return out;
  for (const r of deps.ctx.store.sourceOutputs(ids)) {
    const v = r.outputVariables;
    if (v['CommitId'] && !out.has(r.executionId)) out.set(r.executionId, { commitId: v['CommitId'], summary: (v['CommitMessage'] ?? '').split('\n')[0] ?? '' });
  }
  return out;
}

/** The console's pipeline view: each stage with the execution it last ran, its actions there, its transition and queue. */
export async function pipelineView(deps: ReadDeps, name: string): Promise<PipelineView> {
  const ref = await pipelineRef(deps, name);
  const plan = await currentPlan(deps, ref);
  const recent = deps.ctx.store.listExecutions({ pipeline: name, limit: 25 });
  const details = new Map<string, ExecutionDetail>();
  const detail = (id: string): ExecutionDetail | undefined => {
    if (!details.has(id)) {
      const d = deps.ctx.store.getExecution(id);
      if (d) details.set(id, d);
    }
    return details.get(id);
  };
  const gate = new StageGate(deps.ctx.db);
  const disabled = new Map(gate.disabledTransitions(name).map((t) => [t.stage, t]));
  const waits = deps.ctx.store.stageWaits(name);
  const stages = plan.stages.map((s, index): StageCard => {
    // The newest execution that entered this stage is the one the card shows.
    let shown: ExecutionDetail | undefined;
    for (const e of recent) {
      const d = detail(e.executionId);
      if (d?.stages.some((st) => st.stage === s.name)) {
        shown = d;
        break;
      }
    }
    const st = shown?.stages.find((x) => x.stage === s.name);
    const actions = s.groups.flat().map((a): ActionTile => {
      const run = shown?.actions.find((x) => x.stage === s.name && x.action === a.name);
      const approval = shown?.approvals.find((x) => x.stage === s.name && x.action === a.name && x.status === 'Waiting');
      return { name: a.name, provider: a.type, category: a.category, runOrder: a.runOrder, ...(run && shown ? tileRun(shown.executionId, run) : {}), ...(approval ? { approval } : {}) };
    });
    const off = disabled.get(s.name);
    const holder = gate.holder(name, s.name);
    return {
      name: s.name,
      ...(shown && st ? { executionId: shown.executionId, status: st.status, attempt: st.attempt } : {}),
      actions,
      ...(index === 0 ? {} : { transition: off ? { enabled: false, reason: off.reason, disabledAt: off.disabledAt } : { enabled: true } }),
      ...(holder ? { heldBy: holder } : {}),
      waiting: waits.filter((w) => w.stage === s.name).map((w) => ({ executionId: w.executionId, since: w.since })),
    };
  });
  const latest = executionRows(deps, { pipeline: name, limit: 1 })[0];
  const inFlight = recent.filter((e) => e.status === 'InProgress' || e.status === 'Stopping');
  const waitingApprovals = inFlight.flatMap((e) => (detail(e.executionId)?.approvals ?? []).filter((a) => a.status === 'Waiting').map((a) => ({ ...a, executionId: e.executionId })));
  return {
    name,
    file: ref.file,
    executionMode: plan.executionMode,
    variables: plan.variables.map((v) => ({ name: v.name, ...(v.defaultValue === undefined ? {} : { default: v.defaultValue }), ...(v.description ? { description: v.description } : {}) })),
    stages,
    ...(latest ? { latest } : {}),
    waitingApprovals,
  };
}

function tileRun(executionId: string, run: ActionExecutionRecord): Partial<ActionTile> {
  const d = durationMs(run.startTime, run.endTime);
  return {
    executionId,
    status: run.status,
    ...(run.statusMessage ? { statusMessage: run.statusMessage } : {}),
    startTime: run.startTime,
    ...(run.endTime ? { endTime: run.endTime } : {}),
    ...(d === undefined ? {} : { durationMs: d }),
    ...(run.externalExecutionId ? { externalExecutionId: run.externalExecutionId } : {}),
  };
}

export async function pipelineSummaries(deps: ReadDeps): Promise<PipelineSummaryView[]> {
  const out: PipelineSummaryView[] = [];
  for (const ref of await knownPipelines(deps)) {
    const latest = executionRows(deps, { pipeline: ref.name, limit: 1 })[0];
    const d = latest ? deps.ctx.store.getExecution(latest.executionId) : undefined;
    const plan = await planOfFile(ref.file);
    const names = plan ? plan.stages.map((s) => s.name) : (d?.stages.map((s) => s.stage) ?? []);
    out.push({
      name: ref.name,
      file: ref.file,
      stages: names.map((n) => {
        const status = d?.stages.find((s) => s.stage === n)?.status;
        return status ? { name: n, status } : { name: n };
      }),
      ...(latest ? { latest } : {}),
      waitingApprovals: deps.ctx.store.waitingApprovalCount(ref.name),
    });
  }
  return out;
}

export function executionView(deps: ReadDeps, id: string): ExecutionView {
  const detail = deps.ctx.store.getExecution(id);
  if (!detail) throw new PipeError('NOT_FOUND', `no execution '${id}'`);
  const plan = deps.ctx.store.runState(detail.executionId)?.plan as ExecutionPlan | undefined;
  const d = durationMs(detail.startTime, detail.endTime);
  const revision = revisionOf(detail);
  const { stages: _s, actions: _a, actionAttempts: _aa, approvals: _ap, waitingFor: _w, ...summary } = detail;
  return {
    ...summary,
    ...(d === undefined ? {} : { durationMs: d }),
    ...(revision ? { revision } : {}),
    detail,
    stagesPlanned: (plan?.stages ?? []).map((s) => ({ name: s.name, actions: s.groups.flat().map((a) => ({ name: a.name, provider: a.type, runOrder: a.runOrder })) })),
  };
}
