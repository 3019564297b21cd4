import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MigrationRecord } from '../xen/index.ts';
import { main } from './main.ts';
import { describeMigration, passwordFrom, PASSWORD_ENV } from './migrate.ts';

const base = { url: 'https://xen-1', username: 'root', vm: 'web' };

describe('Given the password sources of `migrascope migrate`', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrascope-migrate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('when a password file is given, then its first line is the password (the newline is not)', async () => {
    const file = join(dir, 'password');
    await writeFile(file, 's3cret\n');
    expect(await passwordFrom({ ...base, passwordFile: file })).toBe('s3cret');
  });

  it('when only the environment has it, then it is used', async () => {
    vi.stubEnv(PASSWORD_ENV, 'from-env');
    expect(await passwordFrom(base)).toBe('from-env');
  });

  it('when the flag and the environment both have one, then the flag wins', async () => {
    vi.stubEnv(PASSWORD_ENV, 'from-env');
    expect(await passwordFrom({ ...base, password: 'from-flag' })).toBe('from-flag');
  });

  it('when there is none, then the refusal names the ways to give it', async () => {
    vi.stubEnv(PASSWORD_ENV, undefined);
    await expect(passwordFrom(base)).rejects.toThrow(/--password-file: give the XAPI password with --password-file FILE/);
  });

  it('when the file is empty, then it is refused naming the flag', async () => {
    const file = join(dir, 'empty');
    await writeFile(file, '\n');
    await expect(passwordFrom({ ...base, passwordFile: file })).rejects.toThrow(/--password-file: the password is empty/);
  });
});

describe('Given bad flags', () => {
  let stderr: string;
  beforeAll(() => {
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  const run = async (...args: string[]): Promise<number> => {
    stderr = '';
    return main(['node', 'migrascope', 'migrate', ...args]);
  };

  it('when the URL is not http(s), then it exits 2 naming --url, before any connection', async () => {
    expect(await run('--url', 'ftp://xen-1', '--username', 'root', '--password', 'x', '--vm', 'web')).toBe(2);
    expect(stderr).toMatch(/migrascope: --url: use https:\/\/ \(or http:\/\/\), not ftp:/);
  });

  it('when the URL carries credentials, then it is refused without echoing them', async () => {
    expect(await run('--url', 'https://root:hunter2@xen-1', '--username', 'root', '--password', 'x', '--vm', 'web')).toBe(2);
    expect(stderr).toMatch(/--url: give the username and password separately/);
    expect(stderr).not.toMatch(/hunter2/);
  });

  it('when both a destination and a policy are given, then commander refuses the pair', async () => {
    expect(await run('--url', 'https://xen-1', '--username', 'root', '--password', 'x', '--vm', 'web', '--to', 'a', '--policy', 'round-robin')).not.toBe(0);
    expect(stderr).toMatch(/'--to <host>' cannot be used with option '--policy <policy>'/);
  });

  it('when the CA file is not PEM, then it exits 2 naming --ca', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrascope-ca-'));
    const file = join(dir, 'ca.pem');
    await writeFile(file, 'not a certificate');
    try {
      expect(await run('--url', 'https://xen-1', '--username', 'root', '--password', 'x', '--vm', 'web', '--ca', file)).toBe(2);
      expect(stderr).toMatch(/--ca: is not a PEM certificate bundle/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Given a migration record', () => {
  const record: MigrationRecord = {
    vm: { name: 'web', uuid: 'u-web' },
    source: { name: 'xen-1', uuid: 'u-1' },
    destination: { name: 'xen-2', uuid: 'u-2' },
    start: '2025-01-01T10:00:00.000Z',
    end: '2025-01-01T10:00:44.000Z',
    durationMs: 44_000,
    task: 'OpaqueRef:t',
    ok: true,
  };

  it('when it succeeded, then the table shows where from, where to and how long', () => {
    const text = describeMigration(record);
    expect(text.split('\n')[0]).toMatch(/^VM\s+SOURCE\s+DESTINATION\s+START\s+DURATION\s+RESULT$/);
    expect(text.split('\n')[2]).toMatch(/^web\s+xen-1\s+xen-2\s+2025-01-01T10:00:00\.000Z\s+44\.00 s\s+migrated$/);
    expect(text).not.toMatch(/reason/);
  });

  it('when it failed, then the reason follows the table', () => {
    const text = describeMigration({ ...record, ok: false, reason: 'host xen-2 has 1.00 GiB free but VM web needs 2.00 GiB' });
    expect(text).toMatch(/failed\n\nreason: host xen-2 has 1\.00 GiB free/);
  });
});

describe('Given hostile environments and URLs (review of 2026-12-02)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('when DEBUG=* is set, then xen-api debug output stays off stdout (the --json stays clean) and carries no call data', async () => {
    vi.stubEnv('DEBUG', '*');
    const { migrascope } = await import('../../test/support/cli.ts');
    const run = await migrascope('migrate', '--url', 'http://127.0.0.1:1', '--username', 'root', '--password', 'pw', '--vm', 'web', '--json');
    expect(run.stdout).toBe('');
    expect(run.stdout + run.stderr).not.toMatch(/xen-api DEBUG|callId/);
    expect(run.stderr).toMatch(/cannot reach XAPI/);
  });

  it('when the URL carries a password, then the refusal does not echo it', async () => {
    const { migrascope } = await import('../../test/support/cli.ts');
    const run = await migrascope('migrate', '--url', 'https://root:Sup3rSecret@host:99999', '--username', 'root', '--password', 'x', '--vm', 'web');
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('Sup3rSecret');
    expect(run.stderr).toContain('root:***@host:99999');
  });
});
