// Where Redis is, as one URL: a single server, a Sentinel set or a Cluster. ioredis reads only the
// first form itself; the other two follow the convention of redis-py's Sentinel URL helpers
// (redis+sentinel://, as Prefect and docket read it), so one URL names any of the three in the
// flag, the environment and the chart:
//
//   redis://[[user]:password@]host[:6379][/db]            one server (rediss:// over TLS)
//   redis+sentinel://[[user]:password@]host[:26379][,host2[:port2]...]/master-name[/db]
//   redis+cluster://[[user]:password@]host[:6379][,host2[:port2]...]
//
// with rediss+sentinel:// and rediss+cluster:// for TLS (to the data nodes and the Sentinels
// alike). The password may instead come from the environment (a Kubernetes Secret), so the URL can
// stay in plain configuration: MIGRASCOPE_REDIS_PASSWORD for the data nodes,
// MIGRASCOPE_REDIS_SENTINEL_PASSWORD for the Sentinels (default: none), and
// MIGRASCOPE_REDIS_CA_FILE, the PEM file of the CA a TLS server's certificate is checked against
// (default: the system's).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { InvalidInputError } from '../invalid/index.ts';

/** The forms `--redis` reads, for the commands' help. */
export const REDIS_URL_FORMS = 'redis[s]://[user:password@]host:port[/db], redis[s]+sentinel://host:port,…/master-name[/db] or redis[s]+cluster://host:port,…';

/** The environment read with the URL, for the commands' help. */
export const REDIS_ENV_HELP = [
  '  MIGRASCOPE_REDIS_PASSWORD           Redis password (AUTH), over the URL\'s',
  '  MIGRASCOPE_REDIS_SENTINEL_PASSWORD  the Sentinels\' own password',
  '  MIGRASCOPE_REDIS_CA_FILE            CA (PEM) a rediss server\'s certificate is checked against',
].join('\n');

export type RedisTopology = 'standalone' | 'sentinel' | 'cluster';

export interface RedisEndpoint {
  host: string;
  port: number;
}

/** What a URL (and the environment) says about where Redis is and how to log in to it. */
export interface RedisTarget {
  topology: RedisTopology;
  /** The server, the Sentinels or the Cluster's seed nodes. */
  endpoints: RedisEndpoint[];
  /** Sentinel only: the name the Sentinels monitor the primary under. */
  masterName?: string;
  db: number;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  /** TLS settings when the scheme is rediss…; undefined for plain TCP. */
  tls?: ConnectionOptions;
}

const SCHEMES: Record<string, { topology: RedisTopology; tls: boolean }> = {
  'redis:': { topology: 'standalone', tls: false },
  'rediss:': { topology: 'standalone', tls: true },
  'redis+sentinel:': { topology: 'sentinel', tls: false },
  'rediss+sentinel:': { topology: 'sentinel', tls: true },
  'redis+cluster:': { topology: 'cluster', tls: false },
  'rediss+cluster:': { topology: 'cluster', tls: true },
};

const DEFAULT_PORT: Record<RedisTopology, number> = { standalone: 6379, sentinel: 26379, cluster: 6379 };

/**
 * Reads a Redis URL; bad input is an InvalidInputError (exit 2) naming `what` (where the URL came
 * from), what is wrong and the form expected, never the password.
 */
export function parseRedisUrl(url: string, env: NodeJS.ProcessEnv = process.env, what = '--redis'): RedisTarget {
  const schemeEnd = url.indexOf('//');
  const scheme = SCHEMES[url.slice(0, schemeEnd).toLowerCase()];
  if (schemeEnd < 0 || !scheme) {
    throw new InvalidInputError(what, `expected redis://, rediss://, redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster://, got "${url.replace(/\/\/.*@/, '//***@')}"`);
  }
  const rest = url.slice(schemeEnd + 2);
  // The userinfo runs to the last "@" before the path, so a password holding "@" is read whole.
  const pathStart = rest.search(/[/?#]/);
  const authority = pathStart < 0 ? rest : rest.slice(0, pathStart);
  const path = pathStart < 0 ? '' : rest.slice(pathStart);
  // ioredis would take ?family=6 and the like as options; here the environment says the rest.
  if (/[?#]/.test(path)) throw new InvalidInputError(what, `options after "?" are not read: give the password and CA through MIGRASCOPE_REDIS_PASSWORD and MIGRASCOPE_REDIS_CA_FILE`);
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const hosts = authority.slice(at + 1);
  const target: RedisTarget = { topology: scheme.topology, endpoints: endpoints(hosts, DEFAULT_PORT[scheme.topology], what, scheme.topology), db: 0 };
  if (userinfo !== undefined) {
    // As ioredis reads redis:// URLs: "user:password", ":password" (the default user), "user".
    const colon = userinfo.indexOf(':');
    const user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const password = colon < 0 ? '' : decodeURIComponent(userinfo.slice(colon + 1));
    if (user) target.username = user;
    if (password) target.password = password;
  }
  const segments = path.split('/').filter(Boolean);
  if (scheme.topology === 'sentinel') {
    const [masterName, db, ...extra] = segments;
    if (!masterName) throw new InvalidInputError(what, `a Sentinel URL names the primary the Sentinels monitor: redis+sentinel://host:26379,host2:26379/mymaster`);
    target.masterName = decodeURIComponent(masterName);
    target.db = database(db, extra, what);
  } else if (scheme.topology === 'cluster') {
    // A Cluster has database 0 only.
    if (segments.length > 0) throw new InvalidInputError(what, `a Redis Cluster has no databases to choose: drop "/${segments.join('/')}" from the URL`);
  } else {
    const [db, ...extra] = segments;
    target.db = database(db, extra, what);
  }
  if (env.MIGRASCOPE_REDIS_PASSWORD) target.password = env.MIGRASCOPE_REDIS_PASSWORD;
  if (env.MIGRASCOPE_REDIS_SENTINEL_PASSWORD) target.sentinelPassword = env.MIGRASCOPE_REDIS_SENTINEL_PASSWORD;
  if (scheme.tls) target.tls = tlsOptions(env.MIGRASCOPE_REDIS_CA_FILE);
  return target;
}

function endpoints(hosts: string, defaultPort: number, what: string, topology: RedisTopology): RedisEndpoint[] {
  const list = hosts.split(',').map((text) => {
    // [v6::addr]:port, or host:port, or host alone.
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
    if (!match) throw new InvalidInputError(what, `"${text}" is not a host[:port]`);
    const port = match[3] === undefined ? defaultPort : Number(match[3]);
    if (!(port > 0 && port < 65536)) throw new InvalidInputError(what, `port ${match[3]} of "${text}" is not between 1 and 65535`);
    return { host: match[1] ?? match[2]!, port };
  });
  if (topology === 'standalone' && list.length > 1) {
    throw new InvalidInputError(what, `a redis:// URL names one server; for several use redis+sentinel://…/mastername or redis+cluster://`);
  }
  return list;
}

function database(text: string | undefined, extra: string[], what: string): number {
  if (extra.length > 0) throw new InvalidInputError(what, `unexpected "/${extra.join('/')}" after the database number`);
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text)) throw new InvalidInputError(what, `the path names a database number, got "${text}"`);
  return Number(text);
}

function tlsOptions(caFile: string | undefined): ConnectionOptions {
  if (!caFile) return {};
  try {
    return { ca: readFileSync(caFile, 'utf8') };
  } catch (error) {
    throw new InvalidInputError('MIGRASCOPE_REDIS_CA_FILE', `cannot read ${caFile}: ${(error as Error).message}`);
  }
}
