// The build cache: the host store under <PIPE_HOME>/cache/, key evaluation, restore before install, save after.
export { CacheStore, MAX_ENTRIES_PER_SCOPE, openCacheStore } from './cache-store.js';
export type { CacheEntry } from './cache-store.js';
export { describeCacheKey, restoreCache, saveCache } from './build-cache.js';
export type { BuildCacheContext } from './build-cache.js';
export { evaluateCacheKey, hashFilesPatterns } from './cache-key.js';
