// One template resource, evaluated, as what the registry will hold: a function (code, configuration, the
// AutoPublishAlias and DeploymentPreference SAM gives it, the routes of its API events), a layer version, an
// explicit version or alias. SAM's "warn and skip" properties become warnings; its "fail" cases problems.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { entry, joinPath, runtimeFamily } from '../parse/index.js';
import type { ProblemCollector, YamlMapping, YamlNode } from '../parse/index.js';
import { resolveInside } from '../artifacts/index.js';
import { RUNTIMES } from '../registry/index.js';
import { PipeError } from '../core/index.js';
import type { GatewayRoute } from '../core/index.js';
import type { TemplateResource } from './template-resources.js';
import type { TemplateEvaluator } from './template-values.js';
import type { StackAlarmSpec } from './stack-traffic.js';
import { stringify } from './template-values.js';

export type CodeSource = { kind: 'path'; path: string; isZip: boolean; uri: string } | { kind: 'inline'; text: string; fileName: string };

export interface FunctionConfig {
  Runtime: string;
  Handler: string;
  MemorySize: number;
  Timeout: number;
  Description: string;
  Role: string;
  Environment: { Variables: Record<string, string> };
  Layers: string[];
  Architectures: string[];
  EphemeralStorage?: { Size: number };
}

export interface DeploymentPreferenceModel {
  type: string;
  enabled: boolean;
  hooks: { preTraffic?: string; postTraffic?: string };
  /** The template's AWS::CloudWatch::Alarm resources the preference names, resolved. */
  alarms: StackAlarmSpec[];
}

export interface FunctionModel {
  kind: 'function';
  logicalId: string;
  functionName: string;
  config: FunctionConfig;
  code: CodeSource;
  autoPublishAlias?: string;
  allProperties: boolean;
  deploymentPreference?: DeploymentPreferenceModel;
  routes: Omit<GatewayRoute, 'stackName'>[];
}

export interface LayerModel {
  kind: 'layer';
  logicalId: string;
  layerName: string;
  content: CodeSource;
  description: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo?: string;
  retain: boolean;
}

export interface VersionModel { kind: 'version'; logicalId: string; functionName: string; description: string }
export interface AliasModel { kind: 'alias'; logicalId: string; functionName: string; name: string; functionVersion: string; weights: Record<string, number> }

export type ResourceModel = FunctionModel | LayerModel | VersionModel | AliasModel;

export interface ModelContext {
  stackName: string;
  /** What CodeUri / ContentUri may not leave: the template's folder, or the input artifact's root. */
  codeRoot: string;
  /** The template's folder inside codeRoot ('' when it is codeRoot): relative code paths start there. */
  codeBase?: string;
  account: string;
  region: string;
  problems: ProblemCollector;
  warn(node: YamlNode, path: string, message: string): void;
  /** The template resource of a logical id, for the alarms a DeploymentPreference names. */
  resource(logicalId: string): TemplateResource | undefined;
}

/** Properties pipe accepts but does not honour (no IAM, X-Ray, VPC, ... locally): warned in one summary line. */
const IGNORED_FUNCTION_PROPERTIES = [
  'Policies', 'Role', 'Tracing', 'VpcConfig', 'KmsKeyArn', 'CodeSigningConfigArn', 'LoggingConfig', 'EventInvokeConfig',
  'ReservedConcurrentExecutions', 'ProvisionedConcurrencyConfig', 'DeadLetterQueue', 'DeadLetterConfig', 'PermissionsBoundary',
  'Tags', 'AssumeRolePolicyDocument', 'RolePath', 'SnapStart', 'RuntimeManagementConfig', 'FileSystemConfigs', 'TracingConfig',
  'AutoPublishCodeSha256', 'VersionDescription', 'VersionPruningPolicy', 'PropagateTags', 'RecursiveLoop', 'DeploymentPreference',
];

/** The nearest runtime of the same family for one AWS has deprecated (the registry refuses those, as Lambda does). */
const NEAREST_RUNTIME: Record<string, string> = { nodejs: 'nodejs18.x', python: 'python3.9' };
const DEPRECATED = /^(nodejs(4\.3|6\.10|8\.10|10\.x|12\.x|14\.x|16\.x)?|python(2\.7|3\.[678]))$/;

