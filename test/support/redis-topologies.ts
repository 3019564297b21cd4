// Redis as production runs it, on loopback ports: a Cluster of three primaries (each with a
// replica, so a primary can fail over) and a Sentinel set (a primary, a replica, three Sentinels).
// Every server is Debian's redis-server started by startLocalRedis (a Sentinel is redis-server
// --sentinel, which is all Debian's redis-sentinel package adds), so each is stopped, and its
// data removed, with the test or by the watchdog should the test process die. Failovers are the
// ones an operator (or Kubernetes draining a node) asks for: CLUSTER FAILOVER on the replica,
// SENTINEL FAILOVER, each waited for until the set serves writes again.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freeLoopbackPort } from '../../src/loopback/index.ts';
import { startLocalRedis, type LocalRedis } from '../../src/queue/local-redis.ts';
import { waitFor } from './processes.ts';

const run = promisify(execFile);

export interface RedisAuth {
  /** requirepass of every server (and Sentinel's auth-pass); undefined: none. */
  password?: string;
  /**
   * TLS only, as a managed Redis speaks it: no plain port, the servers' (and Sentinels') certificate
   * checked against `caFile`, replication and the Sentinels' own links over TLS too. Sentinel sets only.
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export interface RedisClusterUnderTest {
  /** redis+cluster://host:port,… of the seed nodes (without the password). */
  url: string;
  nodes: LocalRedis[];
  /** Fails over the primary serving `key`'s slot to its replica, and waits until the new one serves it. */
  failover(key: string): Promise<{ from: number; to: number }>;
  stop(): Promise<void>;
}

export interface SentinelSetUnderTest {
  /** redis+sentinel://host:port,…/mymaster of the three Sentinels (rediss+sentinel with TLS; without the password). */
  url: string;
  masterName: string;
  servers: LocalRedis[];
  sentinels: LocalRedis[];
  /** The port of the primary the Sentinels name now. */
  primaryPort(): Promise<number>;
  /** SENTINEL FAILOVER, waited for until every Sentinel names the former replica the primary. */
  failover(): Promise<{ from: number; to: number }>;
  stop(): Promise<void>;
}

/** One command to one server, on a connection of its own. */
async function ask(port: number, auth: RedisAuth, ...command: [string, ...(string | number)[]]): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    ...(auth.password ? { password: auth.password } : {}),
    ...(auth.tls ? { tls: { ca: await readFile(auth.tls.caFile, 'utf8') } } : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(...command);
  } finally {
    client.disconnect();
  }
}

function authArgs(auth: RedisAuth): string[] {
  return auth.password ? ['--requirepass', auth.password, '--masterauth', auth.password] : [];
}

/** A server (or Sentinel) on a free port: TLS on that port and no other when `auth.tls`. */
async function startServer(auth: RedisAuth, args: string[], configFile?: string): Promise<LocalRedis> {
  const port = await freeLoopbackPort();
  const { tls } = auth;
  const tlsArgs = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no', '--tls-replication', 'yes']
    : [];
  return startLocalRedis({ port, ...(configFile ? { configFile } : {}), args: [...args, ...tlsArgs] });
}

async function stopAll(servers: LocalRedis[]): Promise<void> {
  await Promise.allSettled(servers.map((server) => server.stop()));
}

/** Three primaries and a replica of each (six servers), created with redis-cli --cluster create. */
export async function startRedisCluster(auth: RedisAuth = {}): Promise<RedisClusterUnderTest> {
  const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '3000', ...authArgs(auth)];
  const nodes: LocalRedis[] = [];
  try {
    for (let i = 0; i < 6; i += 1) nodes.push(await startLocalRedis({ args }));
    await run('redis-cli', [...(auth.password ? ['--no-auth-warning', '-a', auth.password] : []), '--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
    await clusterSettled(nodes, auth);
  } catch (error) {
    await stopAll(nodes);
    throw error;
  }
  return {
    url: `redis+cluster://${nodes
      .slice(0, 3)
      .map((node) => `127.0.0.1:${node.port}`)
      .join(',')}`,
    nodes,
    async failover(key) {
      const slot = Number(await ask(nodes[0]!.port, auth, 'CLUSTER', 'KEYSLOT', key));
      const shard = await slotShard(nodes[0]!.port, auth, slot);
      await replicating(shard.replica, auth);
      // A manual failover the primary does not answer in time is given up by the replica: ask again.
      await waitFor(
        `replica ${shard.replica} taking over slot ${slot}`,
        async () => {
          if ((await slotShard(nodes[0]!.port, auth, slot)).primary === shard.replica) return true;
          if (!String(await ask(shard.replica, auth, 'ROLE')).startsWith('master')) await ask(shard.replica, auth, 'CLUSTER', 'FAILOVER').catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 2000));
          return false;
        },
        30_000,
      );
      await replicating(shard.primary, auth);
      await clusterSettled(nodes, auth);
      return { from: shard.primary, to: shard.replica };
    },
    stop: () => stopAll(nodes),
  };
}

