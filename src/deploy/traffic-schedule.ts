// A deployment type as the weight schedule CodeDeploy follows: the target version's share of the alias's traffic
// at each step and when (in AWS minutes from the start of AllowTraffic). Canary: P % at once, all after M minutes.
// Linear: P % more every M minutes; the step that would reach 100 % moves the alias itself (no weights).
import { PipeError } from '../core/index.js';

export interface TrafficStep {
  /** Minutes after AllowTraffic starts (AWS time, before the time scale). */
  atMinutes: number;
  /** The target version's share, 0 < weight <= 1; 1 means the alias points at it with no weights. */
  weight: number;
}

export interface TrafficSchedule {
  /** The canonical name: AllAtOnce, Canary10Percent5Minutes, Linear10PercentEvery1Minute, ... */
  name: string;
  kind: 'AllAtOnce' | 'TimeBasedCanary' | 'TimeBasedLinear';
  steps: TrafficStep[];
}

/** CodePipeline's limit on a Lambda deploy's total wait: 2 days. */
const MAX_TOTAL_MINUTES = 2 * 24 * 60;

/**
 * Reads `AllAtOnce`, `Canary<P>Percent<M>Minutes`, `Linear<P>PercentEvery<M>Minute(s)`, also with CodeDeploy's
 * `CodeDeployDefault.Lambda` prefix. P is 1-99 (Linear: 100 / P whole steps need not divide evenly: the last step
 * goes to 100 %), M at least 1.
 */
export function parseDeploymentType(raw: string): TrafficSchedule {
  const name = raw.trim().replace(/^CodeDeployDefault\.Lambda/, '');
  if (name === 'AllAtOnce') return { name, kind: 'AllAtOnce', steps: [{ atMinutes: 0, weight: 1 }] };
  const canary = /^Canary(\d{1,2})Percent(\d+)Minutes?$/.exec(name);
  const linear = /^Linear(\d{1,2})PercentEvery(\d+)Minutes?$/.exec(name);
  const m = canary ?? linear;
  const percent = Number(m?.[1]);
  const minutes = Number(m?.[2]);
  if (!m || percent < 1 || percent > 99 || minutes < 1) {
    throw new PipeError('INVALID_SPEC', `${raw} is not a deployment type`, {
      hint: 'use AllAtOnce, Canary<P>Percent<M>Minutes (like Canary10Percent5Minutes) or Linear<P>PercentEvery<M>Minute(s) (like Linear10PercentEvery1Minute), P from 1 to 99, M at least 1',
    });
  }
  let steps: TrafficStep[];
  if (canary) {
    steps = [{ atMinutes: 0, weight: percent / 100 }, { atMinutes: minutes, weight: 1 }];
  } else {
    steps = [];
    for (let k = 0; (k + 1) * percent < 100; k++) steps.push({ atMinutes: k * minutes, weight: ((k + 1) * percent) / 100 });
    steps.push({ atMinutes: steps.length * minutes, weight: 1 });
  }
  const total = steps.at(-1)?.atMinutes ?? 0;
  if (total > MAX_TOTAL_MINUTES) {
    throw new PipeError('INVALID_SPEC', `${raw} would take ${total} minutes; a deployment may wait at most ${MAX_TOTAL_MINUTES} minutes (2 days)`);
  }
  return { name, kind: canary ? 'TimeBasedCanary' : 'TimeBasedLinear', steps };
}
