// The xen adapter against the testbed's XAPI, through the real `xen-api` client, over HTTPS with
// the testbed's own CA. Nothing is mocked: the connection drop is a real TCP relay between the
// adapter and the testbed that is cut (sockets destroyed, port closed) and brought back.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'xen-api';
import { createLogger } from '../../src/log/index.ts';
import { UNVERIFIED_TLS_WARNING } from '../../src/xen/connection.ts';
import { parseTopology, startTestbed, type MigrationReport, type Testbed } from '../../src/testbed/index.ts';
import {
  NoDestinationError,
  VmNotFoundError,
  XapiAuthenticationError,
  XapiTlsError,
  XapiUnreachableError,
  XenPool,
  type Host,
  type MigrationRecord,
  type TaskProgress,
  type XapiCredentials,
  type XenPoolOptions,
} from '../../src/xen/index.ts';

const GiB = 1024 ** 3;
const CLI = fileURLToPath(new URL('../../bin/migrascope', import.meta.url));
const run = promisify(execFile);

// Four hosts: three roomy ones and `tiny`, whose control domain leaves it 256 MiB. `web` moves in
// about half a second, `batch` in about three (1 GB/s links), `stopped` is halted.
const topology = parseTopology({
  pool: 'xen-adapter-test',
  credentials: { username: 'root', password: 'adapter-test-secret' },
  tls: true,
  port: 0,
  model: { setup: '100ms', resumeOverhead: '50ms' },
  hosts: [
    { name: 'xen-a', memory: '16GiB', linkBandwidth: '1GB/s' },
    { name: 'xen-b', memory: '16GiB', linkBandwidth: '1GB/s' },
    { name: 'xen-c', memory: '12GiB', linkBandwidth: '1GB/s' },
    { name: 'tiny', memory: '1280MiB', linkBandwidth: '1GB/s', controlDomainMemory: '1GiB' },
  ],
  vms: [
    { name: 'web', memory: '512MiB', host: 'xen-a' },
    { name: 'batch', memory: '3GiB', host: 'xen-b' },
    { name: 'stopped', memory: '1GiB', powerState: 'Halted' },
  ],
});

const quiet: XenPoolOptions = { log: createLogger({ level: 'silent' }), taskPollIntervalMs: 50 };

let testbed: Testbed;
let caBundle: string;
let credentials: XapiCredentials;
const pools: XenPool[] = [];

async function connect(overrides: Partial<XapiCredentials> = {}, options: XenPoolOptions = {}): Promise<XenPool> {
  const pool = await XenPool.connect({ ...credentials, ...overrides }, { ...quiet, ...options });
  pools.push(pool);
  return pool;
}

/** The testbed's own account of the next migration of `vm` to end. */
function nextReport(vm: string): Promise<MigrationReport> {
  return new Promise((resolve) => {
    const listener = (report: MigrationReport) => {
      if (report.vm !== vm) return;
      testbed.migrations.off('migration', listener);
      resolve(report);
    };
    testbed.migrations.on('migration', listener);
  });
}

beforeAll(async () => {
  testbed = await startTestbed(topology);
  caBundle = await readFile(testbed.xapi.caFile ?? '', 'utf8');
  credentials = { url: testbed.xapi.url, username: testbed.xapi.username, password: testbed.xapi.password, caBundle };
});

afterAll(async () => {
  for (const pool of pools.splice(0)) await pool.close();
  await testbed?.close();
});

