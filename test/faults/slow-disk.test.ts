// A disk slower than the request log: the log goes into a named pipe (FIFO) that is read at about
// 40 KB/s while the load completes far more than that. What must hold: the load is not slowed,
// what waits in memory stays under the bound, and every steady-state action is either in the log
// or counted as dropped, the run saying how many.
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../src/load/index.ts';
import { compileProfile, parseProfileDocument } from '../../src/workloads/index.ts';
import { recordFault } from './reliability.ts';

const STEADY_SECONDS = 4;
const MAX_BUFFERED_BYTES = 64 * 1024;

describe('given a request log written into a pipe read at about 40 KB/s', () => {
  let dir: string;
  let app: Server;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrascope-slow-disk-'));
    app = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    app.closeAllConnections();
    await new Promise((resolve) => app.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads the pipe 2 KiB every 50 ms until `fast()`, then as fast as it can; resolves with the lines read. */
  function slowReader(fifo: string): { lines: Promise<number>; fast(): void } {
    let slow = true;
    let lines = 0;
    const stream = createReadStream(fifo, { highWaterMark: 2 * 1024 });
    stream.on('data', (chunk) => {
      for (const byte of chunk as Buffer) if (byte === 0x0a) lines += 1;
      if (!slow) return;
      stream.pause();
      setTimeout(() => stream.resume(), 50);
    });
    return {
      lines: new Promise((resolve, reject) => {
        stream.on('end', () => resolve(lines));
        stream.on('error', reject);
      }),
      fast: () => {
        slow = false;
        stream.resume();
      },
    };
  }

  it('when the load outruns it, then lines beyond the bound are dropped and counted, and every action is logged or counted', async () => {
    const fifo = join(dir, 'requests.jsonl');
    execFileSync('mkfifo', [fifo]);
    const reader = slowReader(fifo);
    const profile = compileProfile(
      parseProfileDocument({ name: 'quick', think: { distribution: 'fixed', mean: '2ms' }, actions: [{ name: 'Quick', requests: [{ path: '/' }] }], mix: { Quick: 1 } }, 'the test profile'),
      {},
    );
    let steadySeconds = 0;
    const result = await (async () => {
      const finished = runLoad({
        url,
        profile,
        users: 16,
        plan: { rampUpMs: 0, steadyMs: STEADY_SECONDS * 1000, rampDownMs: 0 },
        logPath: fifo,
        logMaxBufferedBytes: MAX_BUFFERED_BYTES,
        onSecond: (_snapshot, phase) => {
          if (phase === 'steady') steadySeconds += 1;
        },
      });
      // Once the load is over the reader catches up, so that closing the log can finish.
      setTimeout(() => reader.fast(), STEADY_SECONDS * 1000 + 1_500);
      return finished;
    })();
    const read = await reader.lines;

    const actions = result.actions.Quick!;
    const log = result.requestLog!;
    expect(log.dropped).toBeGreaterThan(0);
    expect(log.written + log.dropped).toBe(actions.count);
    expect(read).toBe(log.written);
    // The load itself was not held back by the disk: far more actions than the pipe could take.
    expect(actions.count).toBeGreaterThan(5 * read);

    recordFault({
      case: 'Request log on a disk slower than the load (a pipe read at 40 KB/s)',
      outcome: `completed; ${log.dropped} of ${actions.count} log lines dropped and counted, at most ${MAX_BUFFERED_BYTES / 1024} KiB waiting`,
      seconds: { recorded: steadySeconds, expected: STEADY_SECONDS },
      migrations: null,
    });
  });
});

