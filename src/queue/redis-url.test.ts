import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { parseRedisUrl } from './redis-url.ts';

describe('parseRedisUrl', () => {
  it('reads one server with its user, password and database as ioredis does', () => {
    expect(parseRedisUrl('redis://app:p%40ss@redis.example:6380/2', {})).toEqual({
      topology: 'standalone',
      endpoints: [{ host: 'redis.example', port: 6380 }],
      db: 2,
      username: 'app',
      password: 'p@ss',
    });
    expect(parseRedisUrl('redis://:secret@127.0.0.1', {})).toMatchObject({ endpoints: [{ host: '127.0.0.1', port: 6379 }], password: 'secret' });
    expect(parseRedisUrl('redis://:secret@127.0.0.1', {}).username).toBeUndefined();
  });

  it('reads a Sentinel set: the Sentinels (26379 by default), the primary they monitor and a database', () => {
    expect(parseRedisUrl('redis+sentinel://:pw@s1,s2:26380,[::1]:26381/mymaster/3', {})).toEqual({
      topology: 'sentinel',
      endpoints: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'mymaster',
      db: 3,
      password: 'pw',
    });
  });

  it('reads a Cluster from its seed nodes', () => {
    expect(parseRedisUrl('redis+cluster://n1:7000,n2:7001', {})).toEqual({ topology: 'cluster', endpoints: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }], db: 0 });
  });

  it('takes the passwords from the environment (a Secret) over the URL, and a CA file for TLS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-url-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), 'PEM');
      const env = { MIGRASCOPE_REDIS_PASSWORD: 'from-secret', MIGRASCOPE_REDIS_SENTINEL_PASSWORD: 'sentinel-secret', MIGRASCOPE_REDIS_CA_FILE: join(dir, 'ca.crt') };
      expect(parseRedisUrl('rediss+sentinel://:old@s1/m', env)).toMatchObject({ password: 'from-secret', sentinelPassword: 'sentinel-secret', tls: { ca: 'PEM' } });
      expect(parseRedisUrl('rediss://h', {}).tls).toEqual({});
      expect(parseRedisUrl('redis://h', env).tls).toBeUndefined();
      expect(() => parseRedisUrl('rediss://h', { MIGRASCOPE_REDIS_CA_FILE: join(dir, 'missing.crt') })).toThrow(/MIGRASCOPE_REDIS_CA_FILE: cannot read .*missing\.crt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what it cannot read, naming the flag and the form expected, never the password', () => {
    const cases: [string, RegExp][] = [
      ['http://:hunter2@h', /--redis: expected redis:\/\/, rediss:\/\/, redis\+sentinel:\/\/.*got "http:\/\/\*\*\*@h"/],
      ['redis+sentinel://s1,s2', /names the primary the Sentinels monitor/],
      ['redis+cluster://n1/1', /no databases to choose: drop "\/1"/],
      ['redis://a,b', /names one server; for several use redis\+sentinel/],
      ['redis://h:99999', /port 99999 of "h:99999" is not between 1 and 65535/],
      ['redis://h/x', /names a database number, got "x"/],
      ['redis://:hunter2@h:6379/0?family=6', /options after "\?" are not read/],
    ];
    for (const [url, message] of cases) {
      expect(() => parseRedisUrl(url, {}), url).toThrow(InvalidInputError);
      expect(() => parseRedisUrl(url, {}), url).toThrow(message);
      expect(() => parseRedisUrl(url, {})).not.toThrow(/hunter2/);
    }
  });
});
