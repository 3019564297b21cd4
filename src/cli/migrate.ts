// `migrascope migrate`: live-migrates one VM inside a pool and prints what happened (source,
// destination, start, duration, and the reason when it failed). Progress goes to stderr on a
// terminal; the record goes to stdout, as a table or as one JSON document.
import { readFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { CommanderError, Option, type Command } from 'commander';
import { InvalidInputError } from '../invalid/index.ts';
import { formatDuration } from '../quantity/index.ts';
import {
  AmbiguousNameError,
  HostNotFoundError,
  NoDestinationError,
  VmNotFoundError,
  XenError,
  XenPool,
  type DestinationPolicy,
  type MigrationRecord,
  type TaskProgress,
} from '../xen/index.ts';
import { printJson, printText, renderTable } from './output.ts';

export const PASSWORD_ENV = 'MIGRASCOPE_XAPI_PASSWORD';

export interface MigrateOptions {
  url: string;
  username: string;
  password?: string;
  passwordFile?: string;
  vm: string;
  to?: string;
  policy?: 'round-robin' | 'most-free-memory';
  previousSource?: string;
  ca?: string;
  insecure?: boolean;
  json?: boolean;
}

export function defineMigrate(command: Command): void {
  command
    .requiredOption('--url <url>', 'XAPI address of the pool master, https://HOST[:PORT]')
    .requiredOption('--username <name>', 'XAPI user, e.g. root')
    .addOption(
      new Option('--password <password>', `XAPI password (other local users can see it in ps; prefer --password-file or ${PASSWORD_ENV})`).conflicts(
        'passwordFile',
      ),
    )
    .option('--password-file <file>', 'read the XAPI password from this file (its first line)')
    .requiredOption('--vm <name|uuid>', 'the VM to migrate, by name label or uuid')
    .addOption(new Option('--to <host>', 'destination host, by name label or uuid').conflicts('policy'))
    .addOption(
      new Option('--policy <policy>', 'choose the destination automatically (default round-robin)').choices([
        'round-robin',
        'most-free-memory',
      ]),
    )
    .option('--previous-source <host>', "the previous migration's source host: an automatic choice never goes back to it while the pool has a third host")
    .addOption(new Option('--ca <file>', "PEM bundle of the CA that signed the pool's certificate").conflicts('insecure'))
    .option('--insecure', 'do not verify the TLS certificate (only for a pool you trust on a network you trust)')
    .option('--json', 'print the migration record as one JSON document')
    .addHelpText(
      'after',
      `\nThe password comes from --password-file, --password or the ${PASSWORD_ENV} environment variable.\n` +
        'Exit status: 0 migrated, 1 the migration failed or the pool could not be reached, 2 bad input.\n\n' +
        'Examples:\n' +
        '  migrascope migrate --url https://xen-1 --username root --password-file ~/.xapi --vm web --to xen-2\n' +
        '  migrascope migrate --url https://xen-1 --username root --vm web --policy round-robin --previous-source xen-3 --json',
    )
    .action(async (options: MigrateOptions) => {
      const record = await runMigration(options);
      if (options.json) printJson(record);
      else printText(describeMigration(record));
      if (!record.ok) {
        process.stderr.write(`migrascope: ${record.reason ?? 'the migration failed'}\n`);
        throw new CommanderError(1, 'migrascope.migrationFailed', record.reason ?? 'the migration failed');
      }
    });
}

export async function runMigration(options: MigrateOptions): Promise<MigrationRecord> {
  const password = await passwordFrom(options);
  const caBundle = options.ca === undefined ? undefined : await readText('--ca', options.ca);
  const policy = policyFrom(options);
  const pool = await withFlags('--url', () =>
    XenPool.connect({ url: options.url, username: options.username, password, caBundle, insecureSkipVerify: options.insecure }),
  );
  try {
    const vm = await withFlags('--vm', () => pool.findVm(options.vm));
    const destinationFlag = options.to === undefined ? '--policy' : '--to';
    const destination = await withFlags(destinationFlag, () => pool.chooseDestination(vm, policy, options.previousSource));
    const progress = progressBar(`${vm.name} -> ${destination.name}`);
    try {
      return await pool.migrate(vm, destination, { onProgress: progress?.update });
    } finally {
      progress?.stop();
    }
  } finally {
    await pool.close();
  }
}

export function describeMigration(record: MigrationRecord): string {
  const table = renderTable(
    [record],
    [
      { header: 'VM', value: (row) => row.vm.name },
      { header: 'SOURCE', value: (row) => row.source.name },
      { header: 'DESTINATION', value: (row) => row.destination.name },
      { header: 'START', value: (row) => row.start },
      { header: 'DURATION', value: (row) => formatDuration(row.durationMs), align: 'right' },
      { header: 'RESULT', value: (row) => (row.ok ? 'migrated' : 'failed') },
    ],
  );
  return record.ok ? table : `${table}\n\nreason: ${record.reason ?? 'unknown'}`;
}

function policyFrom(options: MigrateOptions): DestinationPolicy {
  if (options.to !== undefined) return { kind: 'host', host: options.to };
  return options.policy === 'most-free-memory' ? { kind: 'mostFreeMemory' } : { kind: 'roundRobin' };
}

export async function passwordFrom(options: MigrateOptions): Promise<string> {
  const [field, password] =
    options.passwordFile !== undefined
      ? ['--password-file', (await readText('--password-file', options.passwordFile)).split(/\r?\n/)[0] ?? '']
      : options.password !== undefined
        ? ['--password', options.password]
        : [PASSWORD_ENV, process.env[PASSWORD_ENV]];
  if (password === undefined) {
    throw new InvalidInputError('--password-file', `give the XAPI password with --password-file FILE, ${PASSWORD_ENV} or --password`);
  }
  if (password === '') throw new InvalidInputError(field, 'the password is empty');
  return password;
}

async function readText(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(flag, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Lookups that fail because of what a person typed become bad input naming the flag (exit 2);
 * other XenErrors (pool unreachable, TLS, credentials) print their reason and exit 1.
 */
async function withFlags<T>(flag: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (
      error instanceof VmNotFoundError ||
      error instanceof HostNotFoundError ||
      error instanceof AmbiguousNameError ||
      error instanceof NoDestinationError
    ) {
      throw new InvalidInputError(flag, error.message);
    }
    if (error instanceof InvalidInputError) {
      const named = CONNECTION_FLAGS[error.field] ?? flag;
      throw new InvalidInputError(named, error.detail);
    }
    if (error instanceof XenError) {
      process.stderr.write(`migrascope: ${error.message}\n`);
      throw new CommanderError(1, `migrascope.${error.kind}`, error.message);
    }
    throw error;
  }
}

/** The connection's field names as the flags that set them. */
const CONNECTION_FLAGS: Record<string, string> = { url: '--url', caBundle: '--ca' };

interface ProgressDisplay {
  update: (progress: TaskProgress) => void;
  stop: () => void;
}

/** A bar on stderr when a person watches; nothing when stderr is a pipe or a file. */
function progressBar(label: string): ProgressDisplay | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  const bar = new SingleBar({
    stream: process.stderr,
    format: `migrating ${label} [{bar}] {percentage}% {duration}s {state}`,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(100, 0, { state: '' });
  return {
    update: (progress) => {
      const state = !progress.connected ? 'connection lost, reconnecting...' : progress.status === 'pending' ? '' : progress.status;
      bar.update(Math.round(progress.progress * 100), { state });
    },
    stop: () => bar.stop(),
  };
}
