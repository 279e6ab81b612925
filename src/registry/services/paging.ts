// Marker/MaxItems pagination over a list ordered by a sort key. The marker is an opaque cursor holding the key of
// the last item returned, so the next page starts after it: items added or removed between pages move nothing,
// where an offset would skip or repeat items.
import { invalidParameter } from '../errors.js';
import { checkMaxItems } from '../limits.js';

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

/** A sort key: compared element by element, numbers as numbers, strings by code unit (SQLite's BINARY order). */
export type SortKey = readonly (string | number)[];

/** `all` must be in ascending order of `keyOf`, and keys unique. */
export function paginate<T>(
  all: readonly T[],
  marker: string | undefined,
  maxItems: number | undefined,
  keyOf: (item: T) => SortKey,
): Page<T> {
  const size = checkMaxItems(maxItems);
  const after = marker === undefined || marker === '' ? undefined : decodeMarker(marker);
  const start = after === undefined ? 0 : firstAfter(all, after, keyOf);
  const items = all.slice(start, start + size);
  const last = items.at(-1);
  const more = start + items.length < all.length;
  return more && last !== undefined ? { items, nextMarker: encodeMarker(keyOf(last)) } : { items };
}

/** The version order of ListVersionsByFunction: `$LATEST` first, then the numbers. */
export function versionOrder(version: string): number {
  return version === '$LATEST' ? 0 : Number(version);
}

function firstAfter<T>(all: readonly T[], after: SortKey, keyOf: (item: T) => SortKey): number {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keyOf(all[mid] as T), after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function encodeMarker(key: SortKey): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64url');
}

function decodeMarker(marker: string): SortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const after = (parsed as { after?: unknown } | undefined)?.after;
  if (!Array.isArray(after) || after.length === 0 || !after.every((k) => typeof k === 'string' || typeof k === 'number')) {
    throw invalidParameter(`Invalid marker: ${marker}`);
  }
  return after as SortKey;
}
