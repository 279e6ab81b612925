// The `CodePipeline.job` event an Invoke/Lambda function gets (reference/deploy-actions.md 4.2): the job id, the
// account, the action's FunctionName and UserParameters, S3 locations of its input and output artifacts, dummy
// artifact credentials (the local endpoints accept any), and the continuation token of a continued job.
import type { JobArtifact } from './job-store.js';

export interface JobEventInput {
  jobId: string;
  accountId: string;
  configuration: { FunctionName: string; UserParameters?: string };
  artifacts: readonly JobArtifact[];
  continuationToken?: string;
  now?: number;
}

function location(a: JobArtifact): Record<string, unknown> {
  return { type: 'S3', s3Location: { bucketName: a.bucket, objectKey: a.key } };
}

export function jobEvent(input: JobEventInput): { 'CodePipeline.job': Record<string, unknown> } {
  const now = input.now ?? Date.now();
  const data: Record<string, unknown> = {
    actionConfiguration: { configuration: input.configuration },
    inputArtifacts: input.artifacts.filter((a) => a.kind === 'input').map((a) => ({ name: a.name, revision: a.revision ?? null, location: location(a) })),
    outputArtifacts: input.artifacts.filter((a) => a.kind === 'output').map((a) => ({ name: a.name, revision: null, location: location(a) })),
    artifactCredentials: { accessKeyId: 'test', secretAccessKey: 'test', sessionToken: 'test', expirationTime: now + 60 * 60 * 1000 },
  };
  if (input.continuationToken !== undefined) data['continuationToken'] = input.continuationToken;
  return { 'CodePipeline.job': { id: input.jobId, accountId: input.accountId, data } };
}

/** CodePipeline's artifact keys: `<pipeline, 20 chars>/<artifact, 10 chars>/<7 random>` in the artifact bucket. */
export function artifactKey(pipeline: string, artifact: string, random: string): string {
  return `${pipeline.slice(0, 20)}/${artifact.slice(0, 10)}/${random.slice(0, 7)}`;
}
