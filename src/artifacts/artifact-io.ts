// The artifact store as the build runner sees it (the ArtifactIo port): unpack inputs, package outputs.
import type { Readable } from 'node:stream';
import type { ArtifactSelectionSpec } from '../core/index.js';
import { selectFromTar } from './select-artifact.js';
import { unzipToTar } from './unzip-to-tar.js';
import type { UnzipToTarOptions } from './unzip-to-tar.js';

/** What a packaged output artifact reports back to the build. */
export interface PackagedFiles {
  sha256: string;
  size: number;
  files: string[];
}

/** What a build needs of the artifact store (tests give a build another one). */
export interface ArtifactIo {
  /** A tar of the zip's contents (under `options.prefix`), for the container. */
  unzipToTar(zipPath: string, options?: UnzipToTarOptions): Promise<Buffer | Readable>;
  /** Selects files from a tar of `root` (a container path) and writes them as a zip. */
  packageFromTar(
    tar: Readable,
    root: string,
    selection: ArtifactSelectionSpec,
    zipPath: string,
    warn: (message: string) => void,
  ): Promise<PackagedFiles>;
}

/** The real store: zips written atomically with CodeBuild's selection rules; warnings go to `warn` live. */
export function createArtifactIo(): ArtifactIo {
  return {
    unzipToTar,
    async packageFromTar(tar, root, selection, zipPath, warn) {
      const stored = await selectFromTar(tar, root, selection, zipPath, warn);
      return { sha256: stored.sha256, size: stored.size, files: stored.files };
    },
  };
}
