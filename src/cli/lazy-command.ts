// Subcommands known by name, description and usage alone until one runs. A command's module, and
// everything it imports (the engine, bullmq, ioredis, @kubernetes/client-node...), is imported
// only when that command is dispatched: to run, or to print its own --help. `migrascope --help`
// lists every command without importing any, and `migrascope predict` imports only the model.
//
// Commander dispatches a subcommand by calling the program's preSubcommand hooks (awaited by
// parseAsync) and then parsing the subcommand's own arguments, untouched, on that same Command
// object; the hook defines the command in place at that moment. Commander's own `help NAME`
// prints NAME's help without that hook, so it is replaced by one that defines NAME first.
import { Help, type Command } from 'commander';

/** How a command's module fills in the Command it is given: options, arguments, help text, action. */
export type DefineCommand = (command: Command) => void;

export interface LazyCommand {
  name: string;
  /** Shown in the list of commands and atop the command's own --help. */
  description: string;
  /**
   * What follows the name in the list of commands, as commander derives it once the command is
   * defined: '[options]', then its arguments ('[options] <log>'); '' for a command that has only
   * subcommands. lazy-command.test.ts checks they agree.
   */
  usage: string;
  /** Imports the command's module: `async () => (await import('./predict.ts')).definePredict`. */
  load: () => Promise<DefineCommand>;
}

/** Commands added but not defined yet, and how to define each. */
const undefinedCommands = new WeakMap<Command, LazyCommand>();

/** Adds each command to `program` by name, its module imported only when the command is dispatched. */
export function addLazyCommands(program: Command, commands: readonly LazyCommand[]): Command {
  for (const entry of commands) undefinedCommands.set(program.command(entry.name).description(entry.description), entry);
  program.configureHelp({
    subcommandTerm(this: Help, command: Command): string {
      const entry = undefinedCommands.get(command);
      if (entry === undefined) return Help.prototype.subcommandTerm.call(this, command);
      return entry.usage === '' ? command.name() : `${command.name()} ${entry.usage}`;
    },
  });
  program.hook('preSubcommand', (_program, command) => defineCommand(command));
  program.helpCommand(false);
  program
    .command('help')
    .description('display help for command')
    .argument('[command]')
    .allowExcessArguments()
    .action(async (name: string | undefined) => {
      if (name === undefined) program.help();
      const command = program.commands.find((candidate) => candidate.name() === name || candidate.aliases().includes(name));
      if (command === undefined) program.help({ error: true });
      await defineCommand(command);
      command.help();
    });
  return program;
}

/** Imports the module of `command` (once) and lets it define the command. */
export async function defineCommand(command: Command): Promise<void> {
  const entry = undefinedCommands.get(command);
  if (entry === undefined) return;
  const define = await entry.load();
  if (!undefinedCommands.delete(command)) return; // defined meanwhile, by a concurrent dispatch
  define(command);
  // Commander saved the command's option values (none yet) before this hook ran, and restores
  // them before a later parse of the same program: the defaults just declared are that state.
  command.saveStateBeforeParse();
}
