// The simulated pool's XAPI: the object database built from the topology, sessions, tasks,
// events and migrations, served over JSON-RPC and XML-RPC on one HTTP(S) endpoint.
import { EventEmitter } from 'node:events';
import type { TopologyConfig } from '../config.ts';
import { MigrationLinks } from '../migration-links.ts';
import type { GuestControl, LiveMigration } from '../migration.ts';
import { Dispatcher } from './dispatch.ts';
import { EventService } from './events.ts';
import { FaultPlan, type XapiFaultControl } from './faults.ts';
import { xapiMethods } from './methods.ts';
import { SimulatedPool } from './pool.ts';
import { startXapiEndpoint } from './server.ts';
import { SessionTable, type Credentials } from './sessions.ts';
import { ObjectStore } from './store.ts';
import { TaskTable } from './tasks.ts';
import type { MigrationObserver } from './vm-migration.ts';

export type { MigrationObserver, MigrationPhaseEvent, MigrationReport } from './vm-migration.ts';
export type { Credentials } from './sessions.ts';
export type { PlannedFailure, XapiFaultControl } from './faults.ts';

export interface XapiServerOptions {
  topology: TopologyConfig;
  credentials: Credentials;
  /** Each VM's guest, by VM name. */
  guests?: ReadonlyMap<string, GuestControl>;
  tls?: { key: string; cert: string };
  port?: number;
}

export interface XapiServer {
  url: string;
  pool: SimulatedPool;
  migrations: MigrationObserver;
  /** Faults a test may ask of this XAPI (faults.ts). */
  faults: XapiFaultControl;
  close(): Promise<void>;
}

export async function startXapiServer(options: XapiServerOptions): Promise<XapiServer> {
  const store = new ObjectStore();
  const pool = new SimulatedPool(store, options.topology);
  const sessions = new SessionTable(options.credentials);
  const tasks = new TaskTable(store, pool.masterRef);
  const events = new EventService(store);
  const migrations: MigrationObserver = new EventEmitter();
  const running = new Set<LiveMigration>();
  const migration = {
    pool,
    topology: options.topology,
    sessions,
    guests: options.guests ?? new Map(),
    observer: migrations,
    running,
    links: new MigrationLinks(linkBandwidthOf(options.topology)),
  };
  const plan = new FaultPlan();
  const dispatcher = new Dispatcher(sessions, tasks, xapiMethods({ store, sessions, tasks, events, migration }), plan);
  const endpoint = await startXapiEndpoint({ dispatcher, tls: options.tls, port: options.port });
  return {
    url: endpoint.url,
    pool,
    migrations,
    faults: {
      failNext: (method, failure, times) => plan.failNext(method, failure, times),
      calls: (method) => plan.calls(method),
      forgetSessions: () => sessions.forgetAll(),
      cutConnections: (ms) => endpoint.cut(ms),
    },
    close: async () => {
      for (const underway of running) underway.interrupt();
      events.wakeAll();
      await endpoint.close();
    },
  };
}

/** Each host's migration link, by host name. */
function linkBandwidthOf(topology: TopologyConfig): (host: string) => number {
  const bandwidth = new Map(topology.hosts.map((host) => [host.name, host.linkBandwidth]));
  return (host) => bandwidth.get(host) ?? Infinity;
}
