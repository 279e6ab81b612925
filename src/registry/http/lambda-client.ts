// The LambdaApi port's HTTP adapter: every operation as Lambda's REST API call to a running registry server (the
// same routes `aws lambda --endpoint-url` uses), answers parsed back into the in-process shapes and errors
// rebuilt as the same RegistryError (AWS's name, status, message), so callers cannot tell the adapters apart.
import type * as In from '../inputs.js';
import type { LambdaApi } from '../lambda-api.js';
import type { RequestScope } from '../model.js';
import type * as Shape from '../shapes.js';
import type { AccountSettings } from '../services/account-service.js';
import type { GetFunctionOutput } from '../services/functions-service.js';
import { call, invokeOverHttp } from './client.js';

const FN = '/2015-03-31/functions';
const LAYERS = '/2018-10-31/layers';

/** A path segment: names and ARNs (with their colons) percent-encoded, as the SDKs send them. */
function seg(s: string | number): string {
  return encodeURIComponent(String(s));
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

/** The JSON body of a request: Buffers (ZipFile) as base64, as the AWS SDKs encode blobs. */
function body(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, (_k, v: unknown) => (isBufferJson(v) ? Buffer.from(v.data).toString('base64') : v)));
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

function code(c: In.FunctionCode): Record<string, unknown> {
  return { ...c, ...(c.ZipFile === undefined ? {} : { ZipFile: c.ZipFile.toString('base64') }) };
}

export class LambdaHttpApi implements LambdaApi {
  constructor(
    readonly endpoint: string,
    /** Region when a call's scope names none (absent: the server's default). */
    private readonly region?: string,
  ) {}

