#!/usr/bin/env node
// The migrascope command line: one program, a subcommand per job. Each subcommand lives in its own
// module under src/cli/ and registers itself on the program here.
import { Command, CommanderError } from 'commander';
import { logger } from '../log/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import { EXIT, EXIT_CODES_HELP, takeExitCode } from './exit-codes.ts';
import { registerPredict } from './predict.ts';
import { registerMigrate } from './migrate.ts';
import { registerTestbed } from './testbed.ts';
import { registerLoad } from './load.ts';
import { registerAnalyze } from './analyze.ts';
import { registerRun } from './run.ts';
import { registerController } from './controller.ts';
import { registerWorker } from './worker.ts';
import { registerResults } from './results.ts';
import { registerCompare } from './compare.ts';

export function buildProgram(): Command {
  const program = new Command('migrascope')
    .description('Measure what live-migrating a XenServer / XCP-ng VM costs the users of its application')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .enablePositionalOptions()
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  registerPredict(program);
  registerMigrate(program);
  registerTestbed(program);
  registerLoad(program);
  registerAnalyze(program);
  registerRun(program);
  registerController(program);
  registerWorker(program);
  registerResults(program);
  registerCompare(program);
  return program;
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
    logger().error({ err: error }, 'migrascope failed');
    return EXIT.failure;
  }
}

if (import.meta.main) {
  const code = await main(process.argv);
  process.exitCode = code;
  // The command is over: whatever it left behind (a client still reconnecting to a lost Redis, a
  // socket in a half-closed state) must not keep the process alive. The unref'ed timer fires only
  // when something does; otherwise the process ends at once, its output flushed.
  setTimeout(() => process.exit(code), 2000).unref();
}
