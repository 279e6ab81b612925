// The Secrets Manager JSON API (X-Amz-Target: secretsmanager.*) over the local secret store, so
// `aws secretsmanager get-secret-value` and SDK calls in a build or on the host read what `pipe secrets put` wrote.
import { createHash } from 'node:crypto';
import { AwsApiError, DEFAULT_ACCOUNT, isPipeError } from '../core/index.js';
import type { AwsCall, AwsService } from '../core/index.js';
import { AWSCURRENT } from './secret-store.js';
import type { SecretStore, SecretSummary } from './secret-store.js';

const LIST_PAGE_MAX = 100;

export function secretsManagerService(store: SecretStore): AwsService {
  const nameOf = (input: Record<string, unknown>): string => {
    const id = stringField(input, 'SecretId');
    const name = store.findSecretName(id);
    if (name === undefined) throw new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return name;
  };
  const summaryOf = (name: string): SecretSummary => {
    const s = store.listSecrets().find((x) => x.name === name);
    if (!s) throw new AwsApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
  };
  return {
    signingName: 'secretsmanager',
    protocol: 'json',
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    operations: {
      async CreateSecret(input, call) {
        const name = stringField(input, 'Name');
        refuseBinary(input);
        if (store.findSecretName(name) !== undefined) throw new AwsApiError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
        const description = typeof input['Description'] === 'string' ? input['Description'] : '';
        const secretString = input['SecretString'];
        if (typeof secretString !== 'string') {
          storeCall(() => store.createEmptySecret(name, description));
          return { ARN: secretArn(name, call), Name: name };
        }
        const put = storeCall(() => store.putSecretValue(name, secretString, { description, ...token(input) }));
        return { ARN: secretArn(name, call), Name: name, VersionId: put.versionId };
      },
      async PutSecretValue(input, call) {
        const name = nameOf(input);
        refuseBinary(input);
        const secretString = stringField(input, 'SecretString');
        const stages = input['VersionStages'];
        if (Array.isArray(stages) && !(stages.length === 1 && stages[0] === AWSCURRENT)) {
          throw new AwsApiError('InvalidParameterException', 'pipe moves only AWSCURRENT (and AWSPREVIOUS with it); other staging labels are not kept locally.');
        }
        const requested = token(input);
        if (requested.versionId !== undefined) {
          const same = store.getSecretValue(name, { versionId: requested.versionId });
          if (same) {
            // A retried request with the same token is answered as the first was; another value under it is refused.
            if (same.secretString !== secretString) throw new AwsApiError('ResourceExistsException', `A version with VersionId ${requested.versionId} already exists with another value.`);
            return { ARN: secretArn(name, call), Name: name, VersionId: same.versionId, VersionStages: same.stages };
          }
        }
        const put = storeCall(() => store.putSecretValue(name, secretString, requested));
        return { ARN: secretArn(name, call), Name: name, VersionId: put.versionId, VersionStages: [AWSCURRENT] };
      },
      async GetSecretValue(input, call) {
        const name = nameOf(input);
        const versionId = optionalString(input, 'VersionId');
        const versionStage = optionalString(input, 'VersionStage');
        const v = store.getSecretValue(name, {
          ...(versionId === undefined ? {} : { versionId }),
          ...(versionStage === undefined ? {} : { versionStage }),
        });
        if (!v) {
          throw new AwsApiError('ResourceNotFoundException', versionId === undefined
            ? `Secrets Manager can't find the specified secret value for staging label: ${versionStage ?? AWSCURRENT}`
            : `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
        }
        if (versionId !== undefined && versionStage !== undefined && !v.stages.includes(versionStage)) {
          throw new AwsApiError('InvalidRequestException', `The version ${versionId} does not have the staging label ${versionStage}.`);
        }
        return { ARN: secretArn(name, call), Name: name, VersionId: v.versionId, SecretString: v.secretString, VersionStages: v.stages, CreatedDate: new Date(v.createdDate) };
      },
      async DescribeSecret(input, call) {
        return describe(summaryOf(nameOf(input)), call);
      },
      async ListSecrets(input, call) {
        const filters = nameFilters(input);
        const all = store.listSecrets().filter((s) => filters.every((f) => f(s)));
        const limit = input['MaxResults'] === undefined ? LIST_PAGE_MAX : Number(input['MaxResults']);
        if (!Number.isInteger(limit) || limit < 1 || limit > LIST_PAGE_MAX) throw new AwsApiError('InvalidParameterException', `MaxResults must be from 1 to ${LIST_PAGE_MAX}.`);
        const start = typeof input['NextToken'] === 'string' ? Number(Buffer.from(input['NextToken'], 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(start) || start < 0) throw new AwsApiError('InvalidNextTokenException', 'The NextToken value is not valid.');
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? { NextToken: Buffer.from(String(start + limit)).toString('base64url') } : {};
        return { SecretList: page.map((s) => { const { VersionIdsToStages, ...rest } = describe(s, call); return { ...rest, SecretVersionsToStages: VersionIdsToStages }; }), ...next };
      },
      async DeleteSecret(input, call) {
        const name = nameOf(input);
        const days = input['RecoveryWindowInDays'];
        if (days !== undefined && input['ForceDeleteWithoutRecovery'] === true) {
          throw new AwsApiError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        }
        if (days !== undefined && (!Number.isInteger(days) || (days as number) < 7 || (days as number) > 30)) {
          throw new AwsApiError('InvalidParameterException', 'RecoveryWindowInDays must be from 7 to 30.');
        }
        const arn = secretArn(name, call);
        store.deleteSecret(name);
        // There is no recovery window locally: the secret is gone now, whatever the window asked.
        return { ARN: arn, Name: name, DeletionDate: new Date() };
      },
    },
  };
}

/**
 * `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf`: the six characters Secrets Manager appends, here
 * derived from the name so the ARN stays the same from call to call (secretNameCandidates reads it back).
 */
export function secretArn(name: string, call: Pick<AwsCall, 'region'>): string {
  const digest = createHash('sha256').update(name).digest('base64').replace(/[^A-Za-z0-9]/g, '');
  return `arn:aws:secretsmanager:${call.region}:${DEFAULT_ACCOUNT}:secret:${name}-${digest.slice(0, 6)}`;
}

function describe(s: SecretSummary, call: AwsCall): Record<string, unknown> & { VersionIdsToStages: Record<string, string[]> } {
  return {
    ARN: secretArn(s.name, call), Name: s.name, ...(s.description ? { Description: s.description } : {}),
    LastChangedDate: new Date(s.lastChangedDate), CreatedDate: new Date(s.createdDate),
    VersionIdsToStages: Object.fromEntries(s.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, v.stages])),
  };
}

/** ListSecrets' Filters on `name` (a prefix, as Secrets Manager matches it; `!` negates); other keys refused. */
function nameFilters(input: Record<string, unknown>): Array<(s: SecretSummary) => boolean> {
  const filters = Array.isArray(input['Filters']) ? input['Filters'] : [];
  return filters.map((raw) => {
    const f = (raw ?? {}) as Record<string, unknown>;
    const values = Array.isArray(f['Values']) ? f['Values'].map(String) : [];
    if (f['Key'] !== 'name' && f['Key'] !== 'all') throw new AwsApiError('InvalidParameterException', `The filter key ${String(f['Key'])} is not one pipe serves (name, all).`);
    return (s: SecretSummary) => values.some((v) => (v.startsWith('!') ? !s.name.startsWith(v.slice(1)) : s.name.startsWith(v)));
  });
}

function token(input: Record<string, unknown>): { versionId?: string } {
  const t = input['ClientRequestToken'];
  if (t === undefined) return {};
  if (typeof t !== 'string' || t.length < 32 || t.length > 64) throw new AwsApiError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters long.');
  return { versionId: t };
}

function refuseBinary(input: Record<string, unknown>): void {
  if (input['SecretBinary'] !== undefined) throw new AwsApiError('InvalidParameterException', 'pipe keeps secret strings only; SecretBinary is not served (store it base64-encoded in SecretString).');
}

function stringField(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v === '') throw new AwsApiError('InvalidParameterException', `${key} is required.`);
  return v;
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function storeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isPipeError(e) && e.isInputError) throw new AwsApiError('InvalidParameterException', e.message);
    throw e;
  }
}