  private async send<T>(method: string, path: string, scope: RequestScope | undefined, json?: unknown): Promise<T> {
    const region = scope?.region ?? this.region;
    const res = await call(this.endpoint, method, path, region === undefined ? {} : { region }, json === undefined
      ? {}
      : { body: body(json), headers: { 'Content-Type': 'application/json' } });
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  createFunction(input: In.CreateFunctionInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    return this.send('POST', FN, scope, { ...input, Code: code(input.Code) });
  }
  getFunction(input: In.FunctionRefInput, scope?: RequestScope): Promise<GetFunctionOutput> {
    return this.send('GET', `${FN}/${seg(input.FunctionName)}${query({ Qualifier: input.Qualifier })}`, scope);
  }
  getFunctionConfiguration(input: In.FunctionRefInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    return this.send('GET', `${FN}/${seg(input.FunctionName)}/configuration${query({ Qualifier: input.Qualifier })}`, scope);
  }
  listFunctions(input: In.ListFunctionsInput = {}, scope?: RequestScope): Promise<{ Functions: Shape.FunctionConfiguration[]; NextMarker?: string }> {
    return this.send('GET', `${FN}${query({ ...input })}`, scope);
  }
  updateFunctionCode(input: In.UpdateFunctionCodeInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    const { FunctionName, ...rest } = input;
    return this.send('PUT', `${FN}/${seg(FunctionName)}/code`, scope, code(rest));
  }
  updateFunctionConfiguration(input: In.UpdateFunctionConfigurationInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    const { FunctionName, ...rest } = input;
    return this.send('PUT', `${FN}/${seg(FunctionName)}/configuration`, scope, rest);
  }
  deleteFunction(input: In.FunctionRefInput, scope?: RequestScope): Promise<void> {
    return this.send('DELETE', `${FN}/${seg(input.FunctionName)}${query({ Qualifier: input.Qualifier })}`, scope);
  }
  publishVersion(input: In.PublishVersionInput, scope?: RequestScope): Promise<Shape.FunctionConfiguration> {
    const { FunctionName, ...rest } = input;
    return this.send('POST', `${FN}/${seg(FunctionName)}/versions`, scope, rest);
  }
  listVersionsByFunction(input: In.FunctionRefInput & In.ListInput, scope?: RequestScope): Promise<{ Versions: Shape.FunctionConfiguration[]; NextMarker?: string }> {
    return this.send('GET', `${FN}/${seg(input.FunctionName)}/versions${query({ Marker: input.Marker, MaxItems: input.MaxItems })}`, scope);
  }
  createAlias(input: In.CreateAliasInput, scope?: RequestScope): Promise<Shape.AliasConfiguration> {
    const { FunctionName, ...rest } = input;
    return this.send('POST', `${FN}/${seg(FunctionName)}/aliases`, scope, rest);
  }
  getAlias(input: In.AliasRefInput, scope?: RequestScope): Promise<Shape.AliasConfiguration> {
    return this.send('GET', `${FN}/${seg(input.FunctionName)}/aliases/${seg(input.Name)}`, scope);
  }
  updateAlias(input: In.UpdateAliasInput, scope?: RequestScope): Promise<Shape.AliasConfiguration> {
    const { FunctionName, Name, ...rest } = input;
    return this.send('PUT', `${FN}/${seg(FunctionName)}/aliases/${seg(Name)}`, scope, rest);
  }
  deleteAlias(input: In.AliasRefInput, scope?: RequestScope): Promise<void> {
    return this.send('DELETE', `${FN}/${seg(input.FunctionName)}/aliases/${seg(input.Name)}`, scope);
  }
  listAliases(input: In.ListAliasesInput, scope?: RequestScope): Promise<{ Aliases: Shape.AliasConfiguration[]; NextMarker?: string }> {
    const { FunctionName, ...rest } = input;
    return this.send('GET', `${FN}/${seg(FunctionName)}/aliases${query({ ...rest })}`, scope);
  }
  publishLayerVersion(input: In.PublishLayerVersionInput, scope?: RequestScope): Promise<Shape.LayerVersion> {
    const { LayerName, ...rest } = input;
    return this.send('POST', `${LAYERS}/${seg(LayerName)}/versions`, scope, { ...rest, Content: code(rest.Content) });
  }
  getLayerVersion(input: In.LayerVersionRefInput, scope?: RequestScope): Promise<Shape.LayerVersion> {
    return this.send('GET', `${LAYERS}/${seg(input.LayerName)}/versions/${seg(input.VersionNumber)}`, scope);
  }
  getLayerVersionByArn(input: { Arn: string }, scope?: RequestScope): Promise<Shape.LayerVersion> {
    return this.send('GET', `${LAYERS}${query({ find: 'LayerVersion', Arn: input.Arn })}`, scope);
  }
  listLayers(input: In.ListLayersInput = {}, scope?: RequestScope): Promise<{ Layers: Shape.LayersListItem[]; NextMarker?: string }> {
    return this.send('GET', `${LAYERS}${query({ ...input })}`, scope);
  }
  listLayerVersions(input: In.ListLayerVersionsInput, scope?: RequestScope): Promise<{ LayerVersions: Shape.LayerVersionsListItem[]; NextMarker?: string }> {
    const { LayerName, ...rest } = input;
    return this.send('GET', `${LAYERS}/${seg(LayerName)}/versions${query({ ...rest })}`, scope);
  }
  deleteLayerVersion(input: In.LayerVersionRefInput, scope?: RequestScope): Promise<void> {
    return this.send('DELETE', `${LAYERS}/${seg(input.LayerName)}/versions/${seg(input.VersionNumber)}`, scope);
  }
  async invoke(input: In.InvokeInput, scope?: RequestScope): Promise<In.InvokeOutput> {
    const region = scope?.region ?? this.region;
    const out = await invokeOverHttp(this.endpoint, input, region === undefined ? {} : { region });
    // Event and DryRun answers carry no payload, as in-process.
    if (out.StatusCode !== 200) delete out.Payload;
    return out;
  }
  putFunctionConcurrency(input: In.PutFunctionConcurrencyInput, scope?: RequestScope): Promise<{ ReservedConcurrentExecutions: number }> {
    return this.send('PUT', `/2017-10-31/functions/${seg(input.FunctionName)}/concurrency`, scope, { ReservedConcurrentExecutions: input.ReservedConcurrentExecutions });
  }
  getFunctionConcurrency(input: In.FunctionRefInput, scope?: RequestScope): Promise<{ ReservedConcurrentExecutions?: number }> {
    return this.send('GET', `/2019-09-30/functions/${seg(input.FunctionName)}/concurrency`, scope);
  }
  deleteFunctionConcurrency(input: In.FunctionRefInput, scope?: RequestScope): Promise<void> {
    return this.send('DELETE', `/2017-10-31/functions/${seg(input.FunctionName)}/concurrency`, scope);
  }
  getAccountSettings(scope?: RequestScope): Promise<AccountSettings> {
    return this.send('GET', '/2016-08-19/account-settings', scope);
  }

  /** Polls until the version is Active and its last update Successful, as `aws lambda wait function-updated-v2`. */
  async waitUntilReady(input: In.FunctionRefInput, scope?: RequestScope, timeoutMs = 10_000): Promise<Shape.FunctionConfiguration> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.getFunctionConfiguration(input, scope);
      if (c.State === 'Active' && c.LastUpdateStatus !== 'InProgress') return c;
      if (Date.now() > deadline) return c;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
