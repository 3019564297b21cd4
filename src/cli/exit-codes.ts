// The exit codes of every migrascope command, as README.md and --help document them. A command's
// action reports its code with exitWith(); main() returns it (nothing else writes process.exitCode,
// so a failure cannot be overwritten by a later "success").
export const EXIT = {
  /** Everything asked for succeeded. */
  success: 0,
  /** Something ran and failed (an experiment failed or aborted, a lost Redis, a bug). */
  failure: 1,
  /** Bad input: a usage error, a bad flag or file; nothing was run. */
  badInput: 2,
  /** Interrupted by SIGINT (Ctrl-C) or SIGTERM; what finished was kept. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP =
  '\nExit codes:\n  0    success\n  1    failure (an experiment failed or aborted, an error while running)\n  2    bad input (usage, flags, files)\n  130  interrupted (SIGINT/SIGTERM)\n';

/** Stopped by SIGINT/SIGTERM before the work was done: exit 130. */
export class InterruptedError extends Error {
  constructor(signal = 'SIGINT') {
    super(`interrupted (${signal})`);
    this.name = 'InterruptedError';
  }
}

let reported: number | undefined;

/** The exit code of the command being run (the worst one reported wins over success). */
export function exitWith(code: number): void {
  if (reported === undefined || reported === EXIT.success) reported = code;
}

/** The code reported since the last call, forgotten (main() runs more than once in tests). */
export function takeExitCode(): number | undefined {
  const code = reported;
  reported = undefined;
  return code;
}
