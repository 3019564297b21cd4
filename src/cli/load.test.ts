// `migrascope load`: flags refused with the flag named, and a short real run (against a small
// in-process HTTP server on 127.0.0.1) giving the per-action summary and the SLA verdicts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { describeLoad, loadCommand, type LoadCommandOptions } from './load.ts';

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