export function physicalFunctionName(stackName: string, logicalId: string): string {
  const suffix = createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex').slice(0, 12).toUpperCase();
  return `${stackName.slice(0, 24)}-${logicalId.slice(0, 26)}-${suffix}`;
}

export class ModelBuilder {
  constructor(private readonly ctx: ModelContext, private readonly ev: TemplateEvaluator) {}

  build(r: TemplateResource): ResourceModel | undefined {
    const path = joinPath(joinPath('Resources', r.logicalId), 'Properties');
    switch (r.kind) {
      case 'function':
        return this.fn(r, path);
      case 'layer':
        return this.layer(r, path);
      case 'version':
        return { kind: 'version', logicalId: r.logicalId, functionName: this.str(r.props, 'FunctionName', path) ?? '', description: this.str(r.props, 'Description', path) ?? '' };
      case 'alias': {
        const routing = this.val(r.props, 'RoutingConfig', path) as { AdditionalVersionWeights?: { FunctionVersion: string; FunctionWeight: number }[] } | undefined;
        const weights: Record<string, number> = {};
        for (const w of routing?.AdditionalVersionWeights ?? []) weights[stringify(w.FunctionVersion)] = Number(w.FunctionWeight);
        return {
          kind: 'alias', logicalId: r.logicalId, functionName: this.str(r.props, 'FunctionName', path) ?? '', name: this.str(r.props, 'Name', path) ?? '',
          functionVersion: this.str(r.props, 'FunctionVersion', path) ?? '$LATEST', weights,
        };
      }
      case 'skipped':
        return undefined;
    }
  }

  private val(props: YamlMapping, key: string, path: string): unknown {
    const node = entry(props, key);
    return node ? this.ev.value(node, joinPath(path, key)) : undefined;
  }

  private str(props: YamlMapping, key: string, path: string): string | undefined {
    const v = this.val(props, key, path);
    return v === undefined || v === null ? undefined : stringify(v).trim();
  }

