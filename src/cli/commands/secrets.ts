// `pipe parameters ...` and `pipe secrets ...`: the local Parameter Store and Secrets Manager that buildspec
// `parameter-store` / `secrets-manager` references and PARAMETER_STORE / SECRETS_MANAGER variables resolve from.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PipeError, describeError } from '../../core/index.js';
import { openPipeContext, settleRecovered } from '../../app/index.js';
import { pipeHome } from '../../infra/index.js';
import { PARAMETER_TYPES, isParameterType, openLocalSecrets } from '../../secrets/index.js';
import type { LocalSecrets } from '../../secrets/index.js';
import type { Output } from '../output.js';

/** Opens the store as every command does (settling what dead owners and expired approvals left), then `body`. */
async function withSecrets<T>(body: (s: LocalSecrets) => T): Promise<T> {
  const ctx = openPipeContext({ home: pipeHome() });
  try {
    await settleRecovered(ctx);
    return body(openLocalSecrets(ctx.db, ctx.cipher));
  } finally {
    ctx.db.close();
  }
}

function printJson(out: Output, value: unknown): void {
  out.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** `NAME` or `NAME:VERSION`, as SSM's GetParameter takes it. */
function splitSelector(text: string): { name: string; version?: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  return m?.[1] && m[2] ? { name: m[1], version: Number(m[2]) } : { name: text };
}

function readSecretFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new PipeError('INVALID_ARGUMENT', `--from-file ${file}: ${describeError(e)}`, { hint: 'give a readable file, or - for standard input' });
  }
}

export function registerSecretCommands(program: Command, out: Output): void {
  const parameters = program
    .command('parameters')
    .description('The local Parameter Store: values for buildspec parameter-store and PARAMETER_STORE variables');

  parameters
    .command('set')
    .description('Set a parameter (a new version each time)')
    .argument('<name>', 'parameter name, e.g. /my-app/db-host')
    .argument('<value>', 'its value')
    .option('--type <type>', `what aws ssm get-parameter answers it as: ${PARAMETER_TYPES.join(', ')} (sealed at rest whatever the type; default: the current type, else String)`)
    .option('--json', 'print JSON')
    .action((name: string, value: string, opts: { json?: boolean; type?: string }) =>
      withSecrets(({ parameters: store }) => {
        if (opts.type !== undefined && !isParameterType(opts.type)) throw new PipeError('INVALID_ARGUMENT', `--type ${opts.type} is not one of ${PARAMETER_TYPES.join(', ')}`);
        const version = store.putParameter(name, value, opts.type === undefined ? {} : { type: opts.type });
        if (opts.json) return printJson(out, { name, version });
        out.stdout(`parameter ${name} version ${version}\n`);
      }),
    );

  parameters
    .command('get')
    .description("Print a parameter's value (NAME:VERSION for an older version)")
    .argument('<name>', 'parameter name, or NAME:VERSION')
    .option('--json', 'print JSON')
    .action((selector: string, opts: { json?: boolean }) =>
      withSecrets(({ parameters: store }) => {
        const { name, version } = splitSelector(selector);
        const found = store.getParameter(name, version);
        if (!found) {
          throw new PipeError('NOT_FOUND', `parameter ${selector} does not exist`, { hint: "'pipe parameters ls' lists them" });
        }
        if (opts.json) return printJson(out, found);
        out.stdout(`${found.value}\n`);
      }),
    );

  parameters
    .command('ls')
    .description('List parameters: names and versions')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withSecrets(({ parameters: store }) => {
        const list = store.listParameters();
        if (opts.json) return printJson(out, list);
        if (list.length === 0) return out.stdout('no parameters\n');
        const width = Math.max(...list.map((p) => p.name.length));
        for (const p of list) out.stdout(`${p.name.padEnd(width)}  version ${p.version}  ${p.lastModifiedDate}\n`);
      }),
    );

  parameters
    .command('rm')
    .description('Delete a parameter and all its versions')
    .argument('<name>', 'parameter name')
    .action((name: string) =>
      withSecrets(({ parameters: store }) => {
        if (!store.deleteParameter(name)) throw new PipeError('NOT_FOUND', `parameter ${name} does not exist`, { hint: "'pipe parameters ls' lists them" });
        out.stdout(`deleted parameter ${name}\n`);
      }),
    );

  const secrets = program
    .command('secrets')
    .description('The local Secrets Manager: values for buildspec secrets-manager and SECRETS_MANAGER variables');

  secrets
    .command('set')
    .description('Store a new version of a secret (it becomes AWSCURRENT; the previous one AWSPREVIOUS)')
    .argument('<name>', 'secret name, e.g. prod/db')
    .argument('[value]', 'the secret string (or use --from-file)')
    .option('--from-file <file>', 'read the secret string from a file, byte for byte (- for standard input)')
    .option('--json', 'print JSON')
    .action((name: string, value: string | undefined, opts: { fromFile?: string; json?: boolean }) => {
      if (value !== undefined && opts.fromFile !== undefined) {
        throw new PipeError('INVALID_ARGUMENT', `give the secret ${name} a VALUE or --from-file, not both`);
      }
      if (value === undefined && opts.fromFile === undefined) {
        throw new PipeError('INVALID_ARGUMENT', `secret ${name} needs a value: pipe secrets set ${name} VALUE, or --from-file FILE`);
      }
      const secretString = value ?? readSecretFile(opts.fromFile as string);
      withSecrets(({ secrets: store }) => {
        const r = store.putSecretValue(name, secretString);
        if (opts.json) return printJson(out, { name: r.name, versionId: r.versionId, created: r.created });
        out.stdout(`secret ${r.name} ${r.created ? 'created' : 'updated'}: version ${r.versionId} (AWSCURRENT)\n`);
      });
    });

  secrets
    .command('ls')
    .description('List secrets: names, versions and their stages (never the values)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withSecrets(({ secrets: store }) => {
        const list = store.listSecrets();
        if (opts.json) return printJson(out, list);
        if (list.length === 0) return out.stdout('no secrets\n');
        for (const s of list) {
          out.stdout(`${s.name}  ${s.versions.length} version${s.versions.length === 1 ? '' : 's'}  last changed ${s.lastChangedDate}\n`);
          for (const v of s.versions) out.stdout(`  ${v.versionId}  ${v.stages.join(', ') || '-'}  ${v.createdDate}\n`);
        }
      }),
    );

  secrets
    .command('rm')
    .description('Delete a secret and all its versions, at once')
    .argument('<name>', 'secret name')
    .action((name: string) =>
      withSecrets(({ secrets: store }) => {
        if (!store.deleteSecret(name)) throw new PipeError('NOT_FOUND', `secret ${name} does not exist`, { hint: "'pipe secrets ls' lists them" });
        out.stdout(`deleted secret ${name}\n`);
      }),
    );
}
