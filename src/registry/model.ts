// The registry's model: function versions, aliases and layer versions as stored.
import type { FunctionState, LastUpdateStatus } from '../core/index.js';

// The status sets are core's (one definition); the registry's code reads them from here too.
export { FUNCTION_STATES, LAST_UPDATE_STATUSES, transitionFunctionState, transitionLastUpdateStatus } from '../core/index.js';
export type { FunctionState, LastUpdateStatus } from '../core/index.js';

export const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'] as const;
export const LOG_TYPES = ['None', 'Tail'] as const;

export const LATEST = '$LATEST';

/** A layer version as attached to a function: a copy, so deleting the layer version later breaks nothing. */
export interface AttachedLayer {
  arn: string;
  codeSize: number;
  codeSha256: string;
  unzippedSize: number;
}

/** What decides whether PublishVersion makes a new version: code plus configuration. */
export interface VersionSettings {
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  /** Undefined when never set; `{}` when set empty (AWS shows `{Variables:{}}` then). */
  environment: Record<string, string> | undefined;
  layers: AttachedLayer[];
  architectures: string[];
  ephemeralStorage: number;
  tracingMode: string;
  codeSha256: string;
  codeSize: number;
  codeUnzippedSize: number;
}

/** One version of a function (`$LATEST` or a number) as the store keeps it. */
export interface FunctionVersionRecord extends VersionSettings {
  region: string;
  account: string;
  functionName: string;
  version: string;
  lastModified: string;
  revisionId: string;
  state: FunctionState;
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus?: LastUpdateStatus;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  /** Epoch ms at which a Pending/InProgress state settles to Active/Successful. */
  settleAt?: number;
  /** What Pending settles to when not Active: Failed with this reason (a runtime the invoke side cannot run). */
  settleFailure?: { reason: string; code: string };
  /** Kept as the StateReason of an Active function: which version of its language it runs on here. */
  runtimeNote?: string;
  /** For a published version: the fingerprint of `$LATEST` it was published from (idempotent PublishVersion). */
  publishedFrom?: string;
}

export interface AliasRecord {
  functionName: string;
  name: string;
  functionVersion: string;
  description: string;
  /** Additional version -> weight; at most one entry. */
  weights: Record<string, number>;
  revisionId: string;
}

export interface LayerVersionRecord {
  region: string;
  account: string;
  layerName: string;
  version: number;
  description: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo?: string;
  codeSha256: string;
  codeSize: number;
  unzippedSize: number;
  createdDate: string;
}

/** Where a request is served: the region comes from the SigV4 credential scope. */
export interface RequestScope {
  region?: string;
}

/** Lambda's timestamp format: milliseconds and `+0000`. */
export function formatTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}
