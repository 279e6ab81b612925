// The AWS APIs a pipe server mounts beside Lambda's on one port (one --endpoint-url for everything): each room
// that serves one exports its AwsService, and this list wires them to PIPE_HOME.
import type { AwsService } from '../core/index.js';
import type { Registry } from '../registry/index.js';

export interface AwsServiceDeps {
  home: string;
  registry: Registry;
}

export function awsServices(_deps: AwsServiceDeps): AwsService[] {
  return [];
}
