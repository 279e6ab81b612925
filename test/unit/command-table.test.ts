// The command table main loads from: each module registers exactly the commands the table says, so `pipe run`
// loads one module and `--help` (which loads them all) still lists every command.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, isCommandName, modulesFor } from '../../src/cli/command-table.js';
import { buildProgram } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';

const out: Output = { stdout: () => undefined, stderr: () => undefined, isTTY: false, colour: false } as unknown as Output;

describe('command table', () => {
  it('names, for each module, exactly the top-level commands it registers', async () => {
    for (const m of COMMAND_MODULES) {
      const program = new Command('pipe');
      (await m.load())(program, out);
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...m.names].sort());
    }
  });

  it('gives the full program every command once, in the order of the table', async () => {
    const program = await buildProgram(out);
    expect(program.commands.map((c) => c.name())).toEqual(COMMAND_MODULES.flatMap((m) => m.names));
    expect(new Set(program.commands.map((c) => c.name())).size).toBe(program.commands.length);
  });

  it('loads no module for --version, one for a command, all for help and unknown words', () => {
    expect(modulesFor(['--version'])).toEqual([]);
    expect(modulesFor(['-V'])).toEqual([]);
    expect(modulesFor(['validate', 'x.yml']).map((m) => m.names[0])).toEqual(['run']);
    expect(modulesFor(['builds']).map((m) => m.names)).toEqual([['builds']]);
    for (const argv of [[], ['--help'], ['help', 'run'], ['nonsense']]) expect(modulesFor(argv)).toBe(COMMAND_MODULES);
    expect(isCommandName('execution')).toBe(true);
    expect(isCommandName('help')).toBe(false);
  });
});
