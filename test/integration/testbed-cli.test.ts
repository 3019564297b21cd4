// `migrascope testbed` as a program runs it: one JSON line once ready, serving until SIGTERM, a
// clean exit; a readable summary without --json; a broken topology refused with the field's path.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/migrascope', import.meta.url));

const TOPOLOGY = `
pool: cli-test
credentials: { username: root, password: cli-secret }
hosts:
  - { name: a, memory: 1GiB, linkBandwidth: 1Gbit/s, controlDomainMemory: 128MiB }
  - { name: b, memory: 1GiB, linkBandwidth: 1Gbit/s, controlDomainMemory: 128MiB }
vms:
  - { name: web, memory: 64MiB, host: a, dirtyRate: 10MB/s, wws: 4MiB, guest: { app: reference, database: db } }
  - { name: db, memory: 128MiB, host: b, guest: { app: reference-db, scale: 10 } }
  - { name: spare, memory: 64MiB, host: b }
`;

interface Started {
  child: ChildProcess;
  firstLine: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Starts the CLI and waits for its first line on stdout (or its exit). */
function startCli(args: string[]): Promise<Started> {
  const child = spawn(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'info' } });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const started = () => ({ child, firstLine: stdout.split('\n')[0] ?? '', stdout: () => stdout, stderr: () => stderr, exited });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(started());
    });
    void exited.then(() => (stdout.includes('\n') ? resolve(started()) : reject(new Error(`the CLI exited without output:\n${stderr}`))));
  });
}

async function jsonrpc(url: string, method: string, params: unknown[]): Promise<{ result?: unknown; error?: unknown }> {
  const response = await fetch(new URL('/jsonrpc', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await response.json()) as { result?: unknown; error?: unknown };
}

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrascope-testbed-cli-'));
  config = join(dir, 'topology.yaml');
  await writeFile(config, TOPOLOGY);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('Given `migrascope testbed --json --http`', () => {
  let cli: Started;
  let ready: {
    xapi: { url: string; username: string; password: string; caFile?: string };
    hosts: { name: string; uuid: string }[];
    vms: { name: string; uuid: string; host: string | null; url: string | null }[];
  };

  beforeAll(async () => {
    cli = await startCli(['testbed', '--config', config, '--json', '--http']);
    ready = JSON.parse(cli.firstLine) as typeof ready;
  });

  it('When it is ready, Then it prints exactly one JSON line with the XAPI endpoint, hosts and VMs', () => {
    expect(Object.keys(ready)).toEqual(['xapi', 'hosts', 'vms']);
    expect(ready.xapi).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), username: 'root', password: 'cli-secret' });
    expect(ready.hosts).toEqual([
      { name: 'a', uuid: expect.any(String) },
      { name: 'b', uuid: expect.any(String) },
    ]);
    expect(ready.vms).toEqual([
      { name: 'web', uuid: expect.any(String), host: 'a', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) },
      { name: 'db', uuid: expect.any(String), host: 'b', url: expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:\d+$/) },
      { name: 'spare', uuid: expect.any(String), host: 'b', url: null },
    ]);
  });

  it('When a client logs in with what it printed, Then XAPI and the VM application answer', async () => {
    const login = await jsonrpc(ready.xapi.url, 'session.login_with_password', [ready.xapi.username, ready.xapi.password]);
    expect(login.result).toMatch(/^OpaqueRef:/);
    const uuid = await jsonrpc(ready.xapi.url, 'VM.get_by_uuid', [login.result, ready.vms[0]?.uuid]);
    expect(uuid.result).toMatch(/^OpaqueRef:/);
    expect((await fetch(ready.vms[0]?.url ?? '')).status).toBe(200);
  });

  it('When it gets SIGTERM, Then it stops everything and exits 0 with nothing more on stdout', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout().trim().split('\n')).toHaveLength(1);
    await expect(fetch(ready.xapi.url)).rejects.toThrow();
  });
});

describe('Given `migrascope testbed --https --state-dir DIR` without --json', () => {
  it('When it is ready, Then a person reads the endpoint, credentials, CA bundle and tables; ca.pem is in DIR', async () => {
    const stateDir = join(dir, 'state');
    const cli = await startCli(['testbed', '--config', config, '--https', '--state-dir', stateDir]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const text = cli.stdout();
    expect(text).toContain('Simulated pool "cli-test" is ready.');
    expect(text).toMatch(/XAPI: +https:\/\/127\.0\.0\.1:\d+\//);
    expect(text).toContain(`CA bundle: ${join(stateDir, 'ca.pem')}`);
    expect(text).toMatch(/^VM +ON HOST +APPLICATION +UUID$/m);
    expect(readFileSync(join(stateDir, 'ca.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    // A directory the user gave is theirs: the CA stays.
    expect(existsSync(join(stateDir, 'ca.pem'))).toBe(true);
  });
});

describe('Given a broken topology file', () => {
  it('When the testbed is started with it, Then it exits 2 naming the bad field', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, TOPOLOGY.replace('{ name: b, memory: 1GiB', '{ name: b, memory: lots'));
    const cli = spawn(CLI, ['testbed', '--config', broken, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(cli);
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => cli.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^migrascope: hosts\[1\]\.memory: cannot read "lots"/m);
  });
});
