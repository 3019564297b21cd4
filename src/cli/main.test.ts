// The exit codes every command shares (README "Exit codes"): 0 success, 1 failure, 2 bad input,
// 130 interrupted; and the `run` checks that refuse bad input before anything starts.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrascopeInProcess } from '../../test/support/cli.ts';
import { EXIT, exitWith, takeExitCode } from './exit-codes.ts';

const RUN_FILE = `apiVersion: migrascope.io/v1alpha1
kind: XenPool
metadata: { name: pool }
spec: { url: 'https://127.0.0.1:4443', credentialsSecretRef: { name: creds } }
---
apiVersion: migrascope.io/v1alpha1
kind: MigrationExperiment
metadata: { name: one }
spec:
  poolRef: { name: pool }
  target: { vm: { nameLabel: web }, applicationUrl: 'http://web.example/' }
  workload: { users: 1, steadyState: 10m }
  migrations: { offsets: [0s] }
`;

async function runFile(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'migrascope-main-'));
  const file = join(dir, 'run.yaml');
  await writeFile(file, RUN_FILE);
  await writeFile(join(dir, 'plain-file'), 'not a directory');
  return { dir, file };
}

describe('migrascope exit codes', () => {
  it('given an unknown option, then it exits 2 (a usage error), not 1', async () => {
    const run = await migrascopeInProcess('predict', '--no-such-option');
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/unknown option/);
  });

  it('given a command without its argument, then it exits 2', async () => {
    const run = await migrascopeInProcess('run');
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/missing required argument/);
  });

  it('given an unknown command, then it exits 2', async () => {
    expect((await migrascopeInProcess('no-such-command')).code).toBe(EXIT.badInput);
  });

  it('given --help, then it exits 0 and lists the exit codes', async () => {
    const run = await migrascopeInProcess('--help');
    expect(run.code).toBe(EXIT.success);
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*0\s+success[\s\S]*1\s+failure[\s\S]*2\s+bad input[\s\S]*130\s+interrupted/);
  });

  it('given `run --help`, then the exit codes and the environment variables are listed', async () => {
    const run = await migrascopeInProcess('run', '--help');
    expect(run.code).toBe(EXIT.success);
    expect(run.stdout).toMatch(/130\s+interrupted/);
    expect(run.stdout).toContain('MIGRASCOPE_XAPI_PASSWORD_FILE');
    expect(run.stdout).toContain('MIGRASCOPE_XAPI_CA_FILE');
    expect(run.stdout).toContain('MIGRASCOPE_REDIS_TIMEOUT');
  });

  it('given a failure reported by a command, then a later success does not overwrite it', () => {
    exitWith(EXIT.failure);
    exitWith(EXIT.success);
    expect(takeExitCode()).toBe(EXIT.failure);
    expect(takeExitCode()).toBeUndefined();
  });
});

describe('migrascope run refuses unwritable outputs before anything starts', () => {
  it('given --json under a plain file, then it exits 2 naming --json', async () => {
    const { dir, file } = await runFile();
    const run = await migrascopeInProcess('run', file, '--json', join(dir, 'plain-file', 'status.json'), '--results-dir', join(dir, 'results'), '--redis', 'redis://127.0.0.1:1');
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/--json: cannot write to the directory .*plain-file.*(not a directory|ENOTDIR)/);
  });

  it('given --json naming a directory, then it exits 2 naming --json', async () => {
    const { dir, file } = await runFile();
    const run = await migrascopeInProcess('run', file, '--json', dir, '--results-dir', join(dir, 'results'), '--redis', 'redis://127.0.0.1:1');
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/--json: .* is a directory/);
  });

  it('given --results-dir under a plain file, then it exits 2 naming --results-dir', async () => {
    const { dir, file } = await runFile();
    const run = await migrascopeInProcess('run', file, '--results-dir', join(dir, 'plain-file', 'results'), '--redis', 'redis://127.0.0.1:1');
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toMatch(/--results-dir: cannot write/);
  });
});

describe('migrascope run refuses missing credentials before Redis starts', () => {
  it('given a XenPool whose Secret is not in the file (and no other source), then it exits 2 at once naming the Secret', async () => {
    const { file } = await runFile();
    const started = Date.now();
    const saved = { password: process.env.MIGRASCOPE_XAPI_PASSWORD, file: process.env.MIGRASCOPE_XAPI_PASSWORD_FILE };
    delete process.env.MIGRASCOPE_XAPI_PASSWORD;
    delete process.env.MIGRASCOPE_XAPI_PASSWORD_FILE;
    try {
      // A closed port: were Redis tried first, this would wait for it and exit 1.
      const run = await migrascopeInProcess('run', file, '--redis', 'redis://127.0.0.1:1', '--results-dir', join(tmpdir(), 'migrascope-main-results'));
      expect(run.code).toBe(EXIT.badInput);
      expect(run.stderr).toMatch(/XenPool pool: spec\.credentialsSecretRef: Secret "creds" is not in the run file/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      if (saved.password !== undefined) process.env.MIGRASCOPE_XAPI_PASSWORD = saved.password;
      if (saved.file !== undefined) process.env.MIGRASCOPE_XAPI_PASSWORD_FILE = saved.file;
    }
  });
});
