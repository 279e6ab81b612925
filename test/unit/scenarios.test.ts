// Scenario tests: every test/scenarios/NN-name.yml runs through the real engine (src/execute) on a SQLite file in a
// temp dir, several executions of its pipeline at once, with a fake executor (test/support/ordered-executor.ts) that
// blocks each action until the script completes it and fails the scenario when it is called out of order.
//
// A scenario file:
//
//   title: what rule it shows
//   pipeline: |              the pipeline file (docs/pipeline-format.md); `pipelines: { NAME: text }` adds others
//   instant: { Source.Checkout: { CommitId: c1 } }   calls of these actions succeed at once with these variables
//   parkOnApproval: true     the engine gives an execution back while only approvals wait (as `pipe worker` does)
//   steps:                   run in order; each waits (5 s at most) for what it needs
//     - start: X [with Env=prod ...]     a new execution labelled X, driven in the background
//     - running: X Build.Compile         until the fake holds X's call of Build.Compile
//     - waiting: X Deploy [REASON]       until X waits in front of stage Deploy and has said so (for that reason)
//     - status: X Stopping               until X's status is Stopping
//     - approval: X Deploy.Approve       until X's approval Deploy.Approve waits for an answer
//     - succeed: X Build.Compile [K=V ...]   end that call Succeeded, exporting those variables
//     - fail: X Build.Compile MESSAGE    end that call Failed
//     - approve: X Deploy.Approve [SUMMARY]  /  reject: X Deploy.Approve [SUMMARY]   (answerApproval)
//     - expire: X Deploy.Approve         the approval's timeout runs out
//     - stop: X [REASON]  /  abandon: X [REASON]      (requestStop: stop and wait, stop and abandon)
//     - retry: X Build [all-actions]     (prepareRetry with the current file's structure, then drive X again)
//     - rollback: R Deploy [to X]        (prepareRollback: a new execution R of type ROLLBACK)
//     - disable: Deploy REASON  /  enable: Deploy     the stage's inbound transition (setTransition)
//     - edit: NAME                       the pipeline file now reads as pipelines.NAME
//     - done: X [STATUS]                 until X's drive returns (with that status; InProgress when it parked)
//     A control step may say `refused: MESSAGE`: it must throw a PipeError with exactly that message. Like every
//     `pipe` command, a control step also starts a worker (after its own work) for each parked execution that needs
//     one: its approval expired, or a stop was asked.
//     An automated rollback (onFailure ROLLBACK) of X runs as execution `X-rollback`.
//   expect:                  checked once every drive has ended; execution ids read as their labels
//     calls: [X Source.Checkout, X Build.Compile, ...]   every executor call, in order (the fake checks as they come)
//     maxInFlight: 2         never more than 2 calls of one execution at once (checked live), and 2 reached
//     executions: { X: Succeeded, R: { status, type, trigger, target, message, autoRollback } }   every execution
//     stages: { X: { Build: [Failed, Succeeded ManualStageRetry] } }   every stage attempt, in order
//     actions: { X: { Build.Compile: [Failed, Succeeded] } }           every action execution, by attempt
//       (an entry is `Status`, with `#N` when it is not the N-th attempt, and the stage's retryTrigger if any;
//       the stages and actions listed for an execution are all it has)
//     approvals: { X: { Deploy.Approve: { status, summary, customData, externalEntityLink } } }   (a list: one per attempt)
//     received: { X Build.Compile#2: { inputs: { Src: X Source.Checkout#1 }, configuration: {...} } }
//       what a call was given: each input artifact holds the name of the call that wrote it
//     events: { X: [execution InProgress, stage Source InProgress, ...] }   X's status events, exactly
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { PipeError } from '../../src/core/index.js';
import { ScenarioHarness } from '../support/scenario-harness.js';

const SCENARIOS = join(import.meta.dirname, '..', 'scenarios');

interface Scenario {
  title: string;
  pipeline: string;
  pipelines?: Record<string, string>;
  instant?: Record<string, Record<string, string>>;
  parkOnApproval?: boolean;
  steps: Record<string, string>[];
  expect: Expectations;
}

type Attempts = string | string[];

interface Expectations {
  calls: string[];
  maxInFlight?: number;
  executions: Record<string, string | Record<string, string>>;
  stages?: Record<string, Record<string, Attempts>>;
  actions?: Record<string, Record<string, Attempts>>;
  approvals?: Record<string, Record<string, Record<string, string> | Record<string, string>[]>>;
  received?: Record<string, { inputs?: Record<string, string>; configuration?: Record<string, unknown> }>;
  events?: Record<string, string[]>;
}

const VERBS = ['start', 'running', 'waiting', 'status', 'approval', 'succeed', 'fail', 'approve', 'reject', 'expire', 'stop', 'abandon', 'retry', 'rollback', 'disable', 'enable', 'edit', 'done'] as const;
type Verb = (typeof VERBS)[number];
const CONTROL_VERBS: readonly Verb[] = ['approve', 'reject', 'stop', 'abandon', 'retry', 'rollback', 'disable', 'enable'];

