// Blob garbage collection: a code or layer zip is removed once no function version and no layer version refers
// to it. A function version keeps its layers' blobs too: Lambda lets a function go on running a deleted layer version.
import type { FunctionVersionRecord } from '../model.js';
import type { RegistryContext } from './context.js';

/** The blobs a version uses: its code and its layers' content. */
export function blobsOf(r: Pick<FunctionVersionRecord, 'codeSha256' | 'layers'>): string[] {
  return [r.codeSha256, ...r.layers.map((l) => l.codeSha256)];
}

/** Removes each of these blobs that nothing refers to any more; called after the write that dropped a reference. */
export function collectBlobs(ctx: RegistryContext, candidates: Iterable<string>): void {
  for (const sha of new Set(candidates)) {
    if (ctx.functions.refersToBlob(sha) || ctx.layers.refersToBlob(sha)) continue;
    ctx.blobs.remove(sha);
  }
}
