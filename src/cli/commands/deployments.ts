// `pipe deployments` and `pipe deployment ID`: the deployments of aliases (Deploy/Lambda actions, stacks'
// DeploymentPreference), listed and shown from the store with their steps, lifecycle events and the reason they
// ended; a deployment whose process died is rolled back and marked Failed first.
import { join } from 'node:path';
import type { Command } from 'commander';
import { PipeError } from '../../core/index.js';
import type { DeploymentStatus } from '../../core/index.js';
import { DeploymentStore, recoverDeployments } from '../../deploy/index.js';
import type { DeploymentRecord } from '../../deploy/index.js';
import { openDatabase, pipeHome } from '../../infra/index.js';
import { Registry } from '../../registry/index.js';
import type { Invoker } from '../../registry/index.js';
import type { Output } from '../output.js';
import { formatDuration, paint } from '../render/style.js';
import type { Colour } from '../render/style.js';

const STATUS_COLOUR: Record<DeploymentStatus, Colour> = {
  Created: 'blue', Queued: 'blue', InProgress: 'blue', Baking: 'blue', Ready: 'blue', Succeeded: 'green', Failed: 'red', Stopped: 'yellow',
};

/** Rolling a dead deployment back moves an alias, never invokes. */
const NO_INVOKE: Invoker = {
  invoke: () => Promise.reject(new PipeError('INTERNAL', 'this registry was opened to roll back aliases only')),
  retire: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

export function registerDeploymentCommands(program: Command, out: Output): void {
  program
    .command('deployments')
    .description('List deployments of aliases (newest first): versions, strategy, status and why it ended')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => withDeployments((store) => list(out, store, o)));
  program
    .command('deployment <id>')
    .description('Show one deployment: its weight steps, lifecycle events (hooks) and the reason it ended')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) => withDeployments((store) => show(out, store, id, o)));
}

async function withDeployments(body: (store: DeploymentStore) => void): Promise<void> {
  const home = pipeHome();
  const db = openDatabase(join(home, 'state.db'));
  const registry = Registry.open({ invoker: NO_INVOKE, home, db });
  try {
    await recoverDeployments(db, registry);
    body(new DeploymentStore(db));
  } finally {
    registry.close();
    db.close();
  }
}

function list(out: Output, store: DeploymentStore, o: { json?: boolean }): void {
  const all = store.list();
  if (o.json) return out.stdout(`${JSON.stringify(all)}\n`);
  if (all.length === 0) return out.stderr('no deployments\n');
  const rows = all.map((d) => [
    d.deploymentId, `${d.functionName}:${d.alias}`, `${d.currentVersion} -> ${d.targetVersion}`, d.deploymentType,
    paint(out.color, STATUS_COLOUR[d.status], d.status), new Date(d.createdAt).toISOString().replace(/\.\d+Z$/, 'Z'), d.reason ?? '',
  ]);
  out.stdout(table(['ID', 'ALIAS', 'VERSIONS', 'TYPE', 'STATUS', 'STARTED', 'REASON'], rows));
}

function show(out: Output, store: DeploymentStore, id: string, o: { json?: boolean }): void {
  const d = store.get(id);
  if (!d) throw new PipeError('NOT_FOUND', `no deployment ${id}`, { hint: 'pipe deployments lists them' });
  if (o.json) return out.stdout(`${JSON.stringify(d)}\n`);
  out.stdout(describe(out, d));
}

function describe(out: Output, d: DeploymentRecord): string {
  const at = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());
  const scale = d.timeScale === 1 ? '' : ` at ${d.timeScale}x time`;
  const lines = [
    `deployment ${d.deploymentId}  ${paint(out.color, STATUS_COLOUR[d.status], d.status)}${d.errorCode ? ` (${d.errorCode})` : ''}`,
    `alias      ${d.functionName}:${d.alias}, version ${d.currentVersion} -> ${d.targetVersion}, ${d.deploymentType}${scale}`,
    ...(d.stackName ? [`stack      ${d.stackName}${d.logicalId ? ` (${d.logicalId})` : ''}`] : []),
    ...(d.executionId ? [`execution  ${d.executionId}`] : []),
    ...(d.reason ? [`reason     ${d.reason}`] : []),
    `started    ${at(d.createdAt)}${d.completedAt ? `, ended ${at(d.completedAt)} (${formatDuration(d.completedAt - d.createdAt)})` : ''}`,
    ...(d.alarms.length ? [`alarms     ${d.alarms.map((a) => a.name).join(', ')}`] : []),
    'steps',
    ...d.steps.map((s) => `  ${s.seq}  ${`${Math.round(s.weight * 100)}%`.padEnd(5)} at +${s.plannedMinutes} min  ${s.at === undefined ? 'not reached' : at(s.at)}`),
    'lifecycle events',
    ...d.lifecycleEvents.map((e) => `  ${e.name.padEnd(19)} ${e.status.padEnd(10)}${e.hookFunction ? ` hook ${e.hookFunction}` : ''}${e.message ? `  ${e.message}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

function table(head: string[], rows: string[][]): string {
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(c)))).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
