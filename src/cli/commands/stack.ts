// `pipe deploy TEMPLATE` and `pipe stack plan|list|describe|events|outputs|delete`: SAM / CloudFormation stacks
// deployed to the local registry.
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { PipeError } from '../../core/index.js';
import { openStackContext } from '../../app/index.js';
import { deleteStack, deployStack, planStackChanges, StackStore } from '../../deploy/index.js';
import type { StackContext, StackPlan, StackRecord } from '../../deploy/index.js';
import { pipeHome } from '../../infra/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `K=V` pairs (repeatable flag) as an override map. */
export function parseParameters(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new PipeError('INVALID_ARGUMENT', `--parameter ${p}: expected KEY=VALUE`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

async function withStacks<T>(body: (ctx: StackContext) => Promise<T>): Promise<T> {
  const opened = await openStackContext({ home: pipeHome() });
  try {
    return await body(opened.ctx);
  } finally {
    await opened.close();
  }
}

function printJson(out: Output, value: unknown): void {
  out.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

function printPlan(out: Output, plan: StackPlan): void {
  if (plan.changes.length === 0) out.stdout(`stack ${plan.stackName}: no changes\n`);
  else {
    out.stdout(`stack ${plan.stackName}: ${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}\n`);
    out.stdout(table(['ACTION', 'LOGICAL ID', 'TYPE', 'REPLACEMENT', 'DETAILS'], plan.changes.map((c) => [c.action, c.logicalId, c.type, c.action === 'Modify' ? c.replacement : '', c.details.join('; ')])));
  }
  for (const f of plan.functions) {
    out.stdout(`function ${f.logicalId}: ${f.functionName} (${f.runtime}, ${f.handler})${f.autoPublishAlias ? `, alias ${f.autoPublishAlias}` : ''}${f.deploymentPreference ? `, ${f.deploymentPreference}` : ''}\n`);
  }
  for (const w of plan.warnings) out.stderr(`warning: ${w}\n`);
}

function defaultStackName(template: string): string {
  const base = basename(dirname(resolve(template))).replace(/[^A-Za-z0-9-]/g, '-').replace(/^[^A-Za-z]+/, '');
  return base || 'stack';
}

function summary(s: StackRecord): Record<string, unknown> {
  return {
    StackName: s.name, StackId: s.stackId, StackStatus: s.status, ...(s.statusReason ? { StackStatusReason: s.statusReason } : {}),
    CreationTime: s.createdAt, LastUpdatedTime: s.updatedAt,
    Parameters: s.parameters.map((p) => ({ ParameterKey: p.name, ParameterValue: p.noEcho ? '****' : p.value })),
    Outputs: s.outputs,
  };
}

function getStack(ctx: StackContext, name: string): StackRecord {
  const s = new StackStore(ctx.db).get(name);
  if (!s) throw new PipeError('NOT_FOUND', `Stack with id ${name} does not exist`, { hint: "'pipe stack list' lists the stacks" });
  return s;
}

export function registerStackCommands(program: Command, out: Output): void {
  program
    .command('deploy <template>')
    .description('Deploy a SAM / CloudFormation template as a stack to the local registry (exit 1 if it rolled back)')
    .requiredOption('--stack-name <name>', 'the stack to create or update')
    .option('--parameter <key=value>', 'a parameter override (repeatable)', collect, [])
    .option('--json', 'print the stack as JSON at the end')
    .action((template: string, o: { stackName: string; parameter: string[]; json?: boolean }) =>
      withStacks(async (ctx) => {
        const result = await deployStack(ctx, {
          templateFile: resolve(template), stackName: o.stackName, parameters: parseParameters(o.parameter),
          ...(o.json ? {} : { onEvent: (line: string) => out.stdout(`${line}\n`) }),
        });
        if (o.json) printJson(out, { ...summary(result.stack), Changes: result.plan.changes, Warnings: result.plan.warnings });
        else {
          for (const w of result.plan.warnings) out.stderr(`warning: ${w}\n`);
          for (const op of result.stack.outputs) out.stdout(`${op.OutputKey} = ${op.OutputValue}\n`);
        }
        if (result.failure !== undefined) {
          out.stderr(`error: stack ${o.stackName} rolled back: ${result.failure}\n`);
          out.exitCode = EXIT.failed;
        }
      }),
    );

  const stack = program.command('stack').description('Stacks deployed from SAM / CloudFormation templates');
  stack
    .command('plan <template>')
    .description('Show what deploying the template would change, and its warnings; changes nothing (exit 2 with every template error)')
    .option('--stack-name <name>', "the stack to compare with (default: the template's folder name)")
    .option('--parameter <key=value>', 'a parameter override (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .action((template: string, o: { stackName?: string; parameter: string[]; json?: boolean }) =>
      withStacks(async (ctx) => {
        const plan = await planStackChanges(ctx, { templateFile: resolve(template), stackName: o.stackName ?? defaultStackName(template), parameters: parseParameters(o.parameter) });
        if (o.json) printJson(out, plan);
        else printPlan(out, plan);
      }),
    );

  stack
    .command('list')
    .description('List the stacks')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      withStacks(async (ctx) => {
        const list = new StackStore(ctx.db).list();
        if (o.json) return printJson(out, list.map(summary));
        if (list.length === 0) return out.stderr('no stacks\n');
        out.stdout(table(['NAME', 'STATUS', 'UPDATED'], list.map((s) => [s.name, s.status, s.updatedAt])));
      }),
    );

  stack
    .command('describe <name>')
    .description("A stack's status, parameters, resources and outputs")
    .option('--json', 'print JSON')
    .action((name: string, o: { json?: boolean }) =>
      withStacks(async (ctx) => {
        const s = getStack(ctx, name);
        const resources = new StackStore(ctx.db).resources(name);
        if (o.json) {
          return printJson(out, { ...summary(s), Resources: resources.map((r) => ({ LogicalResourceId: r.logicalId, PhysicalResourceId: r.physicalId ?? '', ResourceType: r.type, ResourceStatus: r.status, ...(r.statusReason ? { ResourceStatusReason: r.statusReason } : {}) })) });
        }
        out.stdout(`${s.name}  ${s.status}${s.statusReason ? `  (${s.statusReason})` : ''}\n`);
        for (const p of s.parameters) out.stdout(`parameter ${p.name} = ${p.noEcho ? '****' : p.value}\n`);
        if (resources.length) out.stdout(table(['LOGICAL ID', 'TYPE', 'STATUS', 'PHYSICAL ID'], resources.map((r) => [r.logicalId, r.type, r.status, r.physicalId ?? ''])));
        for (const op of s.outputs) out.stdout(`output ${op.OutputKey} = ${op.OutputValue}\n`);
      }),
    );

  stack
    .command('events <name>')
    .description("A stack's events, newest first")
    .option('--json', 'print JSON')
    .action((name: string, o: { json?: boolean }) =>
      withStacks(async (ctx) => {
        getStack(ctx, name);
        const events = new StackStore(ctx.db).events(name);
        if (o.json) return printJson(out, events);
        out.stdout(table(['TIMESTAMP', 'LOGICAL ID', 'TYPE', 'STATUS', 'REASON'], events.map((e) => [e.Timestamp, e.LogicalResourceId, e.ResourceType, e.ResourceStatus, e.ResourceStatusReason ?? ''])));
      }),
    );

  stack
    .command('outputs <name>')
    .description("A stack's outputs")
    .option('--json', 'print JSON')
    .action((name: string, o: { json?: boolean }) =>
      withStacks(async (ctx) => {
        const s = getStack(ctx, name);
        if (o.json) return printJson(out, s.outputs);
        for (const op of s.outputs) out.stdout(`${op.OutputKey} = ${op.OutputValue}\n`);
      }),
    );

  stack
    .command('delete <name>')
    .description("Delete a stack and its resources (DeletionPolicy Retain ones stay)")
    .option('--json', 'print JSON')
    .action((name: string, o: { json?: boolean }) =>
      withStacks(async (ctx) => {
        await deleteStack(ctx, name, o.json ? () => undefined : (line) => out.stdout(`${line}\n`));
        if (o.json) printJson(out, { StackName: name, StackStatus: 'DELETE_COMPLETE' });
      }),
    );
}
