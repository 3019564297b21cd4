// The application under test misbehaving while `migrascope load` drives it: a loopback server
// whose pages reset the connection, answer 500 or never answer, and which stops listening for a
// while in the middle of the run (connections refused). What must hold: every failure counted by
// its kind, the run going on to its end, the failures counting against the verdicts (an action
// whose fast successes hide over 10% of failures does not meet p90; one that never succeeded
// reads "no data", not met), and the request log holding every failure with its kind.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommand } from '../../src/cli/load.ts';
import { readRequestLog } from '../../src/recording/index.ts';
import { recordFault } from './reliability.ts';

const STEADY_SECONDS = 6;
const OUTAGE_MS = 1_500;

/** What each page does; /stall holds the request until the server closes the connection. */
function misbehavingApp(): Server {
  return createServer((request, response) => {
    if (request.url === '/ok') response.end('ok');
    else if (request.url === '/error') {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error');
    } else if (request.url === '/reset') request.socket.resetAndDestroy();
    else if (request.url !== '/stall') response.writeHead(404).end();
  });
}

describe('given an application that resets, answers 500, stalls and, for 1.5 s, refuses connections', () => {
  let dir: string;
  let app: Server;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrascope-app-faults-'));
    app = misbehavingApp();
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    app.closeAllConnections();
    await new Promise((resolve) => app.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  /** Stops listening (every connection dropped, new ones refused) for `ms`, then listens on the same port. */
  async function refuseFor(ms: number): Promise<void> {
    const { port } = app.address() as AddressInfo;
    const closed = new Promise((resolve) => app.close(resolve));
    app.closeAllConnections();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, ms));
    await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
  }

  it('when loaded, then each failure is counted by kind, the run goes to its end, and failures count against the verdicts', async () => {
    const profile = join(dir, 'faulty.yaml');
    await writeFile(
      profile,
      [
        'name: faulty',
        'think: {distribution: fixed, mean: 50ms}',
        'actions:',
        '  - {name: Fine, requests: [{path: /ok}]}',
        '  - {name: Broken, requests: [{path: /error}]}',
        '  - {name: Reset, requests: [{path: /reset}]}',
        '  - {name: Stalled, timeout: 300ms, requests: [{path: /stall}]}',
        'mix: {Fine: 0.4, Broken: 0.2, Reset: 0.2, Stalled: 0.2}',
        '',
      ].join('\n'),
    );
    const log = join(dir, 'requests.jsonl');
    // The refusal in the middle of steady state (ramp-up is 200 ms).
    const outage = new Promise((resolve) => setTimeout(resolve, 2_200)).then(() => refuseFor(OUTAGE_MS));
    const started = Date.now();
    const report = await loadCommand({
      url,
      profile,
      users: '8',
      rampUp: '200ms',
      steady: `${STEADY_SECONDS}s`,
      rampDown: '0s',
      probeInterval: '50ms',
      param: [],
      defaultThreshold: '1s',
      log,
      progress: false,
      json: true,
    });
    await outage;

    // The run went to its end, not a second more (stalls are bounded by the action's timeout).
    expect(report.stoppedEarly).toBe(false);
    expect(Date.now() - started).toBeLessThan((STEADY_SECONDS + 3) * 1000);
    const { Fine, Broken, Reset, Stalled } = report.actions;
    expect(Broken?.errorsByKind).toMatchObject({ status: expect.any(Number) });
    expect(Broken?.errorsByKind.status).toBeGreaterThan(0);
    expect(Reset?.errorsByKind.connect).toBeGreaterThan(0);
    expect(Stalled?.errorsByKind.timeout).toBeGreaterThan(0);
    // While the app refused connections, the fine page failed too, as connect; before and after, it worked.
    expect(Fine?.errorsByKind.connect).toBeGreaterThan(0);
    expect(Fine!.count - Fine!.errors).toBeGreaterThan(0);
    for (const action of [Broken, Reset, Stalled]) expect(action?.errors).toBe(action?.count);
    // Every failure is in its kind: the kinds add up to the errors.
    for (const action of Object.values(report.actions)) {
      expect(Object.values(action.errorsByKind).reduce((sum, n) => sum + (n ?? 0), 0)).toBe(action.errors);
    }
    // Verdicts: the fine page's successes were fast, but over 10% of it failed: p90 is not met.
    expect(Fine!.errors / Fine!.count).toBeGreaterThan(0.1);
    expect(Fine!.p90).toBeLessThan(1000);
    expect(report.sla.actions.Fine?.percentiles['90']?.met).toBe(false);
    // An action that never succeeded reads "no data", not met, and so does the run.
    expect(report.noData.sort()).toEqual(['Broken', 'Reset', 'Stalled']);
    expect(Object.values(report.sla.met)).toEqual([false, false]);

    // The request log holds every steady-state action, failures with their kind.
    const kinds = new Map<string, number>();
    const secondsLogged = new Set<number>();
    let lines = 0;
    for await (const line of readRequestLog(log)) {
      if (!('record' in line)) throw new Error(`line ${line.line}: ${line.corrupt}`);
      lines += 1;
      secondsLogged.add(Math.floor(line.record.t / 1000));
      if (line.record.error) kinds.set(`${line.record.action}:${line.record.error}`, (kinds.get(`${line.record.action}:${line.record.error}`) ?? 0) + 1);
    }
    expect(lines).toBe(Object.values(report.actions).reduce((sum, action) => sum + action.count, 0));
    expect(kinds.get('Stalled:timeout')).toBe(Stalled?.errorsByKind.timeout);
    expect(report.requestLog).toMatchObject({ written: lines, dropped: 0 });
    expect(secondsLogged.size).toBeGreaterThanOrEqual(STEADY_SECONDS);

    const errors = (kind: 'connect' | 'status' | 'timeout') => Object.values(report.actions).reduce((sum, action) => sum + (action.errorsByKind[kind] ?? 0), 0);
    recordFault({
      case: 'Application resets, answers 500, stalls past the timeout, refuses connections for 1.5 s',
      outcome: `completed; errors by kind: connect ${errors('connect')}, status ${errors('status')}, timeout ${errors('timeout')}; p90 not met where over 10% failed`,
      seconds: { recorded: secondsLogged.size, expected: STEADY_SECONDS },
      migrations: null,
    });
  });
});
