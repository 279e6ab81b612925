// Marker/MaxItems pagination over an ordered list: the marker is an opaque offset token.
import { invalidParameter } from '../errors.js';
import { checkMaxItems } from '../limits.js';

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

export function paginate<T>(all: readonly T[], marker: string | undefined, maxItems: number | undefined): Page<T> {
  const size = checkMaxItems(maxItems);
  const start = marker === undefined || marker === '' ? 0 : decodeMarker(marker);
  const items = all.slice(start, start + size);
  const end = start + items.length;
  return end < all.length ? { items, nextMarker: encodeMarker(end) } : { items };
}

function encodeMarker(offset: number): string {
  return Buffer.from(`pipe:${offset}`).toString('base64url');
}

function decodeMarker(marker: string): number {
  const m = /^pipe:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!m || m[1] === undefined) throw invalidParameter(`Invalid marker: ${marker}`);
  return Number(m[1]);
}
