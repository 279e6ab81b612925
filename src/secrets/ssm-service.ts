// The Systems Manager Parameter Store JSON API (X-Amz-Target: AmazonSSM.*) over the local parameter store, so
// `aws ssm get-parameter` and SDK calls in a build or on the host read what `pipe parameters put` wrote.
import { AwsApiError, DEFAULT_ACCOUNT, isPipeError } from '../core/index.js';
import type { AwsCall, AwsService } from '../core/index.js';
import { isParameterType } from './parameter-store.js';
import type { Parameter, ParameterStore, ParameterSummary } from './parameter-store.js';

/** SSM's page sizes: GetParametersByPath 10, DescribeParameters 50; GetParameters takes at most 10 names. */
const BY_PATH_PAGE_MAX = 10;
const DESCRIBE_PAGE_MAX = 50;
const GET_PARAMETERS_MAX = 10;

export function ssmService(store: ParameterStore): AwsService {
  return {
    signingName: 'ssm',
    protocol: 'json',
    targetPrefix: 'AmazonSSM',
    jsonVersion: '1.1',
    operations: {
      async GetParameter(input, call) {
        const found = readParameter(store, stringField(input, 'Name'));
        if (!found.parameter) throw notFound(found);
        return { Parameter: answer(store, found.parameter, input['WithDecryption'] === true, call, found.selector) };
      },
      async GetParameters(input, call) {
        const names = stringList(input, 'Names');
        if (names.length > GET_PARAMETERS_MAX) throw validation(`1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to ${GET_PARAMETERS_MAX}`);
        const parameters: Record<string, unknown>[] = [];
        const invalid: string[] = [];
        for (const name of [...new Set(names)]) {
          const found = readParameter(store, name);
          if (found.parameter) parameters.push(answer(store, found.parameter, input['WithDecryption'] === true, call, found.selector));
          else invalid.push(name);
        }
        return { Parameters: parameters, InvalidParameters: invalid };
      },
      async GetParametersByPath(input, call) {
        const path = stringField(input, 'Path');
        if (!path.startsWith('/')) throw validation(`The parameter path ${path} must begin with a slash (/).`);
        const prefix = path.endsWith('/') ? path : `${path}/`;
        const recursive = input['Recursive'] === true;
        const under = store.listParameters().filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')));
        const page = paged(under, input, BY_PATH_PAGE_MAX);
        const parameters = page.items.map((s) => {
          const p = store.getParameter(s.name);
          return p ? answer(store, p, input['WithDecryption'] === true, call) : undefined;
        }).filter((p) => p !== undefined);
        return { Parameters: parameters, ...page.next };
      },
      async PutParameter(input) {
        const name = stringField(input, 'Name');
        const value = stringField(input, 'Value');
        const type = input['Type'];
        if (type !== undefined && !isParameterType(type)) throw validation(`1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`);
        const existing = store.getParameter(name);
        if (existing && input['Overwrite'] !== true) throw new AwsApiError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
        if (!existing && type === undefined) throw validation('A parameter type is required when you create a parameter.');
        const description = input['Description'];
        const version = storeCall(() => store.putParameter(name, value, {
          ...(type === undefined ? {} : { type }),
          ...(typeof description === 'string' ? { description } : {}),
        }));
        return { Version: version, Tier: 'Standard' };
      },
      async DeleteParameter(input) {
        const name = stringField(input, 'Name');
        if (!store.deleteParameter(name)) throw new AwsApiError('ParameterNotFound', `Parameter ${name} not found.`);
        return {};
      },
      async DeleteParameters(input) {
        const names = stringList(input, 'Names');
        const deleted: string[] = [];
        const invalid: string[] = [];
        for (const name of names) (store.deleteParameter(name) ? deleted : invalid).push(name);
        return { DeletedParameters: deleted, InvalidParameters: invalid };
      },
      async DescribeParameters(input, call) {
        const filters = parameterFilters(input);
        const matching = store.listParameters().filter((p) => filters.every((f) => f(p)));
        const page = paged(matching, input, DESCRIBE_PAGE_MAX);
        return {
          Parameters: page.items.map((p) => ({
            Name: p.name, ARN: parameterArn(p.name, call), Type: p.type, Version: p.version, LastModifiedDate: new Date(p.lastModifiedDate),
            ...(p.description ? { Description: p.description } : {}), Tier: 'Standard', Policies: [], DataType: 'text',
            LastModifiedUser: `arn:aws:iam::${DEFAULT_ACCOUNT}:root`,
          })),
          ...page.next,
        };
      },
    },
  };
}

interface Found {
  name: string;
  selector?: string;
  parameter?: Parameter;
}

