// What users of the web VM's application see while the testbed live-migrates it: the reference
// application behind its guest proxy keeps answering through pre-copy, stalls for the model's
// downtime during stop-and-copy (keep-alive and new connections alike), then carries on; no
// request fails. A VM can also front an application that already runs (guest.url). When the app's
// data is the db VM's guest, migrating the db VM stalls the pages that query it, and only those.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, type MigrationReport, type Testbed } from '../../src/testbed/index.ts';
import { PASSWORD, smallTopology } from './testbed-topology.ts';

interface ProbeResult {
  requests: number;
  failures: string[];
  /** The longest a single request took, start to answer. */
  longestMs: number;
  /** When each answer ended (epoch ms, as migration timelines give instants). */
  answeredAt: number[];
}

/** Requests `path` one after another until stopped; `fresh` opens a new connection for each. */
function probe(url: string, fresh: boolean, path = '/healthz'): { stop: () => Promise<ProbeResult> } {
  const agent = new http.Agent({ keepAlive: !fresh, maxSockets: 1 });
  const result: ProbeResult = { requests: 0, failures: [], longestMs: 0, answeredAt: [] };
  let running = true;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const request = http.get(new URL(path, url), { agent }, (response) => {
        response.resume();
        response.on('end', () => {
          result.requests += 1;
          if (response.statusCode !== 200) result.failures.push(`HTTP ${response.statusCode}`);
          result.longestMs = Math.max(result.longestMs, performance.now() - started);
          result.answeredAt.push(performance.timeOrigin + performance.now());
          resolve();
        });
      });
      request.on('error', (error) => {
        result.failures.push(error.message);
        resolve();
      });
    });
  const loop = (async () => {
    while (running) await once();
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      agent.destroy();
      return result;
    },
  };
}

