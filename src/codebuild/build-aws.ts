// One build's AWS access, from acquiring pipe's endpoint to the parity line of the calls pipe did not serve:
// shared by `pipe build` and the Build/CodeBuild executor.
import { buildAccessKeyId, describeUnservedCalls, hostCredentials, HOST_CREDENTIAL_VARIABLES } from './aws-endpoint.js';
import type { AwsEndpointProvider, BuildAwsAccess, UnservedCall } from './aws-endpoint.js';

export interface BuildAwsSession {
  access: BuildAwsAccess;
  /** Reads the calls the build made that pipe does not serve and says so through `warn` (none with host credentials). */
  reportUnserved(warn: (message: string) => void): UnservedCall[];
  release(): Promise<void>;
}

/** The endpoint a build's AWS calls go to, and its credentials: throwaway ones, or the host's when asked. */
export async function openBuildAwsAccess(
  provider: AwsEndpointProvider | undefined,
  buildId: string,
  passHostCredentials: boolean,
  hostEnv: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): Promise<BuildAwsSession | undefined> {
  if (!provider) return undefined;
  const lease = await provider.acquire();
  let access: BuildAwsAccess;
  if (passHostCredentials) {
    const credentials = hostCredentials(hostEnv);
    warn(Object.keys(credentials).length > 0
      ? `this build gets the host's AWS credentials (${Object.keys(credentials).join(', ')}): Lambda, SSM and Secrets Manager calls go to pipe, every other AWS call goes to AWS with them`
      : `passAwsCredentials: the host has none of ${HOST_CREDENTIAL_VARIABLES.join(', ')} set (profiles in ~/.aws are not copied into a build); AWS calls to services pipe does not serve will fail to sign`);
    access = { mode: 'host-credentials', url: lease.url, credentials };
  } else {
    access = { mode: 'pipe', url: lease.url, accessKeyId: buildAccessKeyId(buildId) };
  }
  return {
    access,
    reportUnserved(say) {
      if (access.mode !== 'pipe') return [];
      const calls = lease.unserved(access.accessKeyId);
      const line = describeUnservedCalls(calls);
      if (line) say(line);
      return calls;
    },
    release: () => lease.release(),
  };
}