/** `name`, `name:3` (a version) or `name:label` (labels are not kept locally, so never found). */
function readParameter(store: ParameterStore, raw: string): Found {
  const colon = raw.lastIndexOf(':');
  if (colon <= 0) {
    const parameter = store.getParameter(raw);
    return parameter ? { name: raw, parameter } : { name: raw };
  }
  const name = raw.slice(0, colon);
  const selector = raw.slice(colon + 1);
  const version = /^[1-9][0-9]*$/.test(selector) ? Number(selector) : undefined;
  const parameter = version === undefined ? undefined : store.getParameter(name, version);
  return parameter ? { name, selector, parameter } : { name, selector };
}

function notFound(found: Found): AwsApiError {
  if (found.selector !== undefined) {
    return /^[0-9]+$/.test(found.selector)
      ? new AwsApiError('ParameterVersionNotFound', `Systems Manager could not find version ${found.selector} of ${found.name}. Verify the version and try again.`)
      : new AwsApiError('ParameterVersionLabelNotFound', `Systems Manager could not find the label ${found.selector} of ${found.name} (pipe keeps no parameter labels).`);
  }
  return new AwsApiError('ParameterNotFound', `Parameter ${found.name} not found.`);
}

function answer(store: ParameterStore, p: Parameter, decrypt: boolean, call: AwsCall, selector?: string): Record<string, unknown> {
  const value = p.type === 'SecureString' && !decrypt ? (store.getSealedValue(p.name, p.version) ?? '') : p.value;
  return {
    Name: p.name, Type: p.type, Value: value, Version: p.version,
    ...(selector === undefined ? {} : { Selector: `:${selector}` }),
    LastModifiedDate: new Date(p.lastModifiedDate), ARN: parameterArn(p.name, call), DataType: 'text',
  };
}

/** `arn:aws:ssm:REGION:ACCOUNT:parameter/a/b` for `/a/b`, and `parameter/a` for `a`. */
export function parameterArn(name: string, call: Pick<AwsCall, 'region'>): string {
  return `arn:aws:ssm:${call.region}:${DEFAULT_ACCOUNT}:parameter/${name.replace(/^\//, '')}`;
}

type Filter = (p: ParameterSummary) => boolean;

/** DescribeParameters' ParameterFilters (Name, Type, Path) and the older Filters (Name, Type); others refused. */
function parameterFilters(input: Record<string, unknown>): Filter[] {
  const out: Filter[] = [];
  const lists: unknown[] = [
    ...(Array.isArray(input['ParameterFilters']) ? input['ParameterFilters'] : []),
    ...(Array.isArray(input['Filters']) ? input['Filters'] : []),
  ];
  for (const raw of lists) {
    const f = (raw ?? {}) as Record<string, unknown>;
    const key = String(f['Key'] ?? '');
    const option = String(f['Option'] ?? (key === 'Path' ? 'OneLevel' : 'Equals'));
    const values = Array.isArray(f['Values']) ? f['Values'].map(String) : [];
    switch (key) {
      case 'Name':
        out.push((p) => values.some((v) => (option === 'BeginsWith' ? p.name.startsWith(v) : option === 'Contains' ? p.name.includes(v) : p.name === v)));
        break;
      case 'Type':
        out.push((p) => values.includes(p.type));
        break;
      case 'Path':
        out.push((p) => values.some((v) => {
          const prefix = v.endsWith('/') ? v : `${v}/`;
          return p.name.startsWith(prefix) && (option === 'Recursive' || !p.name.slice(prefix.length).includes('/'));
        }));
        break;
      default:
        throw new AwsApiError('InvalidFilterKey', `The filter key ${key} is not one pipe serves (Name, Type, Path).`);
    }
  }
  return out;
}

/** A page of `items` from NextToken (an offset), at most MaxResults (default and limit `max`). */
function paged<T>(items: T[], input: Record<string, unknown>, max: number): { items: T[]; next: { NextToken?: string } } {
  const limit = input['MaxResults'] === undefined ? max : Number(input['MaxResults']);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw validation(`1 validation error detected: Value '${String(input['MaxResults'])}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  const token = input['NextToken'];
  const start = typeof token === 'string' ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation('The NextToken is not valid.');
  const end = start + limit;
  return { items: items.slice(start, end), next: end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {} };
}

function stringField(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v === '') throw validation(`1 validation error detected: Value at '${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

function stringList(input: Record<string, unknown>, key: string): string[] {
  const v = input[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) throw validation(`1 validation error detected: Value at '${key.toLowerCase()}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  return v as string[];
}

function validation(message: string): AwsApiError {
  return new AwsApiError('ValidationException', message);
}

/** The store's own refusals (a bad name, an empty or too long value) are the caller's: ValidationException. */
function storeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isPipeError(e) && e.isInputError) throw validation(e.message);
    throw e;
  }
}
