// Request shapes of the registry's operations, as the Lambda API names them (ZipFile as bytes, as the SDKs take it).

export interface FunctionCode {
  ZipFile?: Buffer;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
  ImageUri?: string;
}

export interface ConfigurationFields {
  Role?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Runtime?: string;
  Environment?: { Variables?: Record<string, string> };
  Layers?: string[];
  EphemeralStorage?: { Size: number };
  TracingConfig?: { Mode?: string };
}

export interface CreateFunctionInput extends ConfigurationFields {
  FunctionName: string;
  Role: string;
  Code: FunctionCode;
  Publish?: boolean;
  PackageType?: string;
  Architectures?: string[];
}

export interface UpdateFunctionCodeInput extends FunctionCode {
  FunctionName: string;
  Publish?: boolean;
  DryRun?: boolean;
  RevisionId?: string;
  Architectures?: string[];
}

export interface UpdateFunctionConfigurationInput extends ConfigurationFields {
  FunctionName: string;
  RevisionId?: string;
}

export interface FunctionRefInput {
  FunctionName: string;
  Qualifier?: string;
}

export interface ListInput {
  Marker?: string;
  MaxItems?: number;
}

export interface ListFunctionsInput extends ListInput {
  FunctionVersion?: string;
}

export interface PublishVersionInput {
  FunctionName: string;
  CodeSha256?: string;
  Description?: string;
  RevisionId?: string;
}

export interface RoutingConfig {
  AdditionalVersionWeights?: Record<string, number>;
}

export interface CreateAliasInput {
  FunctionName: string;
  Name: string;
  FunctionVersion: string;
  Description?: string;
  RoutingConfig?: RoutingConfig;
}

export interface UpdateAliasInput {
  FunctionName: string;
  Name: string;
  FunctionVersion?: string;
  Description?: string;
  RoutingConfig?: RoutingConfig;
  RevisionId?: string;
}

export interface AliasRefInput {
  FunctionName: string;
  Name: string;
}

export interface ListAliasesInput extends ListInput {
  FunctionName: string;
  FunctionVersion?: string;
}

export interface PublishLayerVersionInput {
  LayerName: string;
  Content: FunctionCode;
  Description?: string;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
}

export interface LayerVersionRefInput {
  LayerName: string;
  VersionNumber: number;
}

export interface ListLayersInput extends ListInput {
  CompatibleRuntime?: string;
  CompatibleArchitecture?: string;
}

export interface ListLayerVersionsInput extends ListLayersInput {
  LayerName: string;
}

export interface InvokeInput {
  FunctionName: string;
  Qualifier?: string;
  InvocationType?: string;
  LogType?: string;
  /** Base64 JSON, as the X-Amz-Client-Context header. */
  ClientContext?: string;
  Payload?: Buffer;
}

export interface InvokeOutput {
  StatusCode: 200 | 202 | 204;
  Payload?: Buffer;
  FunctionError?: 'Handled' | 'Unhandled';
  ExecutedVersion?: string;
  LogResult?: string;
  /** The invocation's request id (the runtime's `Lambda-Runtime-Aws-Request-Id`); HTTP: `x-amzn-RequestId`. */
  RequestId: string;
}

export interface PutFunctionConcurrencyInput {
  FunctionName: string;
  ReservedConcurrentExecutions: number;
}