describe('Given the testbed serves XAPI over HTTPS with its own CA', () => {
  it('when the adapter is given that CA bundle, then it logs in with verification on', async () => {
    const pool = await connect();
    expect((await pool.listHosts()).map((host) => host.name).sort()).toEqual(['tiny', 'xen-a', 'xen-b', 'xen-c']);
  });

  it('when no CA bundle is given, then the certificate is refused with advice to give one', async () => {
    const attempt = connect({ caBundle: undefined });
    await expect(attempt).rejects.toBeInstanceOf(XapiTlsError);
    await expect(attempt).rejects.toThrow(/cannot verify the TLS certificate of https:\/\/127\.0\.0\.1:\d+: .*give the pool's CA bundle/);
  });

  it('when another CA is given, then the certificate is refused too', async () => {
    const other = await startTestbed(parseTopology({ hosts: [{ name: 'elsewhere', memory: '4GiB', linkBandwidth: '1GB/s' }] }));
    try {
      const otherCa = await readFile(other.xapi.caFile ?? '', 'utf8');
      await expect(connect({ caBundle: otherCa })).rejects.toBeInstanceOf(XapiTlsError);
    } finally {
      await other.close();
    }
  });

  it('when verification is skipped on request, then it logs in without the CA, and says so loudly at every connection (a verified one says nothing)', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
    const pool = await connect({ caBundle: undefined, insecureSkipVerify: true }, { log });
    expect(await pool.findVm('web')).toMatchObject({ name: 'web' });
    await connect({ caBundle: undefined, insecureSkipVerify: true }, { log });
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string; url?: string }).filter((entry) => entry.level === 40);
    expect(warnings.map((entry) => entry.msg)).toEqual([UNVERIFIED_TLS_WARNING, UNVERIFIED_TLS_WARNING]);
    expect(warnings[0]?.url).toBe(new URL(testbed.xapi.url).origin);
    lines.length = 0;
    await connect({}, { log });
    expect(lines.filter((line) => line.includes('NOT verified'))).toEqual([]);
  });

  it('when the password is wrong, then the refusal names the user and the URL, not the password', async () => {
    const attempt = connect({ password: 'not-the-password' });
    await expect(attempt).rejects.toBeInstanceOf(XapiAuthenticationError);
    await expect(attempt).rejects.toThrow(/refused to log in root: wrong username or password/);
    await expect(attempt).rejects.not.toThrow(/not-the-password/);
  });

  it('when nothing listens at the URL, then XAPI is said to be unreachable', async () => {
    const relay = await TcpRelay.start(testbed.xapi.url);
    await relay.cut();
    try {
      const attempt = connect({ url: relay.url });
      await expect(attempt).rejects.toBeInstanceOf(XapiUnreachableError);
      await expect(attempt).rejects.toThrow(/connection refused \(nothing listens there\) \(ECONNREFUSED\)/);
    } finally {
      await relay.close();
    }
  });
});

