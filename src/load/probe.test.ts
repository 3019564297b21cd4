// The downtime probe against a small real HTTP server (in-process, 127.0.0.1, port 0) that stops
// answering for a while, as a VM does during stop-and-copy.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { now } from './clock.ts';
import { DowntimeProbe } from './probe.ts';

describe('Given an application that stops answering for 300 ms', () => {
  let frozen = false;
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    if (frozen) held.push(response);
    else response.end('ok');
  });
  let url: string;
  let freezeFrom = 0;
  let freezeTo = 0;
  const probe = () => new DowntimeProbe({ mode: 'http', url: `${url}/healthz`, intervalMs: 10, timeoutMs: 1000 });
  let http: DowntimeProbe;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    http = probe();
    http.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    frozen = true;
    freezeFrom = now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    frozen = false;
    freezeTo = now();
    // The held requests are answered late: an answer after the freeze, as a resumed VM gives.
    for (const response of held.splice(0)) response.end('late');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await http.stop();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // An answer the server sent just before the freeze may be read a little after it (the server and
  // the probe share this process's event loop): the freeze's start is allowed 100 ms of slack.
  const SLACK = 100;

  it('When probed over HTTP every 10 ms, Then no answer comes during the freeze and they resume after it', () => {
    const times = [...http.answerTimes()];
    expect(times.filter((t) => t >= freezeFrom + SLACK && t < freezeTo)).toEqual([]);
    expect(times.some((t) => t < freezeFrom)).toBe(true);
    expect(times.some((t) => t >= freezeTo)).toBe(true);
    expect(http.answered).toBe(http.sent);
  });

  it('Then the gap found around the middle of the freeze spans it', () => {
    const middle = (freezeFrom + freezeTo) / 2;
    const gap = http.longestGap(middle, middle);
    expect(gap.fromMs).toBeLessThanOrEqual(freezeFrom + SLACK);
    expect(gap.toMs).toBeGreaterThanOrEqual(freezeTo);
    expect(gap.durationMs).toBe(gap.toMs - gap.fromMs);
    expect(http.longestGap().durationMs).toBeGreaterThanOrEqual(gap.durationMs);
  });

  it('Then gaps longer than 5 intervals include the freeze, in time order, and a range query returns a gap overlapping it', () => {
    const gaps = http.gaps(50);
    expect(gaps.some((gap) => gap.fromMs <= freezeFrom + SLACK && gap.toMs >= freezeTo)).toBe(true);
    for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]?.fromMs).toBeGreaterThanOrEqual(gaps[i - 1]?.toMs ?? 0);
    const before = http.longestGap(freezeFrom - 150, freezeFrom - 100);
    expect(before.fromMs).toBeLessThanOrEqual(freezeFrom - 100);
    expect(before.toMs).toBeGreaterThanOrEqual(freezeFrom - 150);
  });
});

describe('Given nothing listening', () => {
  it('When probed over TCP, Then nothing answers and the gap is the whole probe', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const tcp = new DowntimeProbe({ mode: 'tcp', url: `http://127.0.0.1:${port}`, intervalMs: 10 });
    const started = now();
    tcp.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await tcp.stop();
    const stopped = now();
    expect(tcp.answered).toBe(0);
    expect(tcp.failed).toBe(tcp.sent);
    const gap = tcp.longestGap();
    expect(gap.fromMs).toBeGreaterThanOrEqual(started);
    expect(gap.toMs).toBeLessThanOrEqual(stopped);
    expect(gap.durationMs).toBeGreaterThanOrEqual(90);
  });

  it('When something listens, Then every TCP probe is answered', async () => {
    const open = createServer();
    await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
    const tcp = new DowntimeProbe({ mode: 'tcp', url: `http://127.0.0.1:${(open.address() as AddressInfo).port}`, intervalMs: 10 });
    tcp.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await tcp.stop();
    open.closeAllConnections();
    await new Promise((resolve) => open.close(resolve));
    expect(tcp.sent).toBeGreaterThan(0);
    expect(tcp.answered).toBe(tcp.sent);
  });
});
