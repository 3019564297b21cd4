// runLoad with a request log it cannot write: the run ends early and says why (the path and the
// reason), instead of an error escaping the driver (an unhandled rejection that killed the
// process, or left the run waiting forever for a user that would never finish).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProfile, parseProfileDocument } from '../workloads/index.ts';
import { runLoad } from './run.ts';

const profile = compileProfile(
  parseProfileDocument({ name: 'one', think: { distribution: 'fixed', mode: 'think', mean: 20 }, actions: [{ name: 'Page', requests: [{ path: '/' }] }] }),
);

let server: Server;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrascope-run-log-'));
  server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('Given a load run whose request log is in a directory that does not exist', () => {
  it('When the users run, Then it stops early and rejects naming the log and the reason', async () => {
    const started = Date.now();
    const run = runLoad({ url, profile, users: 2, plan: { rampUpMs: 0, steadyMs: 20_000, rampDownMs: 0 }, logPath: join(dir, 'missing', 'run.jsonl') });
    await expect(run).rejects.toThrow(/request log .*missing\/run\.jsonl: ENOENT/);
    // Well before the 20 s of steady state: the first write that failed ended it.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
