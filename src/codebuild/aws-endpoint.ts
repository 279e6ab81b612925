// A build's AWS calls go to pipe, never to AWS by accident: the endpoint port (a pipe server the build's container
// reaches), the AWS_* variables a build gets from it, and the parity line of the calls pipe does not serve.
import { createHash } from 'node:crypto';

/** One AWS operation a build called that the server does not serve, and how often. */
export interface UnservedCall {
  service: string;
  operation: string;
  count: number;
}

/** A pipe server for one build's length: its URL, and what the build called there that pipe does not serve. */
export interface AwsEndpointLease {
  url: string;
  /** The calls signed with `accessKeyId` that the server could not serve, by service and operation. */
  unserved(accessKeyId: string): UnservedCall[];
  release(): Promise<void>;
}

/** Gives builds a pipe server: the one running for PIPE_HOME, or one started for the build (app implements it). */
export interface AwsEndpointProvider {
  acquire(): Promise<AwsEndpointLease>;
}

/** The AWS_ENDPOINT_URL_<SERVICE> names of the services pipe serves (the SDKs' and CLI's service-specific variables). */
export const SERVED_ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_LAMBDA', 'AWS_ENDPOINT_URL_SSM', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_CODEPIPELINE',
  'AWS_ENDPOINT_URL_CODEDEPLOY', 'AWS_ENDPOINT_URL_CLOUDWATCH', 'AWS_ENDPOINT_URL_CLOUDFORMATION',
] as const;

/** The services of SERVED_ENDPOINT_VARIABLES, as a sentence says them. */
export const SERVED_SERVICES = 'Lambda, SSM, Secrets Manager, CodePipeline, CodeDeploy, CloudWatch and CloudFormation';

/** The host's credential variables `--pass-aws-credentials` copies into a build. */
export const HOST_CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** How a build reaches AWS APIs. */
export type BuildAwsAccess =
  /** pipe's server for everything (AWS_ENDPOINT_URL), throwaway credentials naming the build. */
  | { mode: 'pipe'; url: string; accessKeyId: string }
  /** The host's credentials: the services pipe serves still go to pipe, the others to AWS. */
  | { mode: 'host-credentials'; url: string; credentials: Record<string, string> };

/**
 * A build's throwaway access key id: fixed by its build id, so the server can say which build made a call. AWS
 * clients only sign with it; pipe's server accepts any signature.
 */
export function buildAccessKeyId(buildId: string): string {
  const digest = createHash('sha256').update(buildId).digest('hex').toUpperCase();
  return `AKIAPIPE${digest.slice(0, 12)}`;
}

/** The AWS_* variables a build starts with (below the buildspec's, which may still override them). */
export function awsVariables(access: BuildAwsAccess): Record<string, string> {
  const served = Object.fromEntries(SERVED_ENDPOINT_VARIABLES.map((name) => [name, access.url]));
  // With host networking a container could reach an instance metadata service; the SDKs are told not to look.
  const common = { AWS_EC2_METADATA_DISABLED: 'true', ...served };
  if (access.mode === 'host-credentials') return { ...common, ...access.credentials };
  return {
    ...common,
    AWS_ENDPOINT_URL: access.url,
    AWS_ACCESS_KEY_ID: access.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'pipe-local-secret-access-key',
  };
}

/** The host's AWS credentials from its environment (a profile's files are not copied into a build). */
export function hostCredentials(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(HOST_CREDENTIAL_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}

/** "this build called 2 AWS APIs pipe does not serve: s3 PutObject (3 times), ecr GetAuthorizationToken (once)". */
export function describeUnservedCalls(calls: readonly UnservedCall[]): string | undefined {
  if (calls.length === 0) return undefined;
  const each = calls.map((c) => `${c.service} ${c.operation} (${c.count === 1 ? 'once' : `${c.count} times`})`);
  return `this build called ${calls.length} AWS API${calls.length === 1 ? '' : 's'} pipe does not serve: ${each.join(', ')}`;
}
