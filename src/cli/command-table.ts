// Which module registers which top-level `pipe` command, so that a command loads only its own module (and the rooms
// behind it): `pipe run` never evaluates the server or the dashboard. `--help` loads them all, in this order.
import type { Command } from 'commander';
import type { Output } from './output.js';

export type RegisterCommands = (program: Command, out: Output) => void;

export interface CommandModule {
  /** The top-level commands the module registers (test/unit/command-table.test.ts checks them against it). */
  names: readonly string[];
  load: () => Promise<RegisterCommands>;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  { names: ['run', 'validate', 'executions', 'execution', 'logs'], load: async () => (await import('./commands/pipeline.js')).registerPipelineCommands },
  { names: ['registry', 'invoke', 'functions', 'layers'], load: async () => (await import('./commands/registry.js')).registerRegistryCommands },
  { names: ['build'], load: async () => (await import('./commands/build.js')).registerBuildCommand },
  { names: ['builds'], load: async () => (await import('./commands/builds.js')).registerBuildsCommand },
  { names: ['parameters', 'secrets'], load: async () => (await import('./commands/secrets.js')).registerSecretCommands },
  { names: ['cache'], load: async () => (await import('./commands/cache.js')).registerCacheCommands },
  { names: ['stop', 'approve', 'retry', 'rollback', 'transition', 'worker'], load: async () => (await import('./commands/control.js')).registerControlCommands },
  { names: ['gateway'], load: async () => (await import('./commands/gateway.js')).registerGatewayCommands },
  { names: ['deployments', 'deployment'], load: async () => (await import('./commands/deployments.js')).registerDeploymentCommands },
  { names: ['metrics'], load: async () => (await import('./commands/metrics.js')).registerMetricsCommand },
  { names: ['serve'], load: async () => (await import('./commands/serve.js')).registerServeCommand },
  { names: ['deploy', 'stack'], load: async () => (await import('./commands/stack.js')).registerStackCommands },
  { names: ['hooks'], load: async () => (await import('./commands/hooks.js')).registerHooksCommands },
];

/**
 * The modules a command line needs: none for `--version`, the one that registers its command, every one for help,
 * a bare `pipe` or an unknown command (whose error lists them).
 */
export function modulesFor(argv: readonly string[]): readonly CommandModule[] {
  const first = argv[0];
  if (first === '--version' || first === '-V') return [];
  const owner = first === undefined ? undefined : COMMAND_MODULES.find((m) => m.names.includes(first));
  return owner ? [owner] : COMMAND_MODULES;
}

/** Whether `word` is a top-level command (bin/pipe.js names a command's code cache after it). */
export function isCommandName(word: string): boolean {
  return COMMAND_MODULES.some((m) => m.names.includes(word));
}
