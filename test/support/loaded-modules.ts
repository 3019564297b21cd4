// Which modules a migrascope command loads: the command run as a person runs it (bin/migrascope,
// its own process), with a hook recording every module it resolves.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, type CliRun } from './cli.ts';

const RECORDER = fileURLToPath(new URL('./record-module-loads.ts', import.meta.url));

export interface LoadedModules extends CliRun {
  /** The URL of every module resolved, node: built-ins included. */
  urls: string[];
}

export async function modulesLoadedBy(...args: string[]): Promise<LoadedModules> {
  const dir = await mkdtemp(join(tmpdir(), 'migrascope-loaded-modules-'));
  const output = join(dir, 'modules.txt');
  try {
    const env = {
      ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${RECORDER}`.trim(),
      MIGRASCOPE_TEST_LOADED_MODULES: output,
      MIGRASCOPE_LOG_LEVEL: 'warn',
    };
    const run = await new Promise<CliRun>((resolve) => {
      execFile(BIN, args, { env }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
    const urls = (await readFile(output, 'utf8').catch(() => '')).split('\n').filter((url) => url !== '');
    return { ...run, urls };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The npm packages among `urls` (scoped ones as @scope/name). */
export function packagesOf(urls: readonly string[]): Set<string> {
  const packages = new Set<string>();
  for (const url of urls) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) packages.add(match[1]!);
  }
  return packages;
}
