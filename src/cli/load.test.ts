// `migrascope load`: flags refused with the flag named, and a short real run (against a small
// in-process HTTP server on 127.0.0.1) giving the per-action summary and the SLA verdicts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { createTestbedTls } from '../testbed/tls.ts';
import { EXIT, takeExitCode } from './exit-codes.ts';
import { describeLoad, loadCommand, type LoadCommandOptions } from './load.ts';
import { buildProgram } from './main.ts';

const dir = mkdtempSync(join(tmpdir(), 'migrascope-load-cli-'));
const profilePath = join(dir, 'hello.yaml');
writeFileSync(
  profilePath,
  [
    'name: hello',
    'think: {distribution: fixed, mean: 20ms}',
    'actions:',
    '  - name: HomePage',
    '    requests: [{path: /}]',
    '  - name: Slow',
    '    requests: [{path: /slow}]',
    'mix: {HomePage: 0.5, Slow: 0.5}',
    '',
  ].join('\n'),
);
const slaPath = join(dir, 'sla.yaml');
writeFileSync(slaPath, 'thresholds: {HomePage: 1s, Slow: 10ms}\n');

const server = createServer((request, response) => {
  if (request.url === '/slow') setTimeout(() => response.end('slow'), 30);
  else response.end('home');
});
let url: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function options(overrides: Partial<LoadCommandOptions> = {}): LoadCommandOptions {
  return {
    url,
    profile: profilePath,
    users: '4',
    rampUp: '200ms',
    steady: '2s',
    rampDown: '0s',
    probeInterval: '20ms',
    param: [],
    progress: false,
    json: true,
    ...overrides,
  };
}

