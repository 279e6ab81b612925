// Checks a request's JSON body against the operation's input shape in the Lambda service model, as AWS's front end
// does before any handler runs: a value of the wrong JSON type is a SerializationException (AWS's wording, which
// names the JSON token and the Java type, not the field), then missing required members are one ValidationException.
import { RegistryError } from '../errors.js';
import type { MemberRef, Shape } from './model-types.js';
import { LAMBDA_MODEL } from './service-model.js';

type Json = Record<string, unknown>;

/** The model's operation served by a route (`GET /2018-10-31/layers?find=LayerVersion` is GetLayerVersionByArn). */
export function modelOperation(operation: string, query: URLSearchParams): string {
  if (operation === 'ListLayers' && query.get('find') === 'LayerVersion') return 'GetLayerVersionByArn';
  return operation;
}

/** The members of an operation's input that travel in the JSON body (none for Invoke, whose body is the payload). */
export function bodyMembers(operation: string): Record<string, MemberRef> {
  const input = inputShape(operation);
  if (input === undefined || input.payload !== undefined) return {};
  return Object.fromEntries(Object.entries(input.members ?? {}).filter(([, m]) => m.location === undefined));
}

export function hasJsonBody(operation: string): boolean {
  return Object.keys(bodyMembers(operation)).length > 0;
}

/** Throws AWS's error for the first ill-typed value, or for every required body member that is missing. */
export function validateBody(operation: string, body: Json): void {
  const input = inputShape(operation);
  if (input === undefined) return;
  const members = bodyMembers(operation);
  for (const [name, ref] of Object.entries(members)) checkValue(body[name], shape(ref.shape));
  const missing = (input.required ?? []).filter((m) => members[m] !== undefined && (body[m] === undefined || body[m] === null));
  if (missing.length > 0) throw missingMembers(missing);
}

function inputShape(operation: string): Shape | undefined {
  const name = LAMBDA_MODEL.operations[operation]?.input;
  return name === undefined ? undefined : shape(name);
}

function shape(name: string): Shape {
  const s = LAMBDA_MODEL.shapes[name];
  if (s === undefined) throw new Error(`service-model.ts has no shape ${name}; regenerate it with scripts/lambda-model.mjs`);
  return s;
}

/** null is absent, for a member as for a list element or map value. */
function checkValue(value: unknown, s: Shape): void {
  if (value === undefined || value === null) return;
  switch (s.type) {
    case 'structure':
      if (Array.isArray(value)) throw serialization(LIST_FOUND);
      if (typeof value !== 'object') throw serialization('Expected null');
      for (const [name, ref] of Object.entries(s.members ?? {})) checkValue((value as Json)[name], shape(ref.shape));
      return;
    case 'list':
      if (Array.isArray(value)) {
        const element = shape(required(s.member).shape);
        for (const v of value) checkValue(v, element);
        return;
      }
      throw serialization(typeof value === 'object' ? MAP_FOUND : 'Expected list or null');
    case 'map':
      if (Array.isArray(value)) throw serialization(LIST_FOUND);
      if (typeof value !== 'object') throw serialization('Expected map or null');
      for (const [k, v] of Object.entries(value as Json)) {
        checkValue(k, shape(required(s.key).shape));
        checkValue(v, shape(required(s.value).shape));
      }
      return;
    case 'string':
      return checkScalar(value, 'string', 'a String');
    case 'blob':
      // The body parser hands base64 blobs over decoded.
      if (Buffer.isBuffer(value)) return;
      return checkScalar(value, 'string', 'a ByteBuffer');
    case 'integer':
      return checkScalar(value, 'number', 'an Integer');
    case 'long':
      return checkScalar(value, 'number', 'a Long');
    case 'double':
    case 'float':
      return checkScalar(value, 'number', s.type === 'double' ? 'a Double' : 'a Float');
    case 'boolean':
      return checkScalar(value, 'boolean', 'a Boolean');
    case 'timestamp':
      return checkScalar(value, 'number', 'a Date');
    default: {
      const never: never = s.type;
      throw new Error(`unknown shape type ${String(never)}`);
    }
  }
}

const LIST_FOUND = 'Start of list found where not expected';
const MAP_FOUND = 'Start of structure or map found where not expected.';

function checkScalar(value: unknown, expected: 'string' | 'number' | 'boolean', javaType: string): void {
  if (typeof value === expected) return;
  if (Array.isArray(value)) throw serialization(LIST_FOUND);
  if (typeof value === 'object') throw serialization(MAP_FOUND);
  throw serialization(`${tokenOf(value)} can not be converted to ${javaType}`);
}

/** The JSON token names of AWS's deserializer. */
function tokenOf(value: unknown): string {
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return 'NUMBER_VALUE';
  return value === true ? 'TRUE_VALUE' : 'FALSE_VALUE';
}

function serialization(message: string): RegistryError {
  return new RegistryError('SerializationException', message);
}

function missingMembers(names: readonly string[]): RegistryError {
  const each = names.map((n) => `Value null at '${n.replace(/^[A-Z]/, (c) => c.toLowerCase())}' failed to satisfy constraint: Member must not be null`);
  const count = each.length === 1 ? '1 validation error' : `${each.length} validation errors`;
  return new RegistryError('ValidationException', `${count} detected: ${each.join('; ')}`);
}

function required<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('service-model.ts: a list or map shape without its member shape');
  return v;
}
