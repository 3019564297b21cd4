// The Olio profile driving the testbed's reference app (started in-process): every action runs,
// succeeds and is measured, and the requests behind them are the ones the profile promises
// (logins, tag searches, uploads, attends, statics and images), seen on the driver's own
// diagnostics channel (migrascope:request:create) rather than guessed from the results.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type LoadResult } from '../../src/load/index.ts';
import { startReferenceApp, type ReferenceApp } from '../../src/testbed/app/index.ts';
import { loadProfile, negativeExponential, OLIO_ACTIONS } from '../../src/workloads/index.ts';

const SCALE = 60;

describe('Given the reference app and the Olio profile with short think times', () => {
  let app: ReferenceApp;
  let result: LoadResult;
  const requests: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-load-olio-'));
  const logPath = join(dir, 'requests.jsonl');
  const onCreate = (message: unknown): void => {
    const { request } = message as { request: { method: string; path: string } };
    requests.push(`${request.method} ${request.path}`);
  };

  beforeAll(async () => {
    app = await startReferenceApp({ scale: SCALE, seed: 7 });
    subscribe('migrascope:request:create', onCreate);
    const olio = loadProfile('olio', { scale: SCALE });
    // Faban's cycle time of 5 s would need minutes to show the rare actions (AddPerson is under 1 %).
    const profile = { ...olio, think: negativeExponential(60, 'cycle') };
    result = await runLoad({
      url: app.url,
      profile,
      users: 40,
      plan: { rampUpMs: 1000, steadyMs: 8000, rampDownMs: 500 },
      logPath,
      probe: { mode: 'http', path: '/healthz' },
      seed: 2009,
    });
    unsubscribe('migrascope:request:create', onCreate);
  });

  afterAll(async () => {
    unsubscribe('migrascope:request:create', onCreate);
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('When it runs 1 s ramp-up, 8 s steady state, 0.5 s ramp-down with 40 users', () => {
    it('Then every Olio action ran in steady state, none failed, and each was measured', () => {
      expect(Object.keys(result.actions).sort()).toEqual([...OLIO_ACTIONS].sort());
      for (const action of OLIO_ACTIONS) {
        const summary = result.actions[action];
        expect(summary?.count, `${action} count`).toBeGreaterThan(0);
        expect(summary?.errors, `${action} errors: ${result.failureSamples[action]?.join('; ')}`).toBe(0);
        expect(summary?.mean, `${action} mean`).toBeGreaterThan(0);
        expect(summary?.p90, `${action} p90`).toBeGreaterThanOrEqual(summary?.p50 ?? Number.POSITIVE_INFINITY);
        expect(summary?.max, `${action} max`).toBeGreaterThanOrEqual(summary?.p99 ?? Number.POSITIVE_INFINITY);
      }
    });

    it('Then the mix follows the matrix: the reads dominate and the rare writes are rare', () => {
      const count = (action: string): number => result.actions[action]?.count ?? 0;
      const total = OLIO_ACTIONS.reduce((sum, action) => sum + count(action), 0);
      expect(count('TagSearch') / total).toBeGreaterThan(0.2);
      expect(count('AddPerson') / total).toBeLessThan(0.05);
      expect(count('TagSearch')).toBeGreaterThan(count('AddPerson'));
    });

    it('Then the requests are the ones the profile promises, against the routes of the app', () => {
      const made = (pattern: RegExp): number => requests.filter((request) => pattern.test(request)).length;
      expect(made(/^GET \/index\.php$/)).toBeGreaterThan(0);
      expect(made(/^POST \/login\.php$/)).toBeGreaterThan(0);
      expect(made(/^GET \/logout\.php$/)).toBeGreaterThan(0);
      expect(made(/^POST \/taggedEvents\.php$/)).toBeGreaterThan(0);
      expect(made(/^GET \/taggedEvents\.php\?tag=tag\d+&count=\d+$/)).toBeGreaterThan(0);
      expect(made(/^GET \/events\.php\?socialEventID=\d+$/)).toBeGreaterThan(0);
      expect(made(/^GET \/addAttendee\.php\?id=\d+$/)).toBeGreaterThan(0);
      expect(made(/^GET \/users\.php\?username=user\d+$/)).toBeGreaterThan(0);
      expect(made(/^GET \/fileService\.php\?file=p\d+\.jpg$/)).toBeGreaterThan(0);
      expect(made(/^GET \/addPerson\.php$/)).toBeGreaterThan(0);
      expect(made(/^POST \/addPersonResult\.php$/)).toBeGreaterThan(0);
      expect(made(/^GET \/addEvent\.php$/)).toBeGreaterThan(0);
      expect(made(/^POST \/addEventResult\.php$/)).toBeGreaterThan(0);
      expect(made(/^GET \/(js|css|images)\//)).toBeGreaterThan(0);
      expect(made(/^GET \/fileService\.php\?file=e\d+t?\.jpg$/)).toBeGreaterThan(0);
    });

    it('Then only steady state counts, the other phases are recorded apart', () => {
      const steadyCount = Object.values(result.actions).reduce((sum, summary) => sum + summary.count, 0);
      expect(result.phases.steady.actions).toBe(steadyCount);
      expect(result.phases.rampUp.actions).toBeGreaterThan(0);
      expect(Date.parse(result.steadyEnd) - Date.parse(result.steadyStart)).toBe(8000);
    });

    it('Then the request log holds one line per steady-state action, inside steady state', () => {
      const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { t: number; action: string; ms: number; ok: boolean });
      expect(lines).toHaveLength(result.phases.steady.actions);
      for (const line of lines) {
        expect(line.t).toBeGreaterThanOrEqual(Date.parse(result.steadyStart));
        expect(line.t).toBeLessThan(Date.parse(result.steadyEnd));
        expect(OLIO_ACTIONS).toContain(line.action);
        expect(line.ok).toBe(true);
      }
    });

    it('Then the probe got answers from /healthz throughout', () => {
      expect(result.probe?.answered).toBeGreaterThan(0);
      // A probe unanswered for 2 s (the app shares this process's event loop) would be a failure.
      expect(result.probe?.answered).toBeGreaterThanOrEqual(0.95 * (result.probe?.sent ?? Number.POSITIVE_INFINITY));
    });
  });
});
