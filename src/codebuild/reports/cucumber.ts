// CUCUMBERJSON: Cucumber's JSON formatter: features with `elements` (scenarios and backgrounds) whose steps carry
// `result.status` and `result.duration` (nanoseconds). A scenario fails when a step (or its background) fails.
import type { ParsedTestFile, TestCaseResult, TestCaseStatus } from './report-model.js';
import { failureDetails, failureMessage } from './failure-text.js';

interface StepResult {
  status?: unknown;
  duration?: unknown;
  error_message?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stepsOf(element: Record<string, unknown>): Array<{ name: string; result: StepResult }> {
  const all = [...(Array.isArray(element['before']) ? element['before'] : []), ...(Array.isArray(element['steps']) ? element['steps'] : []), ...(Array.isArray(element['after']) ? element['after'] : [])];
  return all.filter(isRecord).map((s) => ({
    name: `${typeof s['keyword'] === 'string' ? s['keyword'] : ''}${typeof s['name'] === 'string' ? s['name'] : ''}`.trim(),
    result: isRecord(s['result']) ? s['result'] : {},
  }));
}

function scenarioCase(feature: string, element: Record<string, unknown>, background: Array<{ name: string; result: StepResult }>): TestCaseResult {
  const steps = [...background, ...stepsOf(element)];
  let durationNs = 0;
  let status: TestCaseStatus = 'SUCCEEDED';
  let failed: { name: string; result: StepResult } | undefined;
  for (const step of steps) {
    if (typeof step.result.duration === 'number') durationNs += step.result.duration;
    const s = step.result.status;
    if (s === 'failed' && !failed) failed = step;
    else if (s !== 'passed' && status === 'SUCCEEDED') status = 'SKIPPED'; // skipped, pending, undefined, ambiguous
  }
  const name = typeof element['name'] === 'string' && element['name'] !== '' ? element['name'] : '(unnamed scenario)';
  const base = { name, className: feature, durationMs: Math.round(durationNs / 1000) / 1000 };
  if (!failed) return { ...base, status };
  const text = typeof failed.result.error_message === 'string' ? failed.result.error_message : '';
  const details = failureDetails(text);
  return { ...base, status: 'FAILED', message: `${failed.name}: ${failureMessage(undefined, text) || 'failed'}`, ...(details ? { details } : {}) };
}

export function parseCucumberJson(text: string): ParsedTestFile {
  const doc: unknown = JSON.parse(text);
  if (!Array.isArray(doc)) throw new Error('not Cucumber JSON: expected an array of features');
  const cases: TestCaseResult[] = [];
  for (const feature of doc) {
    if (!isRecord(feature)) continue;
    const featureName = typeof feature['name'] === 'string' ? feature['name'] : typeof feature['uri'] === 'string' ? feature['uri'] : '(feature)';
    let background: Array<{ name: string; result: StepResult }> = [];
    for (const element of Array.isArray(feature['elements']) ? feature['elements'] : []) {
      if (!isRecord(element)) continue;
      // A background is written once before each scenario it applies to.
      if (element['type'] === 'background' || element['keyword'] === 'Background') {
        background = stepsOf(element);
        continue;
      }
      cases.push(scenarioCase(featureName, element, background));
      background = [];
    }
  }
  return { cases };
}
