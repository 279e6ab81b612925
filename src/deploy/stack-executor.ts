// Deploy/CloudFormation: CodePipeline's CloudFormation action over the local registry. The template and the code
// come from input artifacts (unzipped into a temporary folder, never read outside it); ParameterOverrides with
// Fn::GetArtifactAtt / Fn::GetParam, TemplateConfiguration; the stack's Outputs become output variables and, with
// OutputFileName, a JSON file in the output artifact.
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PipeError, describeError } from '../core/index.js';
import type { ConfigValue } from '../core/index.js';
import { makeOwnedTempDir, resolveInside, unzipToDirectory, writeZip } from '../artifacts/index.js';
import type { ActionContext, ActionExecutor, ActionOutcome } from '../execute/index.js';
import { deleteStack, deployStack, planStackChanges } from './stack-service.js';
import type { StackContext } from './stack-service.js';
import { StackStore } from './stack-store.js';
import { actionTimeScale } from './time-scale.js';
import type { TimeScaleOption } from './time-scale.js';

export interface CloudFormationExecutorDeps {
  /** Opens the stack context (state database, the registry port) for one action, closed after it. */
  open(): Promise<{ ctx: StackContext; close(): Promise<void> }>;
  /** For traffic shifts: fixed, or per action (the pipeline's); absent: PIPE_DEPLOY_TIME_SCALE, else 1. */
  timeScale?: TimeScaleOption;
}

function text(v: ConfigValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Input artifacts unzipped on first use, each into its own folder. */
class Inputs {
  private readonly dirs = new Map<string, string>();
  constructor(private readonly actx: ActionContext, private readonly root: string) {}

  async dir(name: string): Promise<string> {
    const known = this.dirs.get(name);
    if (known) return known;
    const input = this.actx.inputs.find((i) => i.name === name);
    if (!input) throw new PipeError('INVALID_SPEC', `${this.actx.action.id}: ${name} is not an input artifact of this action (it has ${this.actx.inputs.map((i) => i.name).join(', ') || 'none'})`);
    const dir = join(this.root, name);
    await unzipToDirectory(input.path, dir);
    this.dirs.set(name, dir);
    return dir;
  }

  /** `Artifact::path/in/it` -> the artifact's folder and the file inside it. */
  async file(ref: string, key: string): Promise<{ root: string; file: string }> {
    const at = ref.indexOf('::');
    if (at <= 0) throw new PipeError('INVALID_SPEC', `${this.actx.action.id}: ${key} '${ref}' is not ArtifactName::path`);
    const root = await this.dir(ref.slice(0, at));
    const file = resolveInside(root, ref.slice(at + 2));
    if (!existsSync(file)) throw new PipeError('INVALID_SPEC', `${this.actx.action.id}: ${key} ${ref}: no file ${ref.slice(at + 2)} in artifact ${ref.slice(0, at)}`);
    return { root, file };
  }

  artifactPath(name: string): string {
    return this.actx.inputs.find((i) => i.name === name)?.path ?? '';
  }
}

/** ParameterOverrides (JSON text or a mapping), its values plain or Fn::GetArtifactAtt / Fn::GetParam. */
async function parameterOverrides(raw: ConfigValue | undefined, inputs: Inputs, actionId: string): Promise<Record<string, string>> {
  if (raw === undefined) return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new PipeError('INVALID_SPEC', `${actionId}: ParameterOverrides is not JSON: ${describeError(e)}`);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new PipeError('INVALID_SPEC', `${actionId}: ParameterOverrides is a JSON object of parameter names`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v && typeof v === 'object' && 'Fn::GetArtifactAtt' in v) {
      const [artifact, attr] = (v as { 'Fn::GetArtifactAtt': [string, string] })['Fn::GetArtifactAtt'];
      const zip = inputs.artifactPath(artifact);
      if (!zip) throw new PipeError('INVALID_SPEC', `${actionId}: ParameterOverrides.${k}: Fn::GetArtifactAtt names ${artifact}, not an input artifact`);
      out[k] = attr === 'BucketName' ? 'pipe-artifacts' : attr === 'ObjectKey' ? zip : attr === 'URL' ? `file://${zip}` : '';
      if (out[k] === '') throw new PipeError('INVALID_SPEC', `${actionId}: ParameterOverrides.${k}: Fn::GetArtifactAtt takes BucketName, ObjectKey or URL, not ${attr}`);
    } else if (v && typeof v === 'object' && 'Fn::GetParam' in v) {
      const [artifact, file, key] = (v as { 'Fn::GetParam': [string, string, string] })['Fn::GetParam'];
      const { file: path } = await inputs.file(`${artifact}::${file}`, `ParameterOverrides.${k}`);
      const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      if (!(key in json)) throw new PipeError('INVALID_SPEC', `${actionId}: ParameterOverrides.${k}: ${file} in ${artifact} has no key ${key}`);
      out[k] = String(json[key]);
    } else throw new PipeError('INVALID_SPEC', `${actionId}: ParameterOverrides.${k} is a string, Fn::GetArtifactAtt or Fn::GetParam`);
  }
  return out;
}