describe('Given a connected pool', () => {
  let pool: XenPool;
  beforeAll(async () => {
    pool = await connect();
  });

  describe('when looking up VMs and hosts', () => {
    it('then a VM is found by name label and by uuid', async () => {
      const uuid = testbed.vms.find((vm) => vm.name === 'batch')?.uuid ?? '';
      expect(await pool.findVm('batch')).toMatchObject({ name: 'batch', uuid, powerState: 'Running', memoryNeeded: expect.any(Number) });
      expect((await pool.findVm(uuid)).name).toBe('batch');
    });

    it('then an unknown VM is refused, listing the VMs there are', async () => {
      const attempt = pool.findVm('wbe');
      await expect(attempt).rejects.toBeInstanceOf(VmNotFoundError);
      await expect(attempt).rejects.toThrow(/no VM is named "wbe" or has that uuid .*\(VMs: batch, stopped, web\)/);
    });

    it('then hosts come with their state, memory from host_metrics and resident VMs', async () => {
      const hosts = new Map((await pool.listHosts()).map((host) => [host.name, host]));
      expect(hosts.get('xen-b')).toMatchObject({ enabled: true, live: true, memoryTotal: 16 * GiB, residentVms: ['batch'] });
      expect(hosts.get('xen-a')?.residentVms).toEqual(['web']);
      expect(hosts.get('tiny')?.memoryFree).toBeLessThan(512 * 1024 ** 2);
      // xen-b runs a 3 GiB VM besides its control domain: it has less free than xen-a.
      expect(hosts.get('xen-b')?.memoryFree).toBeLessThan(hosts.get('xen-a')?.memoryFree ?? 0);
    });
  });

  describe('when choosing where web (on xen-a) goes', () => {
    let web: Awaited<ReturnType<XenPool['findVm']>>;
    beforeAll(async () => {
      web = await pool.findVm('web');
    });

    it('then a named host is taken by name or uuid', async () => {
      expect((await pool.chooseDestination(web, { kind: 'host', host: 'xen-c' })).name).toBe('xen-c');
      const uuid = testbed.hosts.find((host) => host.name === 'xen-b')?.uuid ?? '';
      expect((await pool.chooseDestination(web, { kind: 'host', host: uuid })).name).toBe('xen-b');
    });

    it('then round-robin takes the next host in name order, skipping the previous source', async () => {
      expect((await pool.chooseDestination(web, { kind: 'roundRobin' })).name).toBe('xen-b');
      expect((await pool.chooseDestination(web, { kind: 'roundRobin' }, 'xen-b')).name).toBe('xen-c');
    });

    it('then most-free-memory takes the roomiest host that is not its own', async () => {
      // Free: xen-a about 14.5 GiB (but web is on it), xen-b about 12 (16 less dom0 and batch),
      // xen-c about 11 (12 less dom0), tiny about 0.25.
      expect((await pool.chooseDestination(web, { kind: 'mostFreeMemory' })).name).toBe('xen-b');
      expect((await pool.chooseDestination(web, { kind: 'mostFreeMemory' }, 'xen-b')).name).toBe('xen-c');
    });

    it('then the full host and its own host are refused with the reason', async () => {
      await expect(pool.chooseDestination(web, { kind: 'host', host: 'tiny' })).rejects.toThrow(
        /cannot migrate VM web to host tiny: it has \d+\.\d\d MiB free but the VM needs \d+\.\d\d MiB/,
      );
      await expect(pool.chooseDestination(web, { kind: 'host', host: 'xen-a' })).rejects.toThrow(/the VM is already on it/);
    });
  });

  describe('when web is live-migrated', () => {
    let record: MigrationRecord;
    let report: MigrationReport;
    const progress: TaskProgress[] = [];
    let destination: Host;

    beforeAll(async () => {
      const web = await pool.findVm('web');
      destination = await pool.chooseDestination(web, { kind: 'roundRobin' });
      const ended = nextReport('web');
      record = await pool.migrate(web, destination, { onProgress: (step) => progress.push(step) });
      report = await ended;
    });

    it('then the record tells where from, where to and that it worked', () => {
      expect(record).toMatchObject({ vm: { name: 'web' }, source: { name: 'xen-a' }, destination: { name: 'xen-b' }, ok: true });
      expect(record.task).toMatch(/^OpaqueRef:/);
      expect(record.reason).toBeUndefined();
    });

    it('then its duration spans at least the migration the testbed ran', () => {
      expect(report.task).toBe(record.task);
      expect(record.durationMs).toBeGreaterThanOrEqual(report.timeline.endedAt - report.timeline.startedAt - 1);
      expect(Date.parse(record.end) - Date.parse(record.start)).toBeCloseTo(record.durationMs, -1);
    });

    it('then progress rose to 1 and the task ended in success', () => {
      const fractions = progress.map((step) => step.progress);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
      expect(progress.at(-1)).toEqual({ progress: 1, status: 'success', connected: true, dataRemainingBytes: 0 });
    });

    it("then the data the model still had to send, read from the task's other_config, fell round after round to nothing", () => {
      const remaining = progress.map((step) => step.dataRemainingBytes);
      expect(remaining.every((bytes) => typeof bytes === 'number')).toBe(true);
      const bytes = remaining as number[];
      expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
      expect(new Set(bytes).size).toBeGreaterThanOrEqual(3);
      expect(bytes[0]).toBeGreaterThan(0);
      expect(bytes[0]).toBeLessThanOrEqual(Math.round(report.prediction.bytesSent));
      expect(bytes.at(-1)).toBe(0);
    });

    it('then the pool shows web on its new host', async () => {
      const hosts = new Map((await pool.listHosts()).map((host) => [host.name, host]));
      expect(hosts.get('xen-b')?.residentVms).toContain('web');
      expect(hosts.get('xen-a')?.residentVms).not.toContain('web');
    });

    it('then the finished task was destroyed, as its creator must', async () => {
      await expect(inspect('task.get_record', record.task)).rejects.toMatchObject({ code: 'HANDLE_INVALID' });
    });
  });

  describe('when XAPI refuses a migration', () => {
    it('then a full destination comes back as a failed record with sizes and advice', async () => {
      const record = await pool.migrate(await pool.findVm('web'), await hostNamed(pool, 'tiny'));
      // As in XAPI, the Async call hands back a task and the refusal comes as the task's failure.
      expect(record).toMatchObject({ ok: false, failure: { kind: 'not-enough-memory', xapiCode: 'HOST_NOT_ENOUGH_FREE_MEMORY' } });
      expect(record.reason).toMatch(/^host tiny has \d+\.\d\d MiB free but VM web needs \d+\.\d\d MiB; choose another destination/);
    });

    it('then a halted VM comes back as a failed record saying to start it', async () => {
      const record = await pool.migrate(await pool.findVm('stopped'), await hostNamed(pool, 'xen-c'));
      expect(record).toMatchObject({ ok: false, failure: { kind: 'bad-power-state', xapiCode: 'VM_BAD_POWER_STATE' } });
      expect(record.reason).toMatch(/VM stopped is halted but must be running .*; start it first/);
    });

    it("then the VM's own host is refused before XAPI is asked", async () => {
      const web = await pool.findVm('web');
      const own = (await pool.listHosts()).find((host) => host.ref === web.residentOn);
      await expect(pool.migrate(web, own as Host)).rejects.toBeInstanceOf(NoDestinationError);
    });

    it('then a VM already migrating is reported busy, and retryable', async () => {
      const batch = await pool.findVm('batch');
      const ended = nextReport('batch');
      let underway!: () => void;
      const started = new Promise<void>((resolve) => (underway = resolve));
      const first = pool.migrate(batch, await hostNamed(pool, 'xen-c'), { onProgress: () => underway() });
      await started;
      const second = await (await connect()).migrate(batch, await hostNamed(pool, 'xen-a'));
      expect(second).toMatchObject({ ok: false, failure: { kind: 'operation-in-progress', retryable: true } });
      expect(second.reason).toMatch(/VM batch is busy with pool_migrate; wait for it to finish and try again/);
      expect((await first).ok).toBe(true);
      await ended;
    });
  });
});

