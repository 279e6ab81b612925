// The artifact store: select build outputs into zips, unpack zips for containers, checksums, safe paths.
export { artifactPath, asSegment, isInsidePosix, normalizeEntryPath, resolveInside, resolveLinkTarget } from './safe-paths.js';
export { digestFile, sha256File, type FileDigest } from './checksum.js';
export { normalizeFileMode, writeFileAtomically, writeZip, type ZipEntry } from './zip-writer.js';
export { createSourceTree, resolveTreePath, type SourceTree, type TreeNode, type TreeResolution } from './source-tree.js';
export { readTarSnapshot, type TarSnapshot } from './tar-snapshot.js';
export {
  NO_MATCH_MESSAGE,
  findBaseDirectories,
  planSelection,
  type ArtifactSelection,
  type SelectionPlan,
} from './select-files.js';
export {
  selectArtifactsFromTar,
  selectFromTar,
  writeArtifact,
  type ArtifactRequest,
  type StoredArtifact,
} from './select-artifact.js';
export { unzipToTar } from './unzip-to-tar.js';
export type { UnzipToTarOptions } from './unzip-to-tar.js';
export { createArtifactIo, type ArtifactIo, type PackagedFiles } from './artifact-io.js';
export { zipDirectory, type ZippedDirectory } from './zip-directory.js';
export { combineZips, type CombinePart } from './combine-zips.js';
export { readZipEntry } from './zip-entry.js';
export { makeOwnedTempDir, makeOwnedTempDirSync, removeDeadOwnersTempDirs } from './temp-dirs.js';
export { IGNORE_FILE, parseIgnoreFile } from './ignore-file.js';
export { unzipToDirectory } from './unzip-to-dir.js';
