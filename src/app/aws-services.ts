// The AWS APIs a pipe server mounts beside Lambda's on one port (one --endpoint-url for everything): each room
// that serves one exports its AwsService, and this list wires them to PIPE_HOME.
import { join } from 'node:path';
import type { AwsService, ObjectBucketService } from '../core/index.js';
import { JobStore, codePipelineJobService, jobArtifactBucket } from '../deploy/index.js';
import { openDatabase } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import type { Registry } from '../registry/index.js';

export interface AwsServiceDeps {
  home: string;
  registry: Registry;
  /** The state database of `home`, if already open (else opened at the first call that needs it). */
  db?: Db;
}

export function awsServices(deps: AwsServiceDeps): AwsService[] {
  return [
    codePipelineJobService(jobStoreOf(deps)),
  ];
}

/** The path-style S3 buckets served on the same port: Invoke/Lambda jobs' artifacts. */
export function awsBuckets(deps: AwsServiceDeps): ObjectBucketService[] {
  return [jobArtifactBucket(jobStoreOf(deps))];
}

/** The jobs table of the state database, opened at the first call that needs it. */
function jobStoreOf(deps: AwsServiceDeps): () => JobStore {
  let store: JobStore | undefined;
  return () => (store ??= new JobStore(deps.db ?? openDatabase(join(deps.home, 'state.db'))));
}