describe('Given the connection to XAPI drops in the middle of a migration', () => {
  let relay: TcpRelay;
  beforeAll(async () => {
    relay = await TcpRelay.start(testbed.xapi.url);
  });
  afterAll(async () => {
    await relay.close();
  });

  it('when it comes back within the reconnect budget, then the adapter still reports the end', async () => {
    const pool = await connect({ url: relay.url });
    const batch = await pool.findVm('batch');
    const source = (await pool.listHosts()).find((host) => host.ref === batch.residentOn);
    const destination = await pool.chooseDestination(batch, { kind: 'roundRobin' });
    const progress: TaskProgress[] = [];
    let outage: Promise<void> | undefined;
    let reportSeen = false;
    const ended = nextReport('batch').then((report) => {
      reportSeen = true;
      return report;
    });

    const record = await pool.migrate(batch, destination, {
      onProgress: (step) => {
        progress.push(step);
        // Cut once the copy is under way, for a good part of the migration.
        if (outage === undefined && step.progress > 0.05) outage = relay.cut().then(() => pause(1_500)).then(() => relay.restore());
      },
    });
    await outage;

    expect(record).toMatchObject({ ok: true, source: { name: source?.name }, destination: { name: destination.name } });
    expect(progress.some((step) => !step.connected)).toBe(true);
    expect(progress.at(-1)).toEqual({ progress: 1, status: 'success', connected: true, dataRemainingBytes: 0 });
    // While the connection is down, the data remaining is the last value read, as the progress.
    const lost = progress.findIndex((step) => !step.connected);
    expect(progress[lost]?.dataRemainingBytes).toBe(progress[lost - 1]?.dataRemainingBytes);
    expect(relay.cuts).toBe(1);
    // The record came after the testbed ended the migration, not before (nor never).
    expect(reportSeen).toBe(true);
    expect((await ended).task).toBe(record.task);
  });

  it('when it stays down past the budget, then the record says the task was lost and what to check', async () => {
    const pool = await connect({ url: relay.url }, { reconnectTimeoutMs: 300 });
    const batch = await pool.findVm('batch');
    const ended = nextReport('batch');
    let outage: Promise<void> | undefined;
    const record = await pool.migrate(batch, await pool.chooseDestination(batch, { kind: 'roundRobin' }), {
      onProgress: (step) => {
        if (outage === undefined && step.progress > 0.05) outage = relay.cut();
      },
    });
    expect(record).toMatchObject({ ok: false, failure: { kind: 'task-lost' } });
    expect(record.reason).toMatch(/lost the connection to XAPI for \d+ s while following task OpaqueRef:.*look at where the VM runs now/);
    await outage;
    await relay.restore();
    await ended;
  });
});

