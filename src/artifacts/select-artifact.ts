// Artifact upload: select files from a container's tar (one pass serves several artifacts) into zips.
import type { Readable } from 'node:stream';
import { planSelection, type ArtifactSelection } from './select-files.js';
import type { SourceTree } from './source-tree.js';
import { readTarSnapshot } from './tar-snapshot.js';
import { writeZip } from './zip-writer.js';

/** A zip written to the store. `files` are its entry names, in the zip's order. */
export interface StoredArtifact {
  path: string;
  sha256: string;
  size: number;
  files: string[];
  warnings: string[];
}

export interface ArtifactRequest {
  selection: ArtifactSelection;
  zipPath: string;
}

/** Selects from an already-read tree and writes the zip atomically; fails with no zip left on no match. */
export async function writeArtifact(
  tree: SourceTree,
  selection: ArtifactSelection,
  zipPath: string,
  warn?: (message: string) => void,
): Promise<StoredArtifact> {
  const plan = planSelection(tree, selection, warn);
  const digest = await writeZip(zipPath, plan.entries);
  return { ...digest, files: plan.entries.map((e) => e.name), warnings: plan.warnings };
}

/**
 * Reads the tar once and writes every requested artifact from it (a primary and its secondary
 * artifacts), in order; the first failure stops the rest. `warn` hears every warning as it arises; each
 * result also lists its own (those about the tar itself included).
 */
export async function selectArtifactsFromTar(
  tar: Readable,
  root: string,
  requests: readonly ArtifactRequest[],
  warn?: (message: string) => void,
): Promise<StoredArtifact[]> {
  const snapshot = await readTarSnapshot(tar, root);
  for (const w of snapshot.warnings) warn?.(w);
  try {
    const stored: StoredArtifact[] = [];
    for (const request of requests) {
      const artifact = await writeArtifact(snapshot, request.selection, request.zipPath, warn);
      stored.push({ ...artifact, warnings: [...snapshot.warnings, ...artifact.warnings] });
    }
    return stored;
  } finally {
    await snapshot.dispose();
  }
}

/** One artifact from a tar of `root` (Docker's getArchive of the source directory). */
export async function selectFromTar(
  tar: Readable,
  root: string,
  selection: ArtifactSelection,
  zipPath: string,
  warn?: (message: string) => void,
): Promise<StoredArtifact> {
  const [stored] = await selectArtifactsFromTar(tar, root, [{ selection, zipPath }], warn);
  return stored as StoredArtifact;
}
