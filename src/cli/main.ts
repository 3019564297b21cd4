#!/usr/bin/env node
// The migrascope command line: one program, a subcommand per job. Each subcommand lives in its own
// module under src/cli/, listed here by name, description and usage; the module is imported only
// when its command runs (lazy-command.ts), so that `predict` or `--help` do not pay for the
// engine, bullmq or @kubernetes/client-node. A new command: a module exporting
// `defineX(command)` (options, arguments, action; not its name or description), and an entry
// here. Import nothing heavy at the top of this file: everything it imports, every command loads.
import { Command, CommanderError } from 'commander';
import { InvalidInputError } from '../invalid/index.ts';
import { tolerateClosedOutput } from './closed-output.ts';
import { EXIT, EXIT_CODES_HELP, takeExitCode } from './exit-codes.ts';
import { addLazyCommands, type LazyCommand } from './lazy-command.ts';

export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'predict',
    description: 'Predict a pre-copy live migration (rounds, pre-copy time, downtime) from the model, without running anything',
    usage: '[options]',
    load: async () => (await import('./predict.ts')).definePredict,
  },
  {
    name: 'migrate',
    description: 'Live-migrate a VM to another host of its XenServer / XCP-ng pool and print how long it took',
    usage: '[options]',
    load: async () => (await import('./migrate.ts')).defineMigrate,
  },
  {
    name: 'testbed',
    description: 'Run a simulated XenServer pool, served over XAPI, with the applications its VMs front, until interrupted',
    usage: '[options]',
    load: async () => (await import('./testbed.ts')).defineTestbed,
  },
  {
    name: 'load',
    description: 'Drive a workload against an application (no migration) and report per-action response times and SLA verdicts',
    usage: '[options]',
    load: async () => (await import('./load.ts')).defineLoad,
  },
  {
    name: 'analyze',
    description: 'Judge a request log (JSON lines) against an SLA over sliding windows: per action count, errors, max windowed percentiles, violations',
    usage: '[options] <log>',
    load: async () => (await import('./analyze.ts')).defineAnalyze,
  },
  {
    name: 'run',
    description: 'Run the experiments and campaigns of YAML files without Kubernetes (needs only Redis)',
    usage: '[options] <files...>',
    load: async () => (await import('./run.ts')).defineRun,
  },
  {
    name: 'controller',
    description: 'Run the Kubernetes operator: reconcile XenPools, MigrationExperiments and MigrationCampaigns until SIGTERM',
    usage: '[options]',
    load: async () => (await import('./controller.ts')).defineController,
  },
  {
    name: 'worker',
    description: 'Run load and migration workers taking jobs from Redis, until SIGTERM',
    usage: '[options]',
    load: async () => (await import('./worker.ts')).defineWorker,
  },
  {
    name: 'results',
    description: 'Read the results files finished experiments and campaigns leave (docs/report.md)',
    usage: '',
    load: async () => (await import('./results.ts')).defineResults,
  },
  {
    name: 'compare',
    description: "Two experiments or two campaigns side by side: windowed maxima, downtime, verdicts, the difference and whether it exceeds the runs' spread",
    usage: '[options] <a> <b>',
    load: async () => (await import('./compare.ts')).defineCompare,
  },
];

/** The program, its commands not yet defined: parse it with parseAsync (a command is imported as it is dispatched). */
export function buildProgram(): Command {
  const program = new Command('migrascope')
    .description('Measure what live-migrating a XenServer / XCP-ng VM costs the users of its application')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .enablePositionalOptions()
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  return addLazyCommands(program, COMMANDS);
}

/**
 * Errors a person caused (a bad flag, a bad file) print one clear line; anything else is a bug.
 * The exit code: 0 success, 1 failure, 2 bad input (usage errors included), 130 interrupted.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  takeExitCode();
  try {
    await program.parseAsync(argv);
    return takeExitCode() ?? EXIT.success;
  } catch (error) {
    takeExitCode();
    // --help and --version end with code 0; commander's own errors (an unknown option, a missing
    // argument...) are usage errors; a command's own CommanderError (migrate: the migration
    // failed, the pool could not be reached) carries its code.
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.success;
      return error.code.startsWith('commander.') ? EXIT.badInput : error.exitCode;
    }
    if (error instanceof InvalidInputError) {
      process.stderr.write(`migrascope: ${error.message}\n`);
      return EXIT.badInput;
    }
    // pino is imported here, not at the top: a command that does not log does not load it.
    const { logger } = await import('../log/index.ts');
    logger().error({ err: error }, 'migrascope failed');
    return EXIT.failure;
  }
}

if (import.meta.main) {
  tolerateClosedOutput();
  const code = await main(process.argv);
  process.exitCode = code;
  // The command is over: whatever it left behind (a client still reconnecting to a lost Redis, a
  // socket in a half-closed state) must not keep the process alive. The unref'ed timer fires only
  // when something does; otherwise the process ends at once, its output flushed.
  setTimeout(() => process.exit(code), 2000).unref();
}