  private num(props: YamlMapping, key: string, path: string, fallback: number): number {
    const v = this.val(props, key, path);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) this.ctx.problems.add(entry(props, key)!, joinPath(path, key), `${key} is a whole number, got ${stringify(v)}`);
    return n;
  }

  private fn(r: TemplateResource, path: string): FunctionModel {
    const p = r.props;
    const sam = r.type === 'AWS::Serverless::Function';
    const pkg = entry(p, 'PackageType');
    if (pkg?.kind === 'scalar' && pkg.value === 'Image') return this.refused(r);
    for (const k of IGNORED_FUNCTION_PROPERTIES) {
      if (k === 'DeploymentPreference' && sam) continue;
      const n = entry(p, k);
      if (n) this.ctx.warn(n, joinPath(path, k), `ignored:${k}`);
    }
    const runtime = this.runtime(p, path);
    const env = this.val(p, 'Environment', path) as { Variables?: Record<string, unknown> } | undefined;
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(env?.Variables ?? {})) variables[k] = stringify(v);
    const layers = ((this.val(p, 'Layers', path) as unknown[] | undefined) ?? []).map(stringify).filter((l) => l !== '');
    const config: FunctionConfig = {
      Runtime: runtime,
      Handler: this.str(p, 'Handler', path) ?? (entry(p, sam ? 'InlineCode' : 'Code') ? 'index.handler' : ''),
      MemorySize: this.num(p, 'MemorySize', path, 128),
      Timeout: this.num(p, 'Timeout', path, 3),
      Description: this.str(p, 'Description', path) ?? '',
      Role: `arn:aws:iam::${this.ctx.account}:role/${this.ctx.stackName}-${r.logicalId}Role`,
      Environment: { Variables: variables },
      Layers: layers,
      Architectures: ((this.val(p, 'Architectures', path) as unknown[] | undefined) ?? ['x86_64']).map(stringify),
    };
    const storage = this.val(p, 'EphemeralStorage', path) as { Size?: unknown } | undefined;
    if (storage?.Size !== undefined) config.EphemeralStorage = { Size: Number(storage.Size) };
    if (!config.Handler) this.ctx.problems.add(r.key, path, `function ${r.logicalId} needs a Handler`);
    const model: FunctionModel = {
      kind: 'function',
      logicalId: r.logicalId,
      functionName: this.str(p, 'FunctionName', path) || physicalFunctionName(this.ctx.stackName, r.logicalId),
      config,
      code: this.functionCode(r, path, runtime),
      allProperties: this.val(p, 'AutoPublishAliasAllProperties', path) === true,
      routes: sam ? this.routes(r, path) : [],
    };
    const alias = this.str(p, 'AutoPublishAlias', path);
    if (sam && alias) model.autoPublishAlias = alias;
    const pref = sam ? this.preference(p, path) : undefined;
    if (pref) {
      if (!alias) this.ctx.problems.add(entry(p, 'DeploymentPreference')!, joinPath(path, 'DeploymentPreference'), 'DeploymentPreference needs AutoPublishAlias (SAM shifts traffic on that alias)');
      model.deploymentPreference = pref;
    }
    this.warnBuildMethod(r);
    return model;
  }

  /** A function the reader refused (an image function): its name still answers Ref, nothing else is checked. */
  private refused(r: TemplateResource): FunctionModel {
    const config: FunctionConfig = {
      Runtime: '', Handler: '', MemorySize: 128, Timeout: 3, Description: '', Role: '', Environment: { Variables: {} }, Layers: [], Architectures: ['x86_64'],
    };
    return { kind: 'function', logicalId: r.logicalId, functionName: physicalFunctionName(this.ctx.stackName, r.logicalId), config, code: { kind: 'inline', text: '', fileName: 'index.js' }, allProperties: false, routes: [] };
  }

  private runtime(p: YamlMapping, path: string): string {
    const node = entry(p, 'Runtime');
    const runtime = this.str(p, 'Runtime', path) ?? '';
    if (!node) {
      this.ctx.problems.add(p, path, 'a function needs a Runtime (nodejs*, python3.* or provided.*)');
      return runtime;
    }
    const family = runtimeFamily(runtime);
    if (family && !(RUNTIMES as readonly string[]).includes(runtime)) {
      const close = RUNTIMES.find((r) => r.startsWith(runtime.replace(/\.\d+$/, '.')));
      this.ctx.problems.add(node, joinPath(path, 'Runtime'), `${runtime} is not a Lambda runtime name${close ? ` (did you mean ${close}?)` : ''}`);
      return runtime;
    }
    if (!family) {
      this.ctx.problems.add(node, joinPath(path, 'Runtime'), `runtime ${runtime} is not supported locally; pipe runs nodejs*, python3.* and provided.* functions`);
      return runtime;
    }
    if (DEPRECATED.test(runtime)) {
      const nearest = NEAREST_RUNTIME[family]!;
      this.ctx.warn(node, joinPath(path, 'Runtime'), `deprecated:${runtime} -> ${nearest}`);
      return nearest;
    }
    return runtime;
  }

  private functionCode(r: TemplateResource, path: string, runtime: string): CodeSource {
    const p = r.props;
    const inlineKey = r.type === 'AWS::Serverless::Function' ? 'InlineCode' : undefined;
    const fileName = runtime.startsWith('python') ? 'index.py' : 'index.js';
    if (inlineKey && entry(p, inlineKey)) return { kind: 'inline', text: this.str(p, inlineKey, path) ?? '', fileName };
    if (r.type === 'AWS::Lambda::Function') {
      const code = this.val(p, 'Code', path);
      if (code && typeof code === 'object' && 'ZipFile' in code) return { kind: 'inline', text: stringify((code as { ZipFile: unknown }).ZipFile), fileName };
      if (typeof code === 'string') return this.location(code, entry(p, 'Code')!, joinPath(path, 'Code'));
      this.ctx.problems.add(entry(p, 'Code') ?? r.key, joinPath(path, 'Code'), 'Code takes ZipFile (inline code) or a local path; S3 locations are not supported locally');
      return { kind: 'inline', text: '', fileName };
    }
    const node = entry(p, 'CodeUri');
    const uri = this.str(p, 'CodeUri', path) ?? '.';
    // S3 and object locations are the reader's to refuse.
    if ((node?.kind === 'mapping' && this.val(p, 'CodeUri', path) !== null && typeof this.val(p, 'CodeUri', path) === 'object') || /^s3:\/\//i.test(uri)) {
      return { kind: 'inline', text: '', fileName };
    }
    return this.location(uri, node ?? r.key, joinPath(path, 'CodeUri'));
  }

  /** A CodeUri / ContentUri: inside the code root, a folder (zipped) or a .zip (used as is). */
  location(uri: string, node: YamlNode, path: string): CodeSource {
    let abs: string;
    try {
      abs = resolveInside(this.ctx.codeRoot, posix.join(this.ctx.codeBase ?? '', uri.trim() === '' ? '.' : uri.trim()));
    } catch (e) {
      this.ctx.problems.add(node, path, `${uri} is outside ${this.ctx.codeRoot}; code must come from the template's folder or the input artifact`);
      return { kind: 'path', path: this.ctx.codeRoot, isZip: false, uri };
    }
    if (!existsSync(abs)) {
      this.ctx.problems.add(node, path, `code location ${uri} does not exist (looked for ${abs})`);
      return { kind: 'path', path: abs, isZip: false, uri };
    }
    const isZip = statSync(abs).isFile();
    if (isZip && !abs.endsWith('.zip')) this.ctx.problems.add(node, path, `code location ${uri} is a file; give a folder or a .zip`);
    return { kind: 'path', path: abs, isZip, uri };
  }

  private preference(p: YamlMapping, path: string): DeploymentPreferenceModel | undefined {
    const node = entry(p, 'DeploymentPreference');
    if (!node) return undefined;
    const at = joinPath(path, 'DeploymentPreference');
    const v = this.ev.value(node, at) as Record<string, unknown> | undefined;
    if (!v || typeof v !== 'object') return undefined;
    const enabled = v['Enabled'] === undefined ? true : v['Enabled'] === true || String(v['Enabled']).toLowerCase() === 'true';
    if (!enabled) return undefined;
    for (const k of ['TriggerConfigurations', 'Role', 'Alarms']) if (v[k] !== undefined && k !== 'Alarms') this.ctx.warn(node, at, `ignored:DeploymentPreference.${k}`);
    const hooks = (v['Hooks'] ?? {}) as Record<string, unknown>;
    const model: DeploymentPreferenceModel = { type: stringify(v['Type'] ?? 'AllAtOnce'), enabled, hooks: {}, alarms: this.alarms(node) };
    if (hooks['PreTraffic'] !== undefined) model.hooks.preTraffic = stringify(hooks['PreTraffic']);
    if (hooks['PostTraffic'] !== undefined) model.hooks.postTraffic = stringify(hooks['PostTraffic']);
    return model;
  }

  /** `Alarms: [!Ref SomeAlarm, ...]` (also under an !If): each AWS::CloudWatch::Alarm of the template, evaluated. */
  private alarms(pref: YamlNode): StackAlarmSpec[] {
    const ids = new Set<string>();
    const walk = (n: YamlNode): void => {
      if (n.kind === 'sequence') n.items.forEach(walk);
      if (n.kind !== 'mapping') return;
      const ref = n.entries.length === 1 && n.entries[0]!.key.value === 'Ref' ? n.entries[0]!.value : undefined;
      if (ref?.kind === 'scalar') ids.add(ref.value);
      for (const e of n.entries) walk(e.value);
    };
    const alarmsNode = pref.kind === 'mapping' ? entry(pref, 'Alarms') : undefined;
    if (alarmsNode) walk(alarmsNode);
    const out: StackAlarmSpec[] = [];
    for (const id of ids) {
      const r = this.ctx.resource(id);
      if (r?.type !== 'AWS::CloudWatch::Alarm') continue;
      const at = joinPath(joinPath('Resources', id), 'Properties');
      const p = this.ev.value(r.props, at) as Record<string, unknown>;
      const dims: Record<string, string> = {};
      for (const d of Array.isArray(p['Dimensions']) ? (p['Dimensions'] as { Name?: unknown; Value?: unknown }[]) : []) dims[stringify(d.Name)] = stringify(d.Value);
      const spec: StackAlarmSpec = {
        name: stringify(p['AlarmName'] ?? `${this.ctx.stackName}-${id}`),
        metricName: stringify(p['MetricName']),
        namespace: stringify(p['Namespace'] ?? 'AWS/Lambda'),
        dimensions: dims,
        statistic: stringify(p['Statistic'] ?? p['ExtendedStatistic'] ?? 'Sum'),
        period: Number(p['Period'] ?? 60),
        evaluationPeriods: Number(p['EvaluationPeriods'] ?? 1),
        threshold: Number(p['Threshold'] ?? 0),
        comparisonOperator: stringify(p['ComparisonOperator'] ?? 'GreaterThanOrEqualToThreshold'),
      };
      if (p['TreatMissingData'] !== undefined) spec.treatMissingData = stringify(p['TreatMissingData']);
      out.push(spec);
    }
    return out;
  }

  private routes(r: TemplateResource, path: string): Omit<GatewayRoute, 'stackName'>[] {
    const routes: Omit<GatewayRoute, 'stackName'>[] = [];
    const events = entry(r.props, 'Events');
    if (events?.kind === 'mapping') {
      for (const { key, value } of events.entries) {
        const at = joinPath(joinPath(path, 'Events'), key.value);
        const ev = this.ev.value(value, at) as { Type?: unknown; Properties?: Record<string, unknown> } | undefined;
        const type = stringify(ev?.Type);
        if (type !== 'Api' && type !== 'HttpApi') {
          this.ctx.warn(value, at, `event:${type}`);
          continue;
        }
        const props = ev?.Properties ?? {};
        const method = stringify(props['Method'] ?? 'ANY').toUpperCase();
        const apiId = props['RestApiId'] ?? props['ApiId'];
        const route: Omit<GatewayRoute, 'stackName'> = {
          apiId: apiId === undefined ? (type === 'Api' ? 'ServerlessRestApi' : 'ServerlessHttpApi') : stringify(apiId),
          kind: type === 'Api' ? 'rest' : 'http',
          method: method === 'ANY' || method === 'X-AMAZON-APIGATEWAY-ANY-METHOD' ? 'ANY' : method,
          // An HttpApi event without Path (and Method) is SAM's `$default` route: every path, `/` too.
          path: stringify(props['Path'] ?? (type === 'HttpApi' ? '$default' : '/')),
          stage: type === 'Api' ? 'Prod' : '$default',
          functionName: '',
        };
        if (type === 'HttpApi') route.payloadFormatVersion = stringify(props['PayloadFormatVersion'] ?? '2.0') === '1.0' ? '1.0' : '2.0';
        routes.push(route);
      }
    }
    if (entry(r.props, 'FunctionUrlConfig')) {
      routes.push({ apiId: r.logicalId, kind: 'function-url', method: 'ANY', path: '/{proxy+}', stage: '$default', functionName: '', payloadFormatVersion: '2.0' });
    }
    return routes;
  }

  private warnBuildMethod(r: TemplateResource): void {
    if (r.buildMethod) this.ctx.warn(r.buildMethod.node, joinPath(joinPath('Resources', r.logicalId), 'Metadata.BuildMethod'), `build:${r.buildMethod.method}`);
  }

  private layer(r: TemplateResource, path: string): LayerModel {
    const p = r.props;
    const sam = r.type === 'AWS::Serverless::LayerVersion';
    const key = sam ? 'ContentUri' : 'Content';
    const node = entry(p, key);
    const uri = this.str(p, key, path);
    let content: CodeSource;
    if (uri !== undefined && /^s3:\/\//i.test(uri)) content = { kind: 'inline', text: '', fileName: 'layer' };
    else if (uri === undefined || (!sam && node?.kind === 'mapping')) {
      this.ctx.problems.add(node ?? r.key, joinPath(path, key), `${key} takes a local folder or .zip${sam ? '' : '; S3 locations are not supported locally'}`);
      content = { kind: 'path', path: this.ctx.codeRoot, isZip: false, uri: '' };
    } else content = this.location(uri, node!, joinPath(path, key));
    const retention = sam ? this.str(p, 'RetentionPolicy', path) : undefined;
    const model: LayerModel = {
      kind: 'layer',
      logicalId: r.logicalId,
      layerName: this.str(p, 'LayerName', path) || r.logicalId,
      content,
      description: this.str(p, 'Description', path) ?? '',
      compatibleRuntimes: ((this.val(p, 'CompatibleRuntimes', path) as unknown[] | undefined) ?? []).map(stringify),
      compatibleArchitectures: ((this.val(p, 'CompatibleArchitectures', path) as unknown[] | undefined) ?? []).map(stringify),
      retain: r.deletionPolicy === 'Retain' || retention?.toLowerCase() === 'retain',
    };
    const license = this.str(p, 'LicenseInfo', path);
    if (license) model.licenseInfo = license;
    this.warnBuildMethod(r);
    return model;
  }
}
