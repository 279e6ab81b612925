// One build's AWS access, from acquiring pipe's endpoint to the parity line of the calls pipe did not serve:
// shared by `pipe build` and the Build/CodeBuild executor. The endpoint is acquired while the build provisions
// (starting a server takes a few hundred milliseconds); the build waits for it only when it composes its environment.
import { buildAccessKeyId, describeUnservedCalls, hostCredentials, HOST_CREDENTIAL_VARIABLES, SERVED_SERVICES } from './aws-endpoint.js';
import type { AwsEndpointLease, AwsEndpointProvider, BuildAwsAccess, UnservedCall } from './aws-endpoint.js';

export interface BuildAwsSession {
  /** Resolves once the endpoint is there (BuildRequest.aws). */
  access: Promise<BuildAwsAccess>;
  /** Reads the calls the build made that pipe does not serve and says so through `warn` (none with host credentials). */
  reportUnserved(warn: (message: string) => void): Promise<UnservedCall[]>;
  release(): Promise<void>;
}

/** Starts acquiring the endpoint a build's AWS calls go to, with its credentials: throwaway ones, or the host's when asked. */
export function openBuildAwsAccess(
  provider: AwsEndpointProvider | undefined,
  buildId: string,
  passHostCredentials: boolean,
  hostEnv: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): BuildAwsSession | undefined {
  if (!provider) return undefined;
  const lease: Promise<AwsEndpointLease> = provider.acquire();
  // A build that fails before it needs the endpoint never awaits it: its failure is not this one's.
  lease.catch(() => undefined);
  let credentials: Record<string, string> | undefined;
  if (passHostCredentials) {
    credentials = hostCredentials(hostEnv);
    warn(Object.keys(credentials).length > 0
      ? `this build gets the host's AWS credentials (${Object.keys(credentials).join(', ')}): ${SERVED_SERVICES} calls go to pipe, every other AWS call goes to AWS with them`
      : `passAwsCredentials: the host has none of ${HOST_CREDENTIAL_VARIABLES.join(', ')} set (profiles in ~/.aws are not copied into a build); AWS calls to services pipe does not serve will fail to sign`);
  }
  const accessKeyId = buildAccessKeyId(buildId);
  const access = lease.then((l): BuildAwsAccess => (credentials
    ? { mode: 'host-credentials', url: l.url, credentials }
    : { mode: 'pipe', url: l.url, accessKeyId }));
  access.catch(() => undefined);
  return {
    access,
    async reportUnserved(say) {
      if (credentials) return [];
      const calls = await lease.then((l) => l.unserved(accessKeyId), () => []);
      const line = describeUnservedCalls(calls);
      if (line) say(line);
      return calls;
    },
    release: () => lease.then((l) => l.release(), () => undefined),
  };
}
