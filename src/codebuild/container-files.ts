// Files selected from a build container with CodeBuild's glob rules (the artifact store's planSelection), for the
// cache and for reports. Each pattern is read from the narrowest directory that holds it, so `/root/.m2/**/*`
// copies /root/.m2 out of the container, not the whole filesystem.
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { NO_MATCH_MESSAGE, planSelection, readTarSnapshot } from '../artifacts/index.js';
import type { TarSnapshot, ZipEntry } from '../artifacts/index.js';
import { PipeError } from '../core/index.js';
import type { BuildContainer } from './container-port.js';

export interface SelectedFile {
  /** The container directory the file was read from. */
  root: string;
  /** Relative to the selection's base directory (or to `root` without one). */
  name: string;
  entry: ZipEntry;
}

export interface ContainerSelection {
  files: SelectedFile[];
  /** Patterns that selected nothing, as the buildspec gave them. */
  unmatched: string[];
  /** Links that could not be followed, duplicate names, entries that are not files. */
  warnings: string[];
  /** Removes the host copies of the files' bytes; call it once done with `files`. */
  dispose(): Promise<void>;
}

export interface SelectOptions {
  srcDir: string;
  /** Already expanded; relative to srcDir, or absolute. May be a glob inside srcDir. */
  baseDirectory?: string;
  /** Keep links that stay inside the selection as links (the cache), else store their targets' content. */
  enableSymlinks: boolean;
}

interface Group {
  root: string;
  baseDirectory?: string;
  patterns: Array<{ given: string; pattern: string }>;
}

function isInside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** Which directory to copy out for each pattern; patterns sharing one are read together. */
function groupPatterns(patterns: readonly string[], options: SelectOptions): Group[] {
  const base = options.baseDirectory;
  if (base !== undefined && base !== '') {
    const outside = base.startsWith('/') && !isInside(options.srcDir, posix.normalize(base)) && !picomatch.scan(base).isGlob;
    const given = patterns.map((p) => ({ given: p, pattern: p }));
    return [outside ? { root: posix.normalize(base), patterns: given } : { root: options.srcDir, baseDirectory: base, patterns: given }];
  }
  const groups = new Map<string, Group>();
  for (const given of patterns) {
    const absolute = given.startsWith('/') ? posix.normalize(given) : posix.join(options.srcDir, given);
    const scan = picomatch.scan(absolute);
    const root = scan.isGlob ? scan.base || '/' : posix.dirname(absolute);
    const group = groups.get(root) ?? { root, patterns: [] };
    group.patterns.push({ given, pattern: absolute });
    groups.set(root, group);
  }
  return [...groups.values()];
}

async function readRoot(container: BuildContainer, root: string): Promise<TarSnapshot | undefined> {
  let tar;
  try {
    tar = await container.getArchive(root);
  } catch {
    // Docker answers 404 for a path that does not exist: the patterns under it match nothing.
    return undefined;
  }
  return readTarSnapshot(tar, root);
}

/** Selects the files each pattern names; a pattern matching nothing is listed, never an error. */
export async function selectContainerFiles(container: BuildContainer, patterns: readonly string[], options: SelectOptions): Promise<ContainerSelection> {
  const snapshots: TarSnapshot[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(snapshots.map((s) => s.dispose()));
  };
  const chosen = new Map<string, SelectedFile>();
  const unmatched: string[] = [];
  const warnings = new Set<string>();
  try {
    for (const group of groupPatterns(patterns, options)) {
      const snapshot = await readRoot(container, group.root);
      if (!snapshot) {
        unmatched.push(...group.patterns.map((p) => p.given));
        continue;
      }
      snapshots.push(snapshot);
      for (const w of snapshot.warnings) warnings.add(w);
      for (const { given, pattern } of group.patterns) {
        try {
          const plan = planSelection(snapshot, {
            files: [pattern],
            ...(group.baseDirectory !== undefined ? { baseDirectory: group.baseDirectory } : {}),
            discardPaths: false,
            excludePaths: [],
            enableSymlinks: options.enableSymlinks,
          });
          for (const w of plan.warnings) if (!w.startsWith('Skipping invalid file path')) warnings.add(w);
          for (const entry of plan.entries) chosen.set(`${group.root}\0${entry.name}`, { root: group.root, name: entry.name, entry });
        } catch (e) {
          if (!(e instanceof PipeError && e.message === NO_MATCH_MESSAGE)) throw e;
          unmatched.push(given);
        }
      }
    }
  } catch (e) {
    await dispose();
    throw e;
  }
  const files = [...chosen.values()].sort((a, b) => {
    const x = posix.join(a.root, a.name);
    const y = posix.join(b.root, b.name);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { files, unmatched, warnings: [...warnings], dispose };
}