describe('Given the migrate command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrascope-migrate-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when web is migrated with a password file and the CA, then one JSON record is printed and the password nowhere', async () => {
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${testbed.xapi.password}\n`);
    const { stdout, stderr } = await run(
      CLI,
      [
        'migrate',
        ...['--url', testbed.xapi.url, '--username', testbed.xapi.username, '--password-file', passwordFile],
        ...['--ca', testbed.xapi.caFile ?? '', '--vm', 'web', '--policy', 'most-free-memory', '--json'],
      ],
      { env: { ...process.env, MIGRASCOPE_LOG_LEVEL: 'debug' } },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as MigrationRecord;
    expect(record).toMatchObject({ vm: { name: 'web' }, ok: true });
    expect(record.destination.name).not.toBe(record.source.name);
    expect(stdout + stderr).not.toContain(testbed.xapi.password);
  });

  it('when the CA is left out, then it exits 1 with the TLS advice', async () => {
    const attempt = run(CLI, ['migrate', '--url', testbed.xapi.url, '--username', 'root', '--vm', 'web', '--json'], {
      env: { ...process.env, MIGRASCOPE_XAPI_PASSWORD: testbed.xapi.password },
    });
    await expect(attempt).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot verify the TLS certificate/) });
  });
});

// --- helpers ---------------------------------------------------------------------------------

async function hostNamed(pool: XenPool, name: string): Promise<Host> {
  const host = (await pool.listHosts()).find((candidate) => candidate.name === name);
  if (host === undefined) throw new Error(`no host ${name} in the testbed`);
  return host;
}

/**
 * One raw XAPI call with a bare xen-api client, to look at what the adapter does not expose.
 * Verification is off here: this is the test looking, not the adapter under test.
 */
async function inspect(method: string, ...args: unknown[]): Promise<unknown> {
  const client = createClient({
    url: testbed.xapi.url,
    auth: { user: testbed.xapi.username, password: testbed.xapi.password },
    allowUnauthorized: true,
    watchEvents: false,
  });
  await client.connect();
  try {
    return await client.call(method, ...args);
  } finally {
    await client.disconnect();
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A TCP relay in front of the testbed's XAPI port. cut() destroys every connection and stops
 * listening (clients see resets, then refusals); restore() listens on the same port again. TLS
 * passes through untouched, so the adapter still verifies the testbed's certificate.
 */
class TcpRelay {
  cuts = 0;
  readonly #target: { host: string; port: number };
  readonly #protocol: string;
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;
  #port = 0;

  private constructor(targetUrl: string) {
    const target = new URL(targetUrl);
    this.#target = { host: target.hostname, port: Number(target.port) };
    this.#protocol = target.protocol;
  }

  static async start(targetUrl: string): Promise<TcpRelay> {
    const relay = new TcpRelay(targetUrl);
    await relay.#listen(0);
    return relay;
  }

  get url(): string {
    return `${this.#protocol}//127.0.0.1:${this.#port}`;
  }

  async cut(): Promise<void> {
    this.cuts += 1;
    await this.#stop();
  }

  async restore(): Promise<void> {
    await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    await this.#stop();
  }

  async #stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server?.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async #listen(port: number): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.#target);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        // A cut destroys both ends; the errors it causes are the point of the exercise.
        socket.on('error', () => socket.destroy());
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as net.AddressInfo).port;
  }
}
