// The AWS APIs a pipe server mounts beside Lambda's on one port (one --endpoint-url for everything): each room
// that serves one exports its AwsService, and this list wires them to PIPE_HOME.
import { join } from 'node:path';
import type { AwsService, ObjectBucketService } from '../core/index.js';
import { JobStore, cloudWatchService, codeDeployService, codePipelineJobService, cloudFormationService, jobArtifactBucket } from '../deploy/index.js';
import { openDatabase } from '../infra/index.js';
import type { Db } from '../infra/index.js';
import type { Registry } from '../registry/index.js';
import { openLocalSecrets, openSecretCipher, secretsManagerService, ssmService } from '../secrets/index.js';
import type { LocalSecrets, SecretCipher } from '../secrets/index.js';

export interface AwsServiceDeps {
  home: string;
  registry: Registry;
  /** The state database of `home`, if already open (else opened at the first call that needs it). */
  db?: Db;
  /** PIPE_HOME's secret key, if already read (else read at the first call that needs it). */
  cipher?: SecretCipher;
}

export function awsServices(deps: AwsServiceDeps): AwsService[] {
  const stateDb = stateDbOf(deps);
  const jobs = jobStoreOf(stateDb);
  const secrets = secretsOf(deps, stateDb);
  return [
    codePipelineJobService(jobs),
    codeDeployService(stateDb),
    cloudWatchService(stateDb, () => deps.registry.flushMetrics()),
    // The CloudFormation service opens a connection per call and closes it after.
    cloudFormationService({ home: deps.home, lambda: deps.registry, openDb: () => openDatabase(join(deps.home, 'state.db')), region: deps.registry.defaultRegion, account: deps.registry.account }),
    ssmService(lazy(() => secrets().parameters)),
    secretsManagerService(lazy(() => secrets().secrets)),
  ];
}

/** The path-style S3 buckets served on the same port: Invoke/Lambda jobs' artifacts. */
export function awsBuckets(deps: AwsServiceDeps): ObjectBucketService[] {
  return [jobArtifactBucket(jobStoreOf(stateDbOf(deps)))];
}

/** The state database of PIPE_HOME, opened at the first call that needs it. */
function stateDbOf(deps: AwsServiceDeps): () => Db {
  let db = deps.db;
  return () => (db ??= openDatabase(join(deps.home, 'state.db')));
}

/** The jobs table of the state database, opened at the first call that needs it. */
function jobStoreOf(stateDb: () => Db): () => JobStore {
  let store: JobStore | undefined;
  return () => (store ??= new JobStore(stateDb()));
}

/** Parameter Store and Secrets Manager of PIPE_HOME, opened (and the key read) at the first call that needs them. */
function secretsOf(deps: AwsServiceDeps, stateDb: () => Db): () => LocalSecrets {
  let secrets: LocalSecrets | undefined;
  return () => (secrets ??= openLocalSecrets(stateDb(), deps.cipher ?? openSecretCipher(deps.home)));
}

/** An object whose methods are those of `open()`'s answer, made at the first use. */
function lazy<T extends object>(open: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = open();
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
