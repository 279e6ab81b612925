// Reading request JSON (unknown at the edge) into typed fields, once, with AWS-style errors for wrong types.
import { RegistryError, validationError } from '../errors.js';

export type Json = Record<string, unknown>;

function wrongType(key: string, value: unknown, expected: string): RegistryError {
  return validationError(JSON.stringify(value) ?? 'null', camel(key), `Member must be ${expected}`);
}

/** AWS names fields in its messages in camelCase (`memorySize`, `environment.variables`). */
function camel(key: string): string {
  return key.replace(/^[A-Z]/, (c) => c.toLowerCase());
}

export function required<T>(key: string, value: T | undefined): T {
  if (value === undefined) {
    throw validationError('null', camel(key), 'Member must not be null');
  }
  return value;
}

export function readString(o: Json, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw wrongType(key, v, 'a string');
  return v;
}

export function readNumber(o: Json, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw wrongType(key, v, 'a number');
  return v;
}

export function readBoolean(o: Json, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw wrongType(key, v, 'a boolean');
  return v;
}

export function readObject(o: Json, key: string): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(key, v, 'an object');
  return v as Json;
}

export function readStringList(o: Json, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw wrongType(key, v, 'a list of strings');
  return v as string[];
}

export function readStringMap(o: Json, key: string): Record<string, string> | undefined {
  const m = readObject(o, key);
  if (m === undefined) return undefined;
  if (Object.values(m).some((x) => typeof x !== 'string')) throw wrongType(key, m, 'a map of strings');
  return m as Record<string, string>;
}

export function readNumberMap(o: Json, key: string): Record<string, number> | undefined {
  const m = readObject(o, key);
  if (m === undefined) return undefined;
  if (Object.values(m).some((x) => typeof x !== 'number')) throw wrongType(key, m, 'a map of numbers');
  return m as Record<string, number>;
}

/** A blob field: base64 in JSON, as the SDKs send `ZipFile` (already decoded when the body parser knew it as one). */
export function readBlob(o: Json, key: string): Buffer | undefined {
  const v = o[key];
  if (Buffer.isBuffer(v)) return v;
  const s = readString(o, key);
  if (s === undefined) return undefined;
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(s)) {
    throw new RegistryError('InvalidParameterValueException', `${key} is not valid base64.`);
  }
  return Buffer.from(s, 'base64');
}

/** Copies the defined values only, so optional input properties stay absent (exactOptionalPropertyTypes). */
export function defined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `MaxItems` from the query string. */
export function queryInteger(q: URLSearchParams, key: string): number | undefined {
  const raw = q.get(key);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw validationError(raw, camel(key), 'Member must be an integer');
  return Number(raw);
}

export function queryString(q: URLSearchParams, key: string): string | undefined {
  const v = q.get(key);
  return v === null ? undefined : v;
}
