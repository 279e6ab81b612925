// The rooms of src/ and who may import whom (ARCHITECTURE.md), checked over every import of every module: core
// imports nothing of the project; parse only core; plan only core and parse; the engine (execute) no action
// type's room, nor app or cli; nothing imports cli; only infra imports dockerode, execa and better-sqlite3; and
// one room reaches another only through its index.ts.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? modules(p) : name.endsWith('.ts') && !name.endsWith('.test.ts') ? [p] : [];
  });
}

interface Import {
  from: string;
  room: string;
  target: string;
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

function importsOf(file: string): Import[] {
  const room = relative(SRC, file).split('/')[0] ?? '';
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => ({ from: relative(SRC, file), room, target: m[1] ?? m[2] ?? '' }));
}

/** The room an import lands in (a relative one), else undefined. */
function targetRoom(i: Import): string | undefined {
  if (!i.target.startsWith('.')) return undefined;
  const abs = join(SRC, i.from, '..', i.target);
  const rel = relative(SRC, abs);
  return rel.startsWith('..') ? undefined : rel.split('/')[0];
}

const all = modules(SRC).flatMap(importsOf);
const crossRoom = all.filter((i) => targetRoom(i) !== undefined && targetRoom(i) !== i.room);

describe('who may import whom in src/', () => {
  it('reads every module', () => {
    expect(all.length).toBeGreaterThan(300);
  });

  it('core imports nothing of the project', () => {
    expect(crossRoom.filter((i) => i.room === 'core').map((i) => `${i.from} -> ${i.target}`)).toEqual([]);
  });

  it('parse imports only core; plan only core and parse', () => {
    const bad = crossRoom.filter((i) => (i.room === 'parse' && targetRoom(i) !== 'core') || (i.room === 'plan' && !['core', 'parse'].includes(targetRoom(i) ?? '')));
    expect(bad.map((i) => `${i.from} -> ${i.target}`)).toEqual([]);
  });

  it('the engine knows no action type and no composition: execute imports neither source, codebuild, registry, app nor cli', () => {
    const bad = crossRoom.filter((i) => i.room === 'execute' && ['source', 'codebuild', 'registry', 'app', 'cli'].includes(targetRoom(i) ?? ''));
    expect(bad.map((i) => `${i.from} -> ${i.target}`)).toEqual([]);
  });

  it('nothing imports cli', () => {
    expect(crossRoom.filter((i) => targetRoom(i) === 'cli').map((i) => `${i.from} -> ${i.target}`)).toEqual([]);
  });

  it('only infra imports dockerode, execa and better-sqlite3', () => {
    const adapters = ['dockerode', 'execa', 'better-sqlite3'];
    const bad = all.filter((i) => i.room !== 'infra' && adapters.some((a) => i.target === a || i.target.startsWith(`${a}/`)));
    expect(bad.map((i) => `${i.from} -> ${i.target}`)).toEqual([]);
  });

  it("one room reaches another only through that room's index.ts", () => {
    const bad = crossRoom.filter((i) => !/\/index\.js$/.test(i.target) || i.target.split('/').filter((s) => s !== '..').length !== 2);
    expect(bad.map((i) => `${i.from} -> ${i.target}`)).toEqual([]);
  });
});
