// The LambdaApi port: the Lambda control and invoke plane as deploy, invoke actions and the CLI use it. Two
// adapters: the in-process Registry, and Lambda's HTTP API when a registry server already runs on the same
// PIPE_HOME (so nobody writes the registry's tables behind a running server's back).
import type { Registry } from './registry.js';

export type LambdaApi = Pick<
  Registry,
  | 'createFunction' | 'getFunction' | 'getFunctionConfiguration' | 'listFunctions' | 'updateFunctionCode'
  | 'updateFunctionConfiguration' | 'deleteFunction' | 'publishVersion' | 'listVersionsByFunction'
  | 'createAlias' | 'getAlias' | 'updateAlias' | 'deleteAlias' | 'listAliases'
  | 'publishLayerVersion' | 'getLayerVersion' | 'getLayerVersionByArn' | 'listLayers' | 'listLayerVersions' | 'deleteLayerVersion'
  | 'invoke' | 'putFunctionConcurrency' | 'getFunctionConcurrency' | 'deleteFunctionConcurrency' | 'getAccountSettings'
  | 'waitUntilReady'
>;
