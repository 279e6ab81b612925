// `pipe run`, `pipe validate`, `pipe executions`, `pipe execution`, `pipe logs`.
import type { Command } from 'commander';
import type { Output } from '../output.js';

export function registerPipelineCommands(program: Command, out: Output): void {
  void program;
  void out;
}
