// The artifact store as the build runner's port (ArtifactIo in build/): unpack inputs, package outputs.
import type { Readable } from 'node:stream';
import type { ArtifactSelectionSpec } from '../core/index.js';
import { selectFromTar } from './select-artifact.js';
import { unzipToTar } from './unzip-to-tar.js';

/** What a packaged output artifact reports back to the build. */
export interface PackagedFiles {
  sha256: string;
  size: number;
  files: string[];
}

/** The operations the build runner needs from the store; matches build/'s ArtifactIo structurally. */
export interface ArtifactStoreIo {
  unzipToTar(zipPath: string): Promise<Readable>;
  packageFromTar(
    tar: Readable,
    root: string,
    selection: ArtifactSelectionSpec,
    zipPath: string,
    warn: (message: string) => void,
  ): Promise<PackagedFiles>;
}

/** The real store: zips written atomically with CodeBuild's selection rules; warnings go to `warn` live. */
export function createArtifactIo(): ArtifactStoreIo {
  return {
    unzipToTar,
    async packageFromTar(tar, root, selection, zipPath, warn) {
      const stored = await selectFromTar(tar, root, selection, zipPath, warn);
      return { sha256: stored.sha256, size: stored.size, files: stored.files };
    },
  };
}
