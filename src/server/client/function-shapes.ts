// The Lambda shapes the Functions pages read from the JSON API, as Lambda's API names them: only the fields shown.
// (The registry's own types are not imported here: they bring node's HTTP client into the browser's type check.)
export interface FunctionConfiguration {
  FunctionName: string;
  Runtime?: string;
  Handler?: string;
  MemorySize: number;
  Timeout: number;
  State?: string;
  LastModified: string;
  Version: string;
  Description?: string;
  CodeSha256?: string;
  Environment?: { Variables: Record<string, string> };
}
export interface AliasConfiguration {
  Name: string;
  FunctionVersion: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
}
export interface LayerSummary {
  LayerName: string;
  LatestMatchingVersion: { Version: number; CompatibleRuntimes?: string[] };
  versions: { Version: number; Description?: string }[];
}
export interface InvocationRecord {
  time: string;
  version: string;
  requestId: string;
  durationMs: number;
  status: 'Succeeded' | 'Failed';
  functionError?: string;
  report?: { durationMs: number; billedDurationMs: number; memorySizeMb: number; maxMemoryUsedMb: number };
  logTail: string;
}
export interface FunctionView {
  configuration: FunctionConfiguration;
  versions: FunctionConfiguration[];
  aliases: AliasConfiguration[];
  invocations: InvocationRecord[];
  testEvents: Record<string, string>;
}
export interface TestInvokeResult {
  statusCode: number;
  functionError?: string;
  executedVersion?: string;
  requestId: string;
  payload: string;
  logTail: string;
  durationMs?: number;
  billedDurationMs?: number;
  maxMemoryUsedMb?: number;
  memorySizeMb?: number;
}
/** One minute of a function's metrics (server/metrics-model.ts). */
export interface MinuteMetrics { start: number; invocations: number; errors: number; throttles: number; durationP50Ms?: number; durationP99Ms?: number }