async function migrate(testbed: Testbed, vm: string, to: string): Promise<MigrationReport> {
  const ended = new Promise<MigrationReport>((resolve) => testbed.migrations.once('migration', resolve));
  const rpc = async (method: string, params: unknown[]) => {
    const response = await fetch(new URL('/jsonrpc', testbed.xapi.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    return ((await response.json()) as { result: string }).result;
  };
  const session = await rpc('session.login_with_password', ['root', PASSWORD]);
  const [vmRef] = (await rpc('VM.get_by_name_label', [session, vm])) as unknown as string[];
  const [hostRef] = (await rpc('host.get_by_name_label', [session, to])) as unknown as string[];
  await rpc('Async.VM.pool_migrate', [session, vmRef, hostRef, { live: 'true' }]);
  return ended;
}

describe('Given the web VM fronting the reference application', () => {
  let testbed: Testbed;

  beforeAll(async () => {
    testbed = await startTestbed(
      smallTopology({
        guest: { app: 'reference', scale: 20, seed: 1 },
        resumeOverhead: '400ms',
        // No warm-up penalty here: what is measured is the stall alone.
        warmup: { penalty: '0ms', decay: '1s' },
      }),
    );
  });

  afterAll(async () => {
    await testbed?.close();
  });

  it('When the testbed starts, Then the VM lists its application URL, served through the guest proxy', async () => {
    const web = testbed.vms.find((vm) => vm.name === 'web');
    expect(web?.url).toBe(testbed.guests.get('web')?.url);
    const home = await fetch(new URL('/', web?.url ?? ''));
    expect(home.status).toBe(200);
    expect(await home.text()).toMatch(/<html/i);
  });

  describe('When it is live-migrated while users keep requesting pages', () => {
    let report: MigrationReport;
    let keepAlive: ProbeResult;
    let fresh: ProbeResult;

    beforeAll(async () => {
      const url = testbed.vms.find((vm) => vm.name === 'web')?.url ?? '';
      const probes = [probe(url, false), probe(url, true)];
      await new Promise((resolve) => setTimeout(resolve, 200));
      report = await migrate(testbed, 'web', 'h2');
      await new Promise((resolve) => setTimeout(resolve, 200));
      [keepAlive, fresh] = (await Promise.all(probes.map((p) => p.stop()))) as [ProbeResult, ProbeResult];
    });

    it('Then the migration completed, and the guest was frozen for the modeled downtime', () => {
      expect(report.timeline.outcome).toBe('completed');
      expect(report.timeline.modeledDowntimeMs).toBeGreaterThan(400);
      expect(testbed.guests.get('web')?.stats().lastFreezeMs).toBeCloseTo(report.timeline.modeledDowntimeMs, -2);
    });

    it('Then no request failed', () => {
      expect(keepAlive.failures).toEqual([]);
      expect(fresh.failures).toEqual([]);
      expect(keepAlive.requests).toBeGreaterThan(10);
      expect(fresh.requests).toBeGreaterThan(10);
    });

    it('Then the longest stall a user saw equals the modeled downtime within 50 ms, on kept and new connections', () => {
      const downtime = report.timeline.modeledDowntimeMs;
      for (const [connection, seen] of [['kept', keepAlive], ['new', fresh]] as const) {
        const detail = `${connection} connections stalled ${seen.longestMs.toFixed(1)} ms, modeled downtime ${downtime.toFixed(1)} ms`;
        expect(Math.abs(seen.longestMs - downtime), detail).toBeLessThan(50);
      }
    });
  });
});

describe("Given the web VM's reference app whose data is the db VM's guest, reached through the db VM's proxy", () => {
  let testbed: Testbed;
  const noWarmup = { penalty: '0ms', decay: '1s' };

  beforeAll(async () => {
    testbed = await startTestbed(
      smallTopology({
        guest: { app: 'reference', database: 'db' },
        warmup: noWarmup,
        db: { memory: '128MiB', wws: '8MiB', model: { setup: '100ms', resumeOverhead: '400ms' }, guest: { app: 'reference-db', scale: 20, seed: 1 }, warmup: noWarmup },
      }),
    );
  });

  afterAll(async () => {
    await testbed?.close();
  });

  describe('When the db VM is live-migrated while users keep requesting pages and static files', () => {
    let report: MigrationReport;
    let pages: ProbeResult;
    let health: ProbeResult;
    let statics: ProbeResult;

    beforeAll(async () => {
      const url = testbed.vms.find((vm) => vm.name === 'web')?.url ?? '';
      const probes = [probe(url, false, '/index.php'), probe(url, true), probe(url, false, '/images/php_corner_top_left.gif')];
      await new Promise((resolve) => setTimeout(resolve, 200));
      report = await migrate(testbed, 'db', 'h1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      [pages, health, statics] = (await Promise.all(probes.map((p) => p.stop()))) as [ProbeResult, ProbeResult, ProbeResult];
    });

    it('Then the db VM migrated and its guest was frozen for the modeled downtime, the web VM not at all', () => {
      expect(report.vm).toBe('db');
      expect(report.timeline.outcome).toBe('completed');
      expect(testbed.guests.get('db')?.stats().lastFreezeMs).toBeCloseTo(report.timeline.modeledDowntimeMs, -2);
      expect(testbed.guests.get('web')?.stats().frozenMs).toBe(0);
    });

    it('Then the pages that query the data, and the health check that pings it, stalled for the downtime; no request failed', () => {
      const downtime = report.timeline.modeledDowntimeMs;
      for (const [what, seen] of [['home page', pages], ['health check', health]] as const) {
        const detail = `${what}: longest ${seen.longestMs.toFixed(1)} ms, modeled downtime ${downtime.toFixed(1)} ms`;
        expect(seen.failures).toEqual([]);
        expect(seen.longestMs, detail).toBeGreaterThan(downtime - 20);
        expect(seen.longestMs, detail).toBeLessThan(downtime + 150);
      }
    });

    it('Then the static files, which need no data, went on being served while the db VM was paused, and the pages were not', () => {
      const { frozenAt = 0, resumedAt = 0 } = report.timeline;
      // Inside the freeze, away from its edges: what was answered there did not wait for the data.
      const whileFrozen = (seen: ProbeResult) => seen.answeredAt.filter((at) => at > frozenAt + 50 && at < resumedAt - 50).length;
      expect(statics.failures).toEqual([]);
      expect(whileFrozen(statics)).toBeGreaterThan(5);
      expect(whileFrozen(pages)).toBe(0);
      expect(whileFrozen(health)).toBe(0);
    });
  });
});

describe('Given a VM fronting an application that already runs (guest.url)', () => {
  let app: http.Server;
  let testbed: Testbed;

  beforeAll(async () => {
    app = http.createServer((_request, response) => response.end('plain app'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const { port } = app.address() as AddressInfo;
    testbed = await startTestbed(smallTopology({ guest: { url: `http://127.0.0.1:${port}` } }));
  });

  afterAll(async () => {
    await testbed?.close();
    await new Promise((resolve) => app?.close(resolve));
  });

  it('When requested through the VM URL, Then the app answers, before and after a migration', async () => {
    const url = testbed.vms.find((vm) => vm.name === 'web')?.url ?? '';
    expect(await (await fetch(url)).text()).toBe('plain app');
    expect((await migrate(testbed, 'web', 'h2')).timeline.outcome).toBe('completed');
    expect(await (await fetch(url)).text()).toBe('plain app');
  });
});
