// What an Invoke/Lambda function calls back: CodePipeline's job worker API (JSON 1.1, X-Amz-Target
// CodePipeline_20150709.PutJobSuccessResult / PutJobFailureResult) and the artifact bucket (path-style S3
// GetObject / PutObject of the keys its job event names). Both read and write the jobs in the state database.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AwsApiError, JOB_FAILURE_TYPES } from '../core/index.js';
import type { AwsService, JobFailureType, ObjectBucketService } from '../core/index.js';
import type { JobResult, JobStore } from './job-store.js';

/** PutJobSuccessResult's limits (the service model's). */
const TOKEN_MAX = 2048;
const SUMMARY_MAX = 2048;
const EXTERNAL_ID_MAX = 1500;
const FAILURE_MESSAGE_MAX = 5000;
const VARIABLES_MAX_BYTES = 122_880;
const VARIABLE_NAME = /^[A-Za-z0-9@\-_]+$/;
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function invalid(value: unknown, field: string, constraint: string): AwsApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new AwsApiError('ValidationException', `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function optionalString(input: Record<string, unknown>, field: string, path: string, max: number): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AwsApiError('SerializationException', `${path} must be a string`);
  if (v.length < 1 || v.length > max) throw invalid(v, path, `Member must have length between 1 and ${max}`);
  return v;
}

function objectField(input: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new AwsApiError('SerializationException', `${field} must be an object`);
  return v as Record<string, unknown>;
}

/** The job a report is for: it must exist and still be in progress. */
function jobIdOf(input: Record<string, unknown>): string {
  const id = input['jobId'];
  if (typeof id !== 'string') throw invalid(id ?? 'null', 'jobId', 'Member must not be null');
  if (!JOB_ID.test(id)) throw invalid(id, 'jobId', 'Member must satisfy regular expression pattern: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}');
  return id;
}

function record(store: JobStore, id: string, result: JobResult): void {
  const job = store.get(id);
  if (!job) throw new AwsApiError('JobNotFoundException', `The job was not found: ${id}`);
  if (!store.finish(id, result)) throw new AwsApiError('InvalidJobStateException', `The job ${id} is not in progress: it is ${store.get(id)?.status ?? job.status}`);
}

function readVariables(input: Record<string, unknown>): Record<string, string> | undefined {
  const vars = objectField(input, 'outputVariables');
  if (vars === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (!VARIABLE_NAME.test(name)) throw invalid(name, 'outputVariables', 'Map keys must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+');
    if (typeof value !== 'string') throw new AwsApiError('SerializationException', `outputVariables.${name} must be a string`);
    out[name] = value;
  }
  const size = Object.entries(out).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > VARIABLES_MAX_BYTES) {
    throw new AwsApiError('OutputVariablesSizeExceededException', `The output variables are ${size} bytes; all the variables of an action together may be ${VARIABLES_MAX_BYTES} bytes`);
  }
  return out;
}

export function putJobSuccessResult(store: JobStore, input: Record<string, unknown>): JobResult {
  const id = jobIdOf(input);
  const continuationToken = optionalString(input, 'continuationToken', 'continuationToken', TOKEN_MAX);
  const outputVariables = readVariables(input);
  if (continuationToken !== undefined && outputVariables !== undefined) {
    throw new AwsApiError('ValidationException', 'outputVariables can only be sent with the final result of a job: a result with a continuationToken cannot have them');
  }
  const details = objectField(input, 'executionDetails') ?? {};
  const summary = optionalString(details, 'summary', 'executionDetails.summary', SUMMARY_MAX);
  const externalExecutionId = optionalString(details, 'externalExecutionId', 'executionDetails.externalExecutionId', EXTERNAL_ID_MAX);
  const percent = details['percentComplete'];
  if (percent !== undefined && (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100)) {
    throw invalid(percent, 'executionDetails.percentComplete', 'Member must have value between 0 and 100');
  }
  const result: JobResult = {
    status: 'Succeeded',
    ...(continuationToken === undefined ? {} : { continuationToken }),
    ...(outputVariables === undefined ? {} : { outputVariables }),
    ...(summary === undefined ? {} : { summary }),
    ...(externalExecutionId === undefined ? {} : { externalExecutionId }),
    ...(typeof percent === 'number' ? { percentComplete: percent } : {}),
  };
  record(store, id, result);
  return result;
}

export function putJobFailureResult(store: JobStore, input: Record<string, unknown>): JobResult {
  const id = jobIdOf(input);
  const details = objectField(input, 'failureDetails');
  if (details === undefined) throw invalid('null', 'failureDetails', 'Member must not be null');
  const type = details['type'];
  if (typeof type !== 'string' || !(JOB_FAILURE_TYPES as readonly string[]).includes(type)) {
    throw invalid(type ?? 'null', 'failureDetails.type', `Member must satisfy enum value set: [${JOB_FAILURE_TYPES.join(', ')}]`);
  }
  const message = optionalString(details, 'message', 'failureDetails.message', FAILURE_MESSAGE_MAX);
  if (message === undefined) throw invalid('null', 'failureDetails.message', 'Member must not be null');
  const externalExecutionId = optionalString(details, 'externalExecutionId', 'failureDetails.externalExecutionId', EXTERNAL_ID_MAX);
  const result: JobResult = { status: 'Failed', type: type as JobFailureType, message, ...(externalExecutionId === undefined ? {} : { externalExecutionId }) };
  record(store, id, result);
  return result;
}

/** The CodePipeline job worker API, on a store opened when first called (the server may start before any job). */
export function codePipelineJobService(store: () => JobStore): AwsService {
  return {
    signingName: 'codepipeline',
    protocol: 'json',
    targetPrefix: 'CodePipeline_20150709',
    jsonVersion: '1.1',
    operations: {
      PutJobSuccessResult: async (input) => {
        putJobSuccessResult(store(), input);
        return {};
      },
      PutJobFailureResult: async (input) => {
        putJobFailureResult(store(), input);
        return {};
      },
    },
  };
}

/** Artifact buckets are named as CodePipeline names its default ones. */
export function artifactBucketName(region: string, account: string): string {
  return `codepipeline-${region}-${account}`;
}

/**
 * The artifact bucket: a job's input artifacts are readable and its declared outputs writable while the job is in
 * progress, by the keys its event names; nothing else is there.
 */
export function jobArtifactBucket(store: () => JobStore): ObjectBucketService {
  return {
    hasBucket: (bucket) => /^codepipeline-[a-z0-9-]+-\d{12}$/.test(bucket),
    async getObject(bucket, key) {
      const found = store().artifactAt(bucket, key);
      if (!found) return undefined;
      try {
        return readFileSync(found.artifact.path);
      } catch {
        return undefined; // an output not written yet
      }
    },
    async putObject(bucket, key, body) {
      const found = store().artifactAt(bucket, key);
      if (!found || found.artifact.kind !== 'output') {
        throw new AwsApiError('AccessDenied', `Access Denied: ${key} is not an output artifact of a job in progress`, 403);
      }
      const path = found.artifact.path;
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(tmp, body);
      renameSync(tmp, path);
    },
  };
}