async function clusterSettled(nodes: LocalRedis[], auth: RedisAuth): Promise<void> {
  await waitFor(
    'every cluster node reporting cluster_state:ok',
    async () => (await Promise.all(nodes.map((node) => ask(node.port, auth, 'CLUSTER', 'INFO')))).every((info) => String(info).includes('cluster_state:ok')),
    30_000,
  );
}

/** Waits until the replica on `port` has its link to its primary up (a failover needs it). */
async function replicating(port: number, auth: RedisAuth): Promise<void> {
  await waitFor(`the replica on ${port} in sync with its primary`, async () => String(await ask(port, auth, 'INFO', 'replication')).includes('master_link_status:up'), 30_000);
}

/** The ports of the primary serving `slot` and of its (first) replica, from CLUSTER NODES. */
async function slotShard(port: number, auth: RedisAuth, slot: number): Promise<{ primary: number; replica: number }> {
  const lines = String(await ask(port, auth, 'CLUSTER', 'NODES'))
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
  const portOf = (fields: string[]): number => Number(/:(\d+)@/.exec(fields[1]!)![1]);
  const primary = lines.find(
    (fields) =>
      fields[2]!.includes('master') &&
      fields.slice(8).some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return slot >= from! && slot <= to!;
      }),
  );
  if (!primary) throw new Error(`no primary serves slot ${slot}`);
  const replica = lines.find((fields) => fields[3] === primary[0]);
  if (!replica) throw new Error(`the primary of slot ${slot} has no replica`);
  return { primary: portOf(primary), replica: portOf(replica) };
}

/** A primary, its replica and three Sentinels (quorum 2) watching them as "mymaster". */
export async function startSentinelSet(auth: RedisAuth = {}): Promise<SentinelSetUnderTest> {
  const masterName = 'mymaster';
  // The Sentinels ask for no password of their own; they speak TLS when the servers do.
  const sentinelAuth: RedisAuth = auth.tls ? { tls: auth.tls } : {};
  const configDir = await mkdtemp(join(tmpdir(), 'migrascope-sentinel-'));
  const servers: LocalRedis[] = [];
  const sentinels: LocalRedis[] = [];
  try {
    servers.push(await startServer(auth, authArgs(auth)));
    const primary = servers[0]!;
    servers.push(await startServer(auth, [...authArgs(auth), '--replicaof', '127.0.0.1', String(primary.port)]));
    await replicating(servers[1]!.port, auth);
    for (let i = 0; i < 3; i += 1) {
      const configFile = join(configDir, `sentinel-${i}.conf`);
      await writeFile(
        configFile,
        [
          `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${masterName} 2000`,
          `sentinel failover-timeout ${masterName} 10000`,
          ...(auth.password ? [`sentinel auth-pass ${masterName} ${auth.password}`] : []),
          '',
        ].join('\n'),
      );
      sentinels.push(await startServer(auth, ['--sentinel'], configFile));
    }
    // Sentinels find the replica and each other through the primary (hello messages every 2 s).
    await waitFor(
      'every Sentinel knowing the replica and the two other Sentinels',
      async () => {
        const known = await Promise.all(
          sentinels.map(async (sentinel) => [(await ask(sentinel.port, sentinelAuth, 'SENTINEL', 'REPLICAS', masterName)) as unknown[], (await ask(sentinel.port, sentinelAuth, 'SENTINEL', 'SENTINELS', masterName)) as unknown[]] as const),
        );
        return known.every(([replicas, others]) => replicas.length === 1 && others.length === 2);
      },
      30_000,
    );
  } catch (error) {
    await stopAll([...sentinels, ...servers]);
    await rm(configDir, { recursive: true, force: true });
    throw error;
  }
  const primaryPort = async (): Promise<number> => Number(((await ask(sentinels[0]!.port, sentinelAuth, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[])[1]);
  return {
    url: `${auth.tls ? 'rediss' : 'redis'}+sentinel://${sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',')}/${masterName}`,
    masterName,
    servers,
    sentinels,
    primaryPort,
    async failover() {
      const from = await primaryPort();
      const to = servers.find((server) => server.port !== from)!.port;
      await ask(sentinels[0]!.port, sentinelAuth, 'SENTINEL', 'FAILOVER', masterName);
      await waitFor(
        `every Sentinel naming ${to} the primary`,
        async () => (await Promise.all(sentinels.map(async (sentinel) => Number(((await ask(sentinel.port, sentinelAuth, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[])[1])))).every((port) => port === to),
        30_000,
      );
      return { from, to };
    },
    async stop() {
      await stopAll([...sentinels, ...servers]);
      await rm(configDir, { recursive: true, force: true });
    },
  };
}