export function createCloudFormationExecutor(deps: CloudFormationExecutorDeps): ActionExecutor {
  return {
    async run(actx: ActionContext): Promise<ActionOutcome> {
      const c = actx.configuration;
      const mode = text(c['ActionMode']) ?? 'CREATE_UPDATE';
      const stackName = text(c['StackName']) ?? '';
      const opened = await deps.open();
      const temp = await makeOwnedTempDir('deploy');
      try {
        const { ctx } = opened;
        const log = (line: string) => actx.log('system', line);
        if (mode === 'DELETE_ONLY') {
          if (new StackStore(ctx.db).get(stackName)) await deleteStack(ctx, stackName, log);
          else log(`stack ${stackName} does not exist: nothing to delete`);
          return { status: 'Succeeded', outputVariables: {}, artifacts: [] };
        }
        if (mode === 'CHANGE_SET_EXECUTE') return await executeChangeSet(actx, ctx, stackName, text(c['ChangeSetName']) ?? 'pipe', deps, log);
        const inputs = new Inputs(actx, temp);
        const { root, file } = await inputs.file(text(c['TemplatePath']) ?? '', 'TemplatePath');
        const parameters: Record<string, string> = {};
        const configRef = text(c['TemplateConfiguration']);
        if (configRef) {
          const { file: cfg } = await inputs.file(configRef, 'TemplateConfiguration');
          const json = JSON.parse(await readFile(cfg, 'utf8')) as { Parameters?: Record<string, unknown> };
          for (const [k, v] of Object.entries(json.Parameters ?? {})) parameters[k] = String(v);
        }
        Object.assign(parameters, await parameterOverrides(c['ParameterOverrides'], inputs, actx.action.id));
        const request = { templateFile: file, stackName, parameters, codeRoot: root, executionId: actx.executionId, signal: actx.signal, onEvent: log, timeScale: actionTimeScale(deps.timeScale, actx) };
        if (mode === 'CHANGE_SET_REPLACE') {
          const plan = await planStackChanges(ctx, request);
          const saved = changeSetDir(ctx, stackName, text(c['ChangeSetName']) ?? 'pipe');
          await rm(saved, { recursive: true, force: true });
          await mkdir(saved, { recursive: true });
          await cp(root, join(saved, 'root'), { recursive: true, verbatimSymlinks: true });
          await writeFile(join(saved, 'request.json'), JSON.stringify({ template: file.slice(root.length + 1), parameters }));
          for (const ch of plan.changes) log(`change set: ${ch.action} ${ch.logicalId} (${ch.type})${ch.details.length ? `: ${ch.details.join('; ')}` : ''}`);
          return { status: 'Succeeded', outputVariables: {}, artifacts: [], summary: `change set with ${plan.changes.length} change(s)` };
        }
        if (mode === 'REPLACE_ON_FAILURE') {
          const existing = new StackStore(ctx.db).get(stackName);
          if (existing && /FAILED|ROLLBACK_COMPLETE$/.test(existing.status) && existing.status !== 'UPDATE_ROLLBACK_COMPLETE') {
            log(`stack ${stackName} is in ${existing.status}: deleting it before creating it again`);
            await deleteStack(ctx, stackName, log);
          }
        }
        const result = await deployStack(ctx, request);
        return await outcome(actx, result.stack.outputs, result.failure, text(c['OutputFileName']));
      } finally {
        await rm(temp, { recursive: true, force: true });
        await opened.close();
      }
    },
  };
}

function changeSetDir(ctx: StackContext, stackName: string, name: string): string {
  return resolveInside(join(ctx.home, 'stacks', stackName, 'changesets'), name);
}

async function executeChangeSet(actx: ActionContext, ctx: StackContext, stackName: string, name: string, deps: CloudFormationExecutorDeps, log: (l: string) => void): Promise<ActionOutcome> {
  const saved = changeSetDir(ctx, stackName, name);
  if (!existsSync(join(saved, 'request.json'))) {
    return { status: 'Failed', message: `ChangeSet ${name} does not exist for stack ${stackName}; a CHANGE_SET_REPLACE action creates it` };
  }
  const request = JSON.parse(await readFile(join(saved, 'request.json'), 'utf8')) as { template: string; parameters: Record<string, string> };
  const root = join(saved, 'root');
  const result = await deployStack(ctx, {
    templateFile: join(root, request.template), stackName, parameters: request.parameters, codeRoot: root, executionId: actx.executionId, signal: actx.signal, onEvent: log,
    timeScale: actionTimeScale(deps.timeScale, actx),
  });
  if (result.failure === undefined) await rm(saved, { recursive: true, force: true });
  return outcome(actx, result.stack.outputs, result.failure, text(actx.configuration['OutputFileName']));
}

async function outcome(actx: ActionContext, outputs: { OutputKey: string; OutputValue: string }[], failure: string | undefined, outputFile: string | undefined): Promise<ActionOutcome> {
  if (failure !== undefined) return { status: 'Failed', message: `stack rolled back: ${failure}` };
  const variables = Object.fromEntries(outputs.map((o) => [o.OutputKey, o.OutputValue]));
  const out = actx.outputs[0];
  if (!out || !outputFile) return { status: 'Succeeded', outputVariables: variables, artifacts: [] };
  const body = Buffer.from(`${JSON.stringify(variables, null, 2)}\n`);
  const written = await writeZip(out.path, [{ kind: 'file', name: outputFile, source: () => Readable.from([body]), mode: 0o644, mtime: new Date() }]);
  return { status: 'Succeeded', outputVariables: variables, artifacts: [{ name: out.name, path: out.path, sha256: written.sha256, size: written.size }] };
}