async function refusal(overrides: Partial<LoadCommandOptions>): Promise<InvalidInputError> {
  try {
    await loadCommand(options(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('accepted');
}

describe('Given bad flags', () => {
  it('Then each is refused naming the flag, before anything runs', async () => {
    expect((await refusal({ users: '0' })).field).toBe('--users');
    expect((await refusal({ users: 'many' })).field).toBe('--users');
    expect((await refusal({ steady: '0s' })).field).toBe('--steady');
    expect((await refusal({ rampUp: 'soon' })).field).toBe('--ramp-up');
    expect((await refusal({ rate: 'fast' })).field).toBe('--rate');
    expect((await refusal({ probe: 'healthz' })).field).toBe('--probe');
    expect((await refusal({ param: ['scale'] })).field).toBe('--param');
    expect((await refusal({ profile: join(dir, 'absent.yaml') })).field).toBe('--profile');
    expect((await refusal({ url: 'ftp://x' })).field).toBe('--url');
    expect((await refusal({ sla: join(dir, 'absent-sla.yaml') })).field).toBe('--sla');
  });
});

describe('Given flags beyond what a run can be (the resources cap users at 100,000 and stages at 24h)', () => {
  it.each([
    [{ users: '100001' }, '--users', 'at most 100000'],
    [{ users: '10000000000' }, '--users', 'at most 100000'],
    [{ rampUp: '1000h' }, '--ramp-up', 'at most 24h'],
    [{ rampDown: '25h' }, '--ramp-down', 'at most 24h'],
    [{ steady: '1000h' }, '--steady', 'at most 24h'],
    [{ think: '1000h' }, '--think', 'at most 1h'],
    [{ rate: '1e9' }, '--rate', 'at most 100000'],
    [{ probe: '/', probeInterval: '1000h' }, '--probe-interval', 'at most 1h'],
  ] as const)('When %j, Then it is refused naming %s before anything runs', async (overrides, flag, message) => {
    const error = await refusal(overrides);
    expect(error.field).toBe(flag);
    expect(error.message).toContain(message);
  });
});

describe('Given a two-action profile, an SLA file, and a server whose /slow takes 30 ms', () => {
  it('When loaded for 2 s of steady state, Then each action is summarised and the SLA judged per action', async () => {
    const report = await loadCommand(options({ sla: slaPath, window: '1s', probe: '/' }));
    expect(Object.keys(report.actions).sort()).toEqual(['HomePage', 'Slow']);
    expect(report.actions.HomePage?.count).toBeGreaterThan(0);
    expect(report.actions.Slow?.errors).toBe(0);
    expect(report.actions.Slow?.p50).toBeGreaterThanOrEqual(30);
    expect(report.sla.windows).toBeGreaterThan(0);
    expect(report.sla.actions.HomePage?.percentiles['90']?.met).toBe(true);
    expect(report.sla.actions.Slow?.percentiles['90']?.met).toBe(false);
    expect(report.sla.met['90']).toBe(false);
    expect(report.probe?.answered).toBeGreaterThan(0);
    expect(report).not.toHaveProperty('seconds');
    const text = describeLoad(report);
    expect(text).toMatch(/^HomePage\s+\d+\s+0\s/m);
    expect(text).toContain('VIOLATED');
  });

  it('When the SLA window is longer than steady state, Then it is shortened and says so', async () => {
    const report = await loadCommand(options({ steady: '1s', window: '5m' }));
    expect(report.slaWindowShortened).toBe(true);
    expect(report.sla.window).toBe(1000);
    expect(report.sla.windows).toBe(1);
  });
});

describe('Given a profile of its own (HomePage, Slow) and no SLA file', () => {
  it('When loaded, Then its actions are shown without a verdict, and the output says how to give thresholds', async () => {
    const report = await loadCommand(options({ steady: '1s' }));
    expect(Object.keys(report.sla.actions).sort()).toEqual(['HomePage', 'Slow']);
    expect(report.sla.actions.HomePage?.thresholdMs).toBeNull();
    expect(report.sla.actions.Slow?.percentiles['90']?.met).toBeNull();
    expect(report.unjudgedActions).toEqual(['HomePage', 'Slow']);
    const text = describeLoad(report);
    expect(text).toContain('not judged (no threshold): HomePage, Slow');
    expect(text).toContain('--default-threshold 2s');
    expect(text).toContain('no action has a threshold');
    // None of the Olio actions the Cloudstone SLA names is shown.
    expect(text).not.toMatch(/TagSearch|EventDetail/);
  });

  it('When given --default-threshold, Then every action is judged against it', async () => {
    const report = await loadCommand(options({ steady: '1s', defaultThreshold: '20ms' }));
    expect(report.sla.actions.HomePage?.thresholdMs).toBe(20);
    expect(report.sla.actions.Slow?.percentiles['90']?.met).toBe(false);
    expect(report.unjudgedActions).toEqual([]);
  });

  it("When the SLA file's defaultThreshold covers what its thresholds leave, Then both apply", async () => {
    const path = join(dir, 'default-sla.yaml');
    writeFileSync(path, 'thresholds: {Slow: 10s}\ndefaultThreshold: 2s\n');
    const report = await loadCommand(options({ steady: '1s', sla: path }));
    expect(report.sla.actions.Slow?.thresholdMs).toBe(10_000);
    expect(report.sla.actions.HomePage?.thresholdMs).toBe(2000);
  });

  it('When the SLA file names an action the profile lacks, Then it is refused naming it and the profile\'s actions', async () => {
    const path = join(dir, 'olio-sla.yaml');
    writeFileSync(path, 'thresholds: {HomePage: 1s, TagSearch: 2s}\n');
    const error = await refusal({ sla: path });
    expect(error.field).toBe(`${path}: thresholds.TagSearch`);
    expect(error.message).toContain('the hello profile has no action "TagSearch"; its actions are HomePage, Slow');
    expect((await refusal({ defaultThreshold: 'soon' })).field).toBe('--default-threshold');
  });
});

describe('Given --trace', () => {
  it('When loaded, Then each request is printed on stderr as it completes, with its action, status and time', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      await loadCommand(options({ steady: '1s', users: '1', trace: true }));
    } finally {
      spy.mockRestore();
    }
    const traces = lines.filter((line) => line.startsWith('trace '));
    expect(traces.some((line) => /^trace HomePage GET \/ 200 \d+\.\d ms\n$/.test(line))).toBe(true);
    expect(traces.some((line) => /^trace Slow GET \/slow 200 \d+\.\d ms\n$/.test(line))).toBe(true);
  });
});

describe('Given a profile whose actions are named constructor, toString and hasOwnProperty (a profile refuses __proto__: names start with a letter), and an SLA file for them', () => {
  it('When loaded, Then each is an action like any other, summarised and judged by its own threshold', async () => {
    const protoProfile = join(dir, 'proto.yaml');
    writeFileSync(
      protoProfile,
      [
        'name: proto',
        'think: {distribution: fixed, mean: 20ms}',
        'actions:',
        '  - name: constructor',
        '    requests: [{path: /}]',
        '  - name: toString',
        '    requests: [{path: /slow}]',
        '  - name: hasOwnProperty',
        '    requests: [{path: /}]',
        'mix: {constructor: 0.4, toString: 0.3, hasOwnProperty: 0.3}',
        '',
      ].join('\n'),
    );
    const protoSla = join(dir, 'proto-sla.yaml');
    writeFileSync(protoSla, 'thresholds: {constructor: 1s, toString: 10ms, hasOwnProperty: 1s}\n');
    const report = await loadCommand(options({ profile: protoProfile, sla: protoSla, steady: '1s', window: '1s' }));
    const summaries = new Map(Object.entries(report.actions));
    const verdicts = new Map(Object.entries(report.sla.actions));
    expect([...summaries.keys()].sort()).toEqual(['constructor', 'hasOwnProperty', 'toString']);
    expect(summaries.get('hasOwnProperty')!.count).toBeGreaterThan(0);
    expect(verdicts.get('constructor')!.thresholdMs).toBe(1000);
    expect(verdicts.get('hasOwnProperty')!.thresholdMs).toBe(1000);
    expect(verdicts.get('toString')!.percentiles['90']!.met).toBe(false);
    expect(describeLoad(report)).toMatch(/^hasOwnProperty\s+\d+\s+0\s/m);
  });
});

describe('Given an application that cannot be reached', () => {
  it('When loaded, Then every action fails as connect, and the SLA reads "no data", not met', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const report = await loadCommand(options({ url: `http://127.0.0.1:${port}`, steady: '1s', defaultThreshold: '1s' }));
    expect(report.actions.HomePage!.count).toBeGreaterThan(0);
    expect(report.actions.HomePage!.errors).toBe(report.actions.HomePage!.count);
    expect(report.noData.sort()).toEqual(['HomePage', 'Slow']);
    expect(report.sla.met).toEqual({ '90': false, '99': false });
    expect(report.sla.actions.HomePage!.percentiles['90']!.met).toBeNull();
    const text = describeLoad(report);
    expect(text).toContain('NOT MET: no data');
    expect(text).toContain('NO DATA');
    expect(text).not.toMatch(/p90 met/);
  });

  it('When run as the command, Then it exits 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    takeExitCode();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await buildProgram().parseAsync(['node', 'migrascope', 'load', '--url', `http://127.0.0.1:${port}`, '--profile', profilePath, '--users', '2', '--steady', '1s', '--default-threshold', '1s', '--no-progress', '--json']);
    } finally {
      vi.restoreAllMocks();
    }
    expect(takeExitCode()).toBe(EXIT.failure);
  });
});

