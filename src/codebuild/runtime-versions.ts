// `phases.install.runtime-versions` as CodeBuild resolves it against the image's runtime catalog (the image's
// label pipe.image.runtimes, the counterpart of CodeBuild's runtimes.yml): `latest`, major-only and `.x` forms,
// variable references; a version the image lacks runs on the nearest one, with a parity line, never silently.
import { PipeError } from '../core/index.js';

export const RUNTIMES_LABEL = 'pipe.image.runtimes';

export interface RuntimeVersion {
  /** The installed version behind the catalog key, e.g. 20.20.2 for `20`. */
  version: string;
  /** Shell commands that switch the build to it, run at the start of INSTALL as root. */
  commands: string[];
}

export interface RuntimeEntry {
  default: string;
  versions: Record<string, RuntimeVersion>;
}

export interface RuntimeCatalog {
  /** The image it describes, for messages. */
  image: string;
  runtimes: Record<string, RuntimeEntry>;
}

export interface RuntimePlan {
  /** What to run before the install phase's own commands. */
  commands: string[];
  /** Parity lines: what runs instead of what was asked, and why. */
  notes: string[];
  /** Per runtime asked for: the catalog key chosen (none when the image lacks the runtime). */
  selected: Record<string, string | undefined>;
}

/** pipe/standard:1 carries no catalog: its Debian node and python are fixed, nothing switches them. */
const MINIMAL_IMAGE_RUNTIMES: Readonly<Record<string, RuntimeEntry>> = {
  nodejs: { default: '18', versions: { '18': { version: '18.20.4', commands: [] } } },
  python: { default: '3.11', versions: { '3.11': { version: '3.11.2', commands: [] } } },
};

/** The image's catalog from its labels; pipe/standard:1's fixed runtimes; undefined for an image without one. */
export function readRuntimeCatalog(image: string, labels: Readonly<Record<string, string>>): RuntimeCatalog | undefined {
  const encoded = labels[RUNTIMES_LABEL];
  if (encoded === undefined) return image === 'pipe/standard:1' ? { image, runtimes: { ...MINIMAL_IMAGE_RUNTIMES } } : undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch (e) {
    throw new PipeError('DOCKER_ERROR', `image ${image}: label ${RUNTIMES_LABEL} is not base64 JSON`, { cause: e });
  }
  return { image, runtimes: validateCatalog(image, value) };
}

function validateCatalog(image: string, value: unknown): Record<string, RuntimeEntry> {
  const bad = (what: string) => new PipeError('DOCKER_ERROR', `image ${image}: label ${RUNTIMES_LABEL}: ${what}`);
  if (!isRecord(value)) throw bad('expected an object of runtimes');
  const out: Record<string, RuntimeEntry> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (!isRecord(entry) || typeof entry['default'] !== 'string' || !isRecord(entry['versions'])) throw bad(`${name}: expected default and versions`);
    const versions: Record<string, RuntimeVersion> = {};
    for (const [key, v] of Object.entries(entry['versions'])) {
      if (!isRecord(v) || typeof v['version'] !== 'string' || !Array.isArray(v['commands']) || !v['commands'].every((c) => typeof c === 'string')) {
        throw bad(`${name}.${key}: expected version and commands`);
      }
      versions[key] = { version: v['version'], commands: v['commands'] as string[] };
    }
    if (versions[entry['default']] === undefined) throw bad(`${name}: default ${entry['default']} is not among its versions`);
    out[name] = { default: entry['default'], versions };
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves every runtime asked for; `env` expands `$VAR` and `${VAR}` in the values, as CodeBuild does. */
export function planRuntimeVersions(
  requested: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
  catalog: RuntimeCatalog | undefined,
  image: string,
): RuntimePlan {
  const plan: RuntimePlan = { commands: [], notes: [], selected: {} };
  for (const [runtime, raw] of Object.entries(requested)) {
    const value = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => env[a ?? b ?? ''] ?? '');
    const shown = value === raw ? raw : `${raw} (= ${value === '' ? 'nothing' : value})`;
    if (!catalog) {
      plan.notes.push(`runtime-versions: ${image} has no runtime catalog (runtime version selection is not supported by this build image); ${runtime} ${shown} is not applied`);
      plan.selected[runtime] = undefined;
      continue;
    }
    const entry = catalog.runtimes[runtime];
    if (!entry) {
      plan.notes.push(`runtime-versions: ${runtime} ${shown} is not in ${catalog.image} (it has ${Object.keys(catalog.runtimes).sort().join(', ')}); the build runs without it`);
      plan.selected[runtime] = undefined;
      continue;
    }
    const choice = chooseVersion(value, entry);
    const chosen = entry.versions[choice.key] as RuntimeVersion;
    const version = chosen.version === choice.key ? choice.key : `${choice.key} (${chosen.version})`;
    if (choice.why === 'nearest') {
      plan.notes.push(`runtime-versions: ${runtime} ${shown} is not in ${catalog.image} (it has ${sortVersions(Object.keys(entry.versions)).join(', ')}); the build runs on ${runtime} ${version}, the nearest`);
    } else if (choice.why === 'default') {
      plan.notes.push(`runtime-versions: ${runtime} ${shown} names no version; the build runs on the image's default ${runtime} ${version}`);
    }
    plan.selected[runtime] = choice.key;
    plan.commands.push(...chosen.commands);
  }
  return plan;
}

interface Choice {
  key: string;
  why: 'match' | 'nearest' | 'default';
}

function chooseVersion(value: string, entry: RuntimeEntry): Choice {
  const keys = sortVersions(Object.keys(entry.versions));
  if (value === 'latest') return { key: keys[keys.length - 1] as string, why: 'match' };
  if (entry.versions[value]) return { key: value, why: 'match' };
  // `18.x`, `3.x`, `3.*` and major-only `3`: the newest key under that prefix.
  const prefix = /^(.*?)(\.[x*])+$/.exec(value)?.[1] ?? value;
  const under = keys.filter((k) => k === prefix || k.startsWith(`${prefix}.`));
  if (under.length > 0) return { key: under[under.length - 1] as string, why: 'match' };
  // More precise than a key (`20.11` against `20`): that key, exactly only if the installed version agrees.
  const broader = keys.filter((k) => value.startsWith(`${k}.`)).pop();
  if (broader !== undefined) {
    const installed = (entry.versions[broader] as RuntimeVersion).version;
    return { key: broader, why: installed === value || installed.startsWith(`${value}.`) ? 'match' : 'nearest' };
  }
  const wanted = numbersOf(prefix);
  if (wanted.length === 0) return { key: entry.default, why: 'default' };
  let best = entry.default;
  let bestDistance: number[] | undefined;
  for (const k of keys) {
    const have = numbersOf(k);
    if (have.length === 0) continue;
    const distance = wanted.map((n, i) => Math.abs(n - (have[i] ?? 0)));
    // Keys ascend, so on a tie the later (newer) one wins.
    if (!bestDistance || compareNumbers(distance, bestDistance) <= 0) {
      best = k;
      bestDistance = distance;
    }
  }
  return { key: best, why: 'nearest' };
}

function numbersOf(text: string): number[] {
  return (text.match(/\d+/g) ?? []).map(Number);
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function sortVersions(keys: string[]): string[] {
  return [...keys].sort((a, b) => compareNumbers(numbersOf(a), numbersOf(b)) || a.localeCompare(b));
}
