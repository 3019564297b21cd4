// The testbed: a simulated XenServer pool behind a real XAPI endpoint, with the guests its VMs
// front (the reference application, its database, or any app, each behind a guest proxy that
// stalls during stop-and-copy). The demo, the tests and users without a pool run against it.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../log/index.ts';
import { startReferenceApp, startReferenceDatabase, type ReferenceApp } from './app/index.ts';
import type { TopologyConfig, VmConfig } from './config.ts';
import { GuestProxy } from './guest-proxy.ts';
import { createTestbedTls, writeCaFile } from './tls.ts';
import { startXapiServer, type MigrationObserver, type XapiFaultControl } from './xapi/index.ts';

export type { MigrationObserver, MigrationPhaseEvent, MigrationReport, PlannedFailure, XapiFaultControl } from './xapi/index.ts';
export { loadTopology, parseTopology, type TopologyConfig } from './config.ts';

export interface TestbedOptions {
  /** Where ca.pem goes (HTTPS only); a fresh temporary directory, removed on close, by default. */
  stateDir?: string;
  /** Overrides the topology's `tls`. */
  tls?: boolean;
  /** Overrides the topology's `port`. */
  port?: number;
}

export interface TestbedDescription {
  xapi: { url: string; username: string; password: string; caFile?: string };
  hosts: { name: string; uuid: string }[];
  /**
   * `host`: where the VM runs at start (null when halted); `url`: its guest's proxy (null without
   * one), tcp://HOST:PORT for the reference app's database, which speaks no HTTP.
   */
  vms: { name: string; uuid: string; host: string | null; url: string | null }[];
}

export interface Testbed extends TestbedDescription {
  /** 'phase' and 'migration' events of every live migration (see MigrationObserver). */
  migrations: MigrationObserver;
  /** The guest proxy of each VM that fronts one, by VM name. */
  guests: ReadonlyMap<string, GuestProxy>;
  /** Faults a test may ask of the XAPI: planned errors, forgotten sessions, cut connections. */
  faults: XapiFaultControl;
  close(): Promise<void>;
}

export async function startTestbed(topology: TopologyConfig, options: TestbedOptions = {}): Promise<Testbed> {
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const guests = await startGuests(topology.vms, cleanups);
    const useTls = options.tls ?? topology.tls;
    const tls = useTls ? createTestbedTls(topology.pool) : undefined;
    let caFile: string | undefined;
    if (tls) {
      const dir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'migrascope-testbed-')));
      if (options.stateDir) await mkdir(dir, { recursive: true });
      else cleanups.push(() => rm(dir, { recursive: true, force: true }));
      caFile = await writeCaFile(tls, dir);
    }
    const credentials = {
      username: topology.credentials.username,
      password: topology.credentials.password ?? randomBytes(12).toString('base64url'),
    };
    const xapi = await startXapiServer({
      topology,
      credentials,
      guests,
      tls: tls && { key: tls.key, cert: tls.cert },
      port: options.port ?? topology.port,
    });
    cleanups.push(() => xapi.close());

    const { store } = xapi.pool;
    const description: TestbedDescription = {
      xapi: { url: xapi.url, ...credentials, ...(caFile ? { caFile } : {}) },
      hosts: xapi.pool.hosts.map((host) => ({ name: host.config.name, uuid: store.get('host', host.ref).uuid })),
      vms: xapi.pool.vms.map((vm) => {
        const record = store.get('VM', vm.ref);
        const host = xapi.pool.hostByRef(record.resident_on);
        return { name: vm.config.name, uuid: record.uuid, host: host?.config.name ?? null, url: guestUrl(vm.config, guests.get(vm.config.name)) };
      }),
    };
    logger().info({ url: xapi.url, hosts: description.hosts.length, vms: description.vms.length }, 'testbed ready');
    return { ...description, migrations: xapi.migrations, guests, faults: xapi.faults, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function guestUrl(vm: VmConfig, proxy: GuestProxy | undefined): string | null {
  if (!proxy) return null;
  return vm.guest?.app === 'reference-db' ? `tcp://${proxy.host}:${proxy.port}` : proxy.url;
}

/**
 * Starts each VM's guest behind its own proxy: the reference app, its database (reference-db), or
 * an existing URL. Databases first, so that a site reaches its data through the db VM's proxy and
 * a migration of the db VM stalls the site's queries.
 */
async function startGuests(vms: VmConfig[], cleanups: (() => Promise<void>)[]): Promise<Map<string, GuestProxy>> {
  const guests = new Map<string, GuestProxy>();
  const databases = vms.filter((vm) => vm.guest?.app === 'reference-db');
  for (const vm of [...databases, ...vms.filter((vm) => vm.guest && !databases.includes(vm))]) {
    const proxy = await GuestProxy.start({
      target: await startGuest(vm, vms, guests, cleanups),
      listenPort: vm.guest?.listenPort,
      precopySlowdown: vm.precopySlowdown,
      warmupPenaltyMs: vm.warmup?.penalty,
      warmupDecayMs: vm.warmup?.decay,
    });
    cleanups.push(() => proxy.close());
    guests.set(vm.name, proxy);
  }
  return guests;
}

/** Starts what runs inside `vm` (if anything does here) and says where its proxy sends traffic. */
async function startGuest(vm: VmConfig, vms: VmConfig[], guests: ReadonlyMap<string, GuestProxy>, cleanups: (() => Promise<void>)[]): Promise<{ host: string; port: number }> {
  const guest = vm.guest!;
  if (guest.app === 'reference-db') {
    const database = await startReferenceDatabase({ host: '127.0.0.1', port: 0, scale: guest.scale, seed: guest.seed });
    cleanups.push(() => database.close());
    return { host: database.host, port: database.port };
  }
  if (guest.app === 'reference') {
    // The parsed topology names a database VM only when it has a reference-db guest, started first.
    const holder = guest.database === undefined ? undefined : vms.find((candidate) => candidate.name === guest.database);
    const proxy = holder && guests.get(holder.name);
    const data = proxy ? { database: { host: proxy.host, port: proxy.port }, seed: holder.guest?.seed } : { scale: guest.scale, seed: guest.seed };
    const app: ReferenceApp = await startReferenceApp({ host: '127.0.0.1', port: 0, ...data });
    cleanups.push(() => app.close());
    return { host: '127.0.0.1', port: app.port };
  }
  const url = new URL(guest.url ?? '');
  return { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}
