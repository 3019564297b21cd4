// Running the migrascope command in tests: as a person does (bin/migrascope, a process of its
// own) or, faster, through main() in this process with stdout and stderr captured.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command, as a person runs it from a checkout. */
export const BIN = fileURLToPath(new URL('../../bin/migrascope', import.meta.url));

export function migrascope(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'warn' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The same program in this process: what it printed and the exit code main() returns. */
export async function migrascopeInProcess(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'migrascope', ...args]);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}