function loadScenario(file: string): Scenario {
  let s: Scenario;
  try {
    s = load(readFileSync(file, 'utf8')) as Scenario;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (!s || typeof s.pipeline !== 'string' || !Array.isArray(s.steps) || !s.expect?.calls || !s.expect.executions) {
    throw new Error(`${file}: a scenario needs pipeline, steps, expect.calls and expect.executions`);
  }
  return s;
}

const files = readdirSync(SCENARIOS).filter((f) => /^\d\d-[a-z0-9-]+\.yml$/.test(f)).sort();

let harness: ScenarioHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('scenarios through the real engine', () => {
  it('finds the numbered scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  for (const file of files) {
    const scenario = loadScenario(join(SCENARIOS, file));
    it(`${basename(file, '.yml')}: ${scenario.title}`, async () => {
      const h = new ScenarioHarness({
        pipelines: { main: scenario.pipeline, ...scenario.pipelines },
        expectedCalls: scenario.expect.calls,
        ...(scenario.expect.maxInFlight !== undefined ? { maxInFlight: scenario.expect.maxInFlight } : {}),
        ...(scenario.instant ? { instant: scenario.instant } : {}),
        ...(scenario.parkOnApproval ? { parkOnApproval: true } : {}),
      });
      harness = h;
      for (const [i, step] of scenario.steps.entries()) {
        try {
          await runStep(h, step);
        } catch (e) {
          throw new Error(`${file} step ${i + 1} (${JSON.stringify(step)}): ${h.normalise((e as Error).message)}`, { cause: e });
        }
      }
      await h.until('every execution has ended', () => [...h.drives.values()].every((d) => d.settled));
      h.checkHealthy();
      checkExpectations(h, scenario.expect);
    });
  }
});

async function runStep(h: ScenarioHarness, step: Record<string, string>): Promise<void> {
  const verbs = Object.keys(step).filter((k) => k !== 'refused');
  const verb = verbs[0] as Verb | undefined;
  if (verbs.length !== 1 || !verb || !VERBS.includes(verb)) throw new Error(`a step is one of ${VERBS.join(', ')} (and maybe refused:)`);
  const arg = String(step[verb] ?? '');
  const [label = '', second = '', ...more] = arg.split(' ');
  const tail = more.join(' ');
  const refused = step['refused'];
  if (refused !== undefined && !CONTROL_VERBS.includes(verb)) throw new Error(`only ${CONTROL_VERBS.join(', ')} can be refused`);
  const control = (fn: () => void) => {
    if (refused === undefined) return fn();
    try {
      fn();
    } catch (e) {
      if (!(e instanceof PipeError)) throw e;
      expect(h.normalise(e.message)).toBe(refused);
      return;
    }
    throw new Error(`expected it to be refused: ${refused}`);
  };
  const call = async (key: string) => {
    await h.until(`the fake holds ${key}`, () => h.executor.running(key) !== undefined);
    return h.executor.running(key)!;
  };
  switch (verb) {
    case 'start': {
      const variables = second === 'with' ? Object.fromEntries(arg.split(' ').slice(2).map((kv) => kv.split('=') as [string, string])) : {};
      return h.start(label, variables);
    }
    case 'running':
      await call(`${label} ${second}`);
      return;
    case 'waiting': {
      // The engine has said so (its last word on it), for that reason if one is given.
      const said = (line: string | undefined) => line === `execution InProgress: waiting in front of stage ${second}${tail ? `: ${tail}` : ''}` || (!tail && line?.startsWith(`execution InProgress: waiting in front of stage ${second}: `));
      return h.until(`${label} waits in front of ${second}${tail ? ` (${tail})` : ''}`, () =>
        h.store.getExecution(h.idOf(label))?.waitingFor?.stage === second && said(h.statusEvents(label).filter((l) => l.startsWith('execution ')).at(-1)) === true,
      );
    }
    case 'status':
      return h.until(`${label} is ${second}`, () => h.store.getExecution(h.idOf(label))?.status === second);
    case 'approval':
      return waitForApproval(h, label, second);
    case 'succeed': {
      const variables = Object.fromEntries(more.map((kv) => kv.split('=') as [string, string]));
      (await call(`${label} ${second}`)).finish({ status: 'Succeeded', variables });
      return;
    }
    case 'fail':
      (await call(`${label} ${second}`)).finish({ status: 'Failed', message: tail || 'failed' });
      return;
    case 'approve':
    case 'reject':
      if (refused === undefined) await waitForApproval(h, label, second);
      return control(() => h.control(verb, label, [second, tail].filter(Boolean).join(' ')));
    case 'expire':
      await waitForApproval(h, label, second);
      return h.expire(label, second);
    case 'stop':
    case 'abandon':
      return control(() => h.control(verb, label, [second, tail].filter(Boolean).join(' ')));
    case 'retry':
      return control(() => h.retry(label, second, more.includes('all-actions')));
    case 'rollback':
      return control(() => h.rollback(label, second, more[0] === 'to' ? more[1] : undefined));
    case 'disable':
      return control(() => h.transition(label, false, [second, tail].filter(Boolean).join(' ')));
    case 'enable':
      return control(() => h.transition(label, true, ''));
    case 'edit':
      h.plan = h.planNamed(label);
      return;
    case 'done': {
      await h.until(`${label} has ended`, () => h.drives.get(label)?.settled === true);
      if (second) expect(h.drives.get(label)?.result?.status, `${label}'s drive result`).toBe(second);
      return;
    }
  }
}

function waitForApproval(h: ScenarioHarness, label: string, stageAction: string): Promise<void> {
  return h.until(`${label} ${stageAction} waits for approval`, () =>
    (h.store.getExecution(h.idOf(label))?.approvals ?? []).some((a) => `${a.stage}.${a.action}` === stageAction && a.status === 'Waiting'),
  );
}

/** `Status`, `Status #N` when it is not the N-th entry, and a stage attempt's retry trigger. */
function attemptLine(status: string, attempt: number, position: number, retryTrigger?: string | null): string {
  return `${status}${attempt === position ? '' : ` #${attempt}`}${retryTrigger ? ` ${retryTrigger}` : ''}`;
}

const asList = (a: Attempts): string[] => (typeof a === 'string' ? [a] : a);

function checkExpectations(h: ScenarioHarness, want: Expectations): void {
  expect(h.executor.calls.map((c) => c.key), 'executor calls').toEqual(want.calls);
  if (want.maxInFlight !== undefined) expect(h.executor.peakInFlight, 'most calls of one execution at once').toBe(want.maxInFlight);

  const executions: Record<string, string | Record<string, string>> = {};
  for (const label of h.executionLabels) {
    const e = h.store.getExecution(h.idOf(label));
    const wanted = want.executions[label];
    if (!e) throw new Error(`execution ${label} is not in the store`);
    if (typeof wanted !== 'object') {
      executions[label] = e.status;
      continue;
    }
    const fields: Record<string, string | undefined> = {
      status: e.status,
      type: e.executionType,
      trigger: e.trigger.triggerType,
      target: e.rollbackTarget ? h.labelOf(e.rollbackTarget) : undefined,
      message: e.statusMessage === undefined ? undefined : h.normalise(e.statusMessage),
      autoRollback: h.drives.get(label)?.rollbackRefused,
    };
    executions[label] = Object.fromEntries(Object.keys(wanted).map((k) => [k, fields[k] ?? '<none>']));
  }
  expect(executions, 'executions').toEqual(want.executions);

  for (const [label, stages] of Object.entries(want.stages ?? {})) {
    const got: Record<string, string[]> = {};
    for (const s of h.stageAttempts(label)) {
      const list = (got[s.stage] ??= []);
      list.push(attemptLine(s.status, s.attempt, list.length + 1, s.retryTrigger));
    }
    expect(got, `stages of ${label}`).toEqual(Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, asList(v)])));
  }

  for (const [label, actions] of Object.entries(want.actions ?? {})) {
    const got: Record<string, string[]> = {};
    for (const a of h.store.getExecution(h.idOf(label))?.actionAttempts ?? []) {
      const list = (got[`${a.stage}.${a.action}`] ??= []);
      list.push(attemptLine(a.status, a.attempt, list.length + 1));
    }
    expect(got, `actions of ${label}`).toEqual(Object.fromEntries(Object.entries(actions).map(([k, v]) => [k, asList(v)])));
  }

  for (const [label, approvals] of Object.entries(want.approvals ?? {})) {
    const got: Record<string, Record<string, string>[]> = {};
    for (const a of h.store.getExecution(h.idOf(label))?.approvals ?? []) {
      (got[`${a.stage}.${a.action}`] ??= []).push({
        status: a.status,
        ...(a.summary !== undefined ? { summary: h.normalise(a.summary) } : {}),
        ...(a.customData !== undefined ? { customData: h.normalise(a.customData) } : {}),
        ...(a.externalEntityLink !== undefined ? { externalEntityLink: h.normalise(a.externalEntityLink) } : {}),
      });
    }
    const wanted = Object.fromEntries(Object.entries(approvals).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
    expect(got, `approvals of ${label}`).toEqual(wanted);
  }

  for (const [name, wanted] of Object.entries(want.received ?? {})) {
    const [key, nth = '1'] = name.split('#');
    const c = h.executor.calls.filter((x) => x.key === key)[Number(nth) - 1];
    if (!c) throw new Error(`no call ${name} was made`);
    if (wanted.inputs) {
      const inputs = Object.fromEntries(c.ctx.inputs.map((i) => [i.name, readFileSync(i.path, 'utf8')]));
      expect(inputs, `input artifacts of ${name}`).toEqual(wanted.inputs);
    }
    if (wanted.configuration) expect(c.ctx.configuration, `configuration of ${name}`).toMatchObject(wanted.configuration);
  }

  for (const [label, events] of Object.entries(want.events ?? {})) {
    expect(h.statusEvents(label), `status events of ${label}`).toEqual(events);
  }
}
