// What the stack record keeps of each deployed resource: enough to tell a change from none (code and content
// digests, the configuration), to answer Ref / GetAtt, and to put the resource back exactly on a rollback.
import type { FunctionConfig } from './template-models.js';

export interface FunctionState {
  kind: 'function';
  functionName: string;
  arn: string;
  config: FunctionConfig;
  /** The digest of the code's files (stack-code.ts), and the zip kept under the stack's folder for a rollback. */
  codeDigest: string;
  codeZip: string;
  /** AutoPublishAlias: the alias, the version it points at (and its weights), the version last published. */
  alias?: { name: string; version: string; weights: Record<string, number> };
  publishedVersion?: string;
  /** The configuration digest when the version was published (AutoPublishAliasAllProperties). */
  publishedConfigDigest?: string;
  /** DeletionPolicy Retain: the stack's delete leaves it. */
  retain?: boolean;
}

export interface LayerState {
  kind: 'layer';
  layerName: string;
  version: number;
  versionArn: string;
  contentDigest: string;
  retain: boolean;
}

export interface VersionState { kind: 'version'; functionName: string; version: string; arn: string; retain?: boolean }
export interface AliasState { kind: 'alias'; functionName: string; name: string; arn: string; functionVersion: string; weights: Record<string, number>; retain?: boolean }
export interface SkippedState { kind: 'skipped'; placeholder: string }

export type DeployedState = FunctionState | LayerState | VersionState | AliasState | SkippedState;

/** The Ref value and attributes of a deployed resource, as templates read them. */
export function attributesOf(s: DeployedState, region: string, account: string): { ref: string; attrs: Record<string, string> } {
  switch (s.kind) {
    case 'function': {
      const attrs: Record<string, string> = { Arn: s.arn };
      if (s.publishedVersion) attrs['Version.Version'] = s.publishedVersion;
      if (s.publishedVersion) attrs['Version'] = `${s.arn}:${s.publishedVersion}`;
      if (s.alias) attrs['Alias'] = `${s.arn}:${s.alias.name}`;
      return { ref: s.functionName, attrs };
    }
    case 'layer':
      return { ref: s.versionArn, attrs: { LayerVersionArn: s.versionArn, Arn: s.versionArn } };
    case 'version':
      return { ref: s.arn, attrs: { Version: s.version, FunctionArn: s.arn } };
    case 'alias':
      return { ref: s.arn, attrs: { AliasArn: s.arn } };
    case 'skipped':
      return { ref: s.placeholder, attrs: { Arn: `arn:aws:placeholder:${region}:${account}:${s.placeholder}` } };
  }
}
