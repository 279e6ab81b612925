// What the Functions page shows, as the Lambda console does: functions, versions, aliases with their weights,
// layers, recent invocations, and the Test tab's saved test events and invoke. Read through the in-process Registry.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipeError } from '../core/index.js';
import type { AliasConfiguration, FunctionConfiguration, LayersListItem, LayerVersionsListItem, Registry } from '../registry/index.js';
import { PRIVATE_FILE_MODE } from '../infra/index.js';
import type { InvocationJournal, InvocationRecord } from './invocations.js';
import { parseReport } from './invocations.js';

export interface FunctionsDeps {
  registry: Registry;
  journal: InvocationJournal;
  home: string;
}

async function allPages<T>(page: (marker: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const p = await page(marker);
    out.push(...p.items);
    marker = p.next;
  } while (marker !== undefined);
  return out;
}

export async function listFunctions(deps: FunctionsDeps): Promise<FunctionConfiguration[]> {
  return allPages(async (m) => {
    const p = await deps.registry.listFunctions(m === undefined ? {} : { Marker: m });
    return { items: p.Functions, next: p.NextMarker };
  });
}

export async function listLayers(deps: FunctionsDeps): Promise<(LayersListItem & { versions: LayerVersionsListItem[] })[]> {
  const layers = await allPages(async (m) => {
    const p = await deps.registry.listLayers(m === undefined ? {} : { Marker: m });
    return { items: p.Layers, next: p.NextMarker };
  });
  return Promise.all(layers.map(async (l) => ({
    ...l,
    versions: await allPages(async (m) => {
      const p = await deps.registry.listLayerVersions({ LayerName: l.LayerName, ...(m === undefined ? {} : { Marker: m }) });
      return { items: p.LayerVersions, next: p.NextMarker };
    }),
  })));
}

export interface FunctionView {
  configuration: FunctionConfiguration;
  versions: FunctionConfiguration[];
  aliases: AliasConfiguration[];
  invocations: InvocationRecord[];
  testEvents: Record<string, string>;
}

export async function functionView(deps: FunctionsDeps, name: string): Promise<FunctionView> {
  const configuration = await deps.registry.getFunctionConfiguration({ FunctionName: name });
  const versions = await allPages(async (m) => {
    const p = await deps.registry.listVersionsByFunction({ FunctionName: name, ...(m === undefined ? {} : { Marker: m }) });
    return { items: p.Versions, next: p.NextMarker };
  });
  const aliases = await allPages(async (m) => {
    const p = await deps.registry.listAliases({ FunctionName: name, ...(m === undefined ? {} : { Marker: m }) });
    return { items: p.Aliases, next: p.NextMarker };
  });
  return { configuration, versions, aliases, invocations: deps.journal.recent(name), testEvents: readTestEvents(deps.home)[name] ?? {} };
}

export interface TestInvokeResult {
  statusCode: number;
  functionError?: string;
  executedVersion?: string;
  requestId: string;
  payload: string;
  logTail: string;
  durationMs?: number;
  billedDurationMs?: number;
  maxMemoryUsedMb?: number;
  memorySizeMb?: number;
}

/** The Test tab's Invoke: synchronous, with the log's tail, as the console does it. */
export async function testInvoke(deps: FunctionsDeps, name: string, qualifier: string | undefined, payload: string): Promise<TestInvokeResult> {
  try {
    JSON.parse(payload);
  } catch (e) {
    throw new PipeError('INVALID_ARGUMENT', `the test event is not JSON: ${(e as Error).message}`);
  }
  const r = await deps.registry.invoke({ FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}), LogType: 'Tail', Payload: Buffer.from(payload) });
  const logTail = r.LogResult ? Buffer.from(r.LogResult, 'base64').toString('utf8') : '';
  const report = parseReport(logTail);
  return {
    statusCode: r.StatusCode,
    ...(r.FunctionError ? { functionError: r.FunctionError } : {}),
    ...(r.ExecutedVersion ? { executedVersion: r.ExecutedVersion } : {}),
    requestId: r.RequestId,
    payload: r.Payload?.toString('utf8') ?? '',
    logTail,
    ...(report ? { durationMs: report.durationMs, billedDurationMs: report.billedDurationMs, maxMemoryUsedMb: report.maxMemoryUsedMb, memorySizeMb: report.memorySizeMb } : {}),
  };
}

const TEST_EVENTS_FILE = 'test-events.json';

function readTestEvents(home: string): Record<string, Record<string, string>> {
  const file = join(home, TEST_EVENTS_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  } catch {
    return {};
  }
}

/** Saves (or with `event` undefined, deletes) a named test event of a function, as the console's saved events. */
export function saveTestEvent(home: string, fn: string, eventName: string, event: string | undefined): Record<string, string> {
  if (!/^[A-Za-z0-9._-]{1,25}$/.test(eventName)) throw new PipeError('INVALID_ARGUMENT', 'a test event name is 1 to 25 letters, digits, dots, dashes or underscores');
  if (event !== undefined) {
    try {
      JSON.parse(event);
    } catch (e) {
      throw new PipeError('INVALID_ARGUMENT', `the test event is not JSON: ${(e as Error).message}`);
    }
  }
  const all = readTestEvents(home);
  const mine = { ...(all[fn] ?? {}) };
  if (event === undefined) delete mine[eventName];
  else mine[eventName] = event;
  all[fn] = mine;
  writeFileSync(join(home, TEST_EVENTS_FILE), JSON.stringify(all, null, 2), { mode: PRIVATE_FILE_MODE });
  return mine;
}
