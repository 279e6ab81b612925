// Coverage formats into line and branch counts: COBERTURAXML (coverage.py, Istanbul, cobertura-maven),
// CLOVERXML (Istanbul, OpenClover), JACOCOXML (JaCoCo) and SIMPLECOV (SimpleCov's .resultset.json and
// coverage.json, and simplecov-json's metrics).
import type { CoverageCounts } from './report-model.js';
import { childrenNamed, descendantsNamed, firstChild, numberAttr } from './xml.js';
import type { XmlElement } from './xml.js';

const EMPTY: CoverageCounts = { linesCovered: 0, linesMissed: 0, branchesCovered: 0, branchesMissed: 0 };

/** Cobertura: the root's totals when written (lines-covered/lines-valid), else counted from each class's lines. */
export function parseCoberturaXml(root: XmlElement): CoverageCounts {
  if (root.name !== 'coverage') throw new Error(`not Cobertura XML: the root element is <${root.name}>, expected <coverage>`);
  const lc = numberAttr(root, 'lines-covered');
  const lv = numberAttr(root, 'lines-valid');
  const bc = numberAttr(root, 'branches-covered');
  const bv = numberAttr(root, 'branches-valid');
  if (lc !== undefined && lv !== undefined) {
    return { linesCovered: lc, linesMissed: lv - lc, branchesCovered: bc ?? 0, branchesMissed: (bv ?? 0) - (bc ?? 0) };
  }
  // Older writers: count <class><lines><line hits=.. condition-coverage="50% (1/2)"> (method lines repeat them).
  const counts = { ...EMPTY };
  for (const cls of descendantsNamed(root, 'class')) {
    for (const lines of childrenNamed(cls, 'lines')) {
      for (const line of childrenNamed(lines, 'line')) {
        if ((numberAttr(line, 'hits') ?? 0) > 0) counts.linesCovered++;
        else counts.linesMissed++;
        const cond = /\((\d+)\/(\d+)\)/.exec(line.attrs['condition-coverage'] ?? '');
        if (line.attrs['branch'] === 'true' && cond) {
          counts.branchesCovered += Number(cond[1]);
          counts.branchesMissed += Number(cond[2]) - Number(cond[1]);
        }
      }
    }
  }
  return counts;
}

/** Clover: the project's <metrics>: statements (lines) and conditionals (branches). */
export function parseCloverXml(root: XmlElement): CoverageCounts {
  if (root.name !== 'coverage') throw new Error(`not Clover XML: the root element is <${root.name}>, expected <coverage>`);
  const project = firstChild(root, 'project');
  const metrics = project ? firstChild(project, 'metrics') : undefined;
  if (!metrics) throw new Error('not Clover XML: no <project><metrics> element');
  const statements = numberAttr(metrics, 'statements') ?? 0;
  const covered = numberAttr(metrics, 'coveredstatements') ?? 0;
  const conditionals = numberAttr(metrics, 'conditionals') ?? 0;
  const coveredConditionals = numberAttr(metrics, 'coveredconditionals') ?? 0;
  return {
    linesCovered: covered,
    linesMissed: statements - covered,
    branchesCovered: coveredConditionals,
    branchesMissed: conditionals - coveredConditionals,
  };
}

/** JaCoCo: the report's own LINE and BRANCH counters (direct children of <report>). */
export function parseJacocoXml(root: XmlElement): CoverageCounts {
  if (root.name !== 'report') throw new Error(`not JaCoCo XML: the root element is <${root.name}>, expected <report>`);
  const counts = { ...EMPTY };
  for (const counter of childrenNamed(root, 'counter')) {
    const covered = numberAttr(counter, 'covered') ?? 0;
    const missed = numberAttr(counter, 'missed') ?? 0;
    if (counter.attrs['type'] === 'LINE') Object.assign(counts, { linesCovered: covered, linesMissed: missed });
    if (counter.attrs['type'] === 'BRANCH') Object.assign(counts, { branchesCovered: covered, branchesMissed: missed });
  }
  return counts;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaves of SimpleCov's branch data: `{"[:if, ...]": {"[:then, ...]": 1}}` or `[{"coverage": 1}, ...]`. */
function addBranches(branches: unknown, counts: CoverageCounts): void {
  const add = (hits: unknown): void => {
    if (typeof hits !== 'number') return;
    if (hits > 0) counts.branchesCovered++;
    else counts.branchesMissed++;
  };
  if (Array.isArray(branches)) for (const b of branches) add(isRecord(b) ? b['coverage'] : undefined);
  else if (isRecord(branches)) for (const cond of Object.values(branches)) if (isRecord(cond)) for (const hits of Object.values(cond)) add(hits);
}

/** Lines of every file, merged across result sets the way SimpleCov merges them (a line hit in any set is hit). */
function mergeFiles(coverage: Record<string, unknown>, lines: Map<string, Array<number | null>>, branches: Map<string, unknown>): void {
  for (const [path, file] of Object.entries(coverage)) {
    const hits = Array.isArray(file) ? file : isRecord(file) && Array.isArray(file['lines']) ? file['lines'] : [];
    const merged = lines.get(path) ?? [];
    hits.forEach((h, i) => {
      // null: not a relevant line; "ignored" (nocov) neither.
      if (typeof h === 'number') merged[i] = Math.max(merged[i] ?? 0, h);
      else if (merged[i] === undefined) merged[i] = null;
    });
    lines.set(path, merged);
    if (isRecord(file) && file['branches'] !== undefined && !branches.has(path)) branches.set(path, file['branches']);
  }
}

export function parseSimplecovJson(text: string): CoverageCounts {
  const doc: unknown = JSON.parse(text);
  if (!isRecord(doc)) throw new Error('not SimpleCov JSON: expected an object');
  const metrics = doc['metrics'];
  if (isRecord(metrics) && typeof metrics['covered_lines'] === 'number' && typeof metrics['total_lines'] === 'number') {
    return { ...EMPTY, linesCovered: metrics['covered_lines'], linesMissed: metrics['total_lines'] - metrics['covered_lines'] };
  }
  const counts = { ...EMPTY };
  const lines = new Map<string, Array<number | null>>();
  const branches = new Map<string, unknown>();
  // coverage.json: {"coverage": {file: ...}}; .resultset.json: {"RSpec": {"coverage": {file: ...}}, ...}.
  const sets = isRecord(doc['coverage']) ? [doc] : Object.values(doc).filter(isRecord);
  let found = false;
  for (const set of sets) {
    if (!isRecord(set['coverage'])) continue;
    found = true;
    mergeFiles(set['coverage'], lines, branches);
  }
  if (!found) throw new Error('not SimpleCov JSON: no "coverage" or "metrics" found');
  for (const file of lines.values()) {
    for (const h of file) {
      if (typeof h !== 'number') continue;
      if (h > 0) counts.linesCovered++;
      else counts.linesMissed++;
    }
  }
  for (const b of branches.values()) addBranches(b, counts);
  return counts;
}
