// The exit codes `pipe` uses, as `--help` states them.
export const EXIT = { success: 0, failed: 1, badInput: 2 } as const;