describe('Given an HTTPS application whose certificate is not trusted', () => {
  it('When loaded, Then its failures are counted as tls, not body', async () => {
    const tls = createTestbedTls('127.0.0.1');
    const secure = createHttpsServer({ key: tls.key, cert: tls.cert }, (_request, response) => response.end('home'));
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    try {
      const port = (secure.address() as AddressInfo).port;
      const report = await loadCommand(options({ url: `https://127.0.0.1:${port}`, steady: '1s', defaultThreshold: '1s' }));
      const home = report.actions.HomePage!;
      expect(home.count).toBeGreaterThan(0);
      expect(home.errorsByKind).toEqual({ tls: home.count });
      expect(report.failureSamples.HomePage?.[0]).toMatch(/TLS/);
      expect(report.noData).toContain('HomePage');
    } finally {
      secure.closeAllConnections();
      await new Promise((resolve) => secure.close(resolve));
    }
  });
});

describe('Given an application URL with a user and password in it', () => {
  it('When it is refused, Then the message names --url and shows the user, not the password', async () => {
    const unparsable = await refusal({ url: 'http://alice:hunter2@[::1/' });
    const wrongScheme = await refusal({ url: 'ftp://alice:hunter2@127.0.0.1/' });
    for (const error of [unparsable, wrongScheme]) {
      expect(error.field).toBe('--url');
      expect(error.message).toContain('alice:***@');
      expect(error.message).not.toContain('hunter2');
    }
  });

  it('When loaded, Then the report (its table and JSON) shows the user, not the password', async () => {
    const withPassword = url.replace('http://', 'http://alice:hunter2@');
    const report = await loadCommand(options({ url: withPassword, steady: '1s', probe: '/healthz' }));
    expect(report.url).toContain('alice:***@');
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(describeLoad(report)).not.toContain('hunter2');
  });
});
