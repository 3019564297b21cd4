import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseLine, readRequestLog, RequestLogWriter, type RequestLogLine } from './request-log.ts';

const dir = await mkdtemp(join(tmpdir(), 'migrascope-request-log-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('Given a RequestLogWriter', () => {
  describe('When outcomes are written and the log is closed', () => {
    const path = join(dir, 'run.jsonl');
    const written = (async () => {
      const writer = new RequestLogWriter(path);
      writer.write({ action: 'HomePage', startMs: 1_700_000_000_123, durationUs: 12_345, ok: true });
      writer.write({ action: 'Login', startMs: 1_700_000_000_200, durationUs: 2_000_000, ok: false, errorKind: 'timeout' });
      for (let i = 0; i < 10_000; i++) writer.write({ action: 'TagSearch', startMs: 1_700_000_001_000 + i, durationUs: i, ok: true });
      await writer.close();
      expect({ written: writer.written, dropped: writer.dropped }).toEqual({ written: 10_002, dropped: 0 });
      return readFile(path, 'utf8');
    })();

    it('Then each action is one JSON line {t, action, ms, ok}, with the error kind on a failure', async () => {
      const lines = (await written).trimEnd().split('\n');
      expect(lines).toHaveLength(10_002);
      expect(JSON.parse(lines[0]!)).toEqual({ t: 1_700_000_000_123, action: 'HomePage', ms: 12.345, ok: true });
      expect(JSON.parse(lines[1]!)).toEqual({ t: 1_700_000_000_200, action: 'Login', ms: 2000, ok: false, error: 'timeout' });
    });

    it('Then reading it back gives the same records with their line numbers', async () => {
      await written;
      const read: RequestLogLine[] = [];
      for await (const line of readRequestLog(path)) read.push(line);
      expect(read).toHaveLength(10_002);
      expect(read[1]).toEqual({ line: 2, record: { t: 1_700_000_000_200, action: 'Login', ms: 2000, ok: false, error: 'timeout' } });
      expect(read[10_001]).toEqual({ line: 10_002, record: { t: 1_700_000_010_999, action: 'TagSearch', ms: 9.999, ok: true } });
    });
  });

  describe('When its file cannot be created', () => {
    it('Then close() rejects with the path and the reason', async () => {
      const writer = new RequestLogWriter(join(dir, 'missing', 'run.jsonl'));
      writer.write({ action: 'HomePage', startMs: 1, durationUs: 1, ok: true });
      await expect(writer.close()).rejects.toThrow(/missing\/run\.jsonl.*ENOENT/);
    });
  });
});

describe('Given a disk slower than the load (a sink taking 5 ms per 16 KiB write)', () => {
  it('When a million lines come in bursts, Then memory stays bounded and every line is written or counted as dropped', async () => {
    let received = 0;
    const slowDisk = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        for (const byte of chunk) if (byte === 0x0a) received += 1;
        setTimeout(done, 5);
      },
    });
    const maxBufferedBytes = 1024 * 1024;
    const writer = new RequestLogWriter('slow.jsonl', { stream: slowDisk, maxBufferedBytes });
    const before = retainedMemory();
    let peakGrowth = 0;
    let peakBehind = 0;
    const lines = 1_000_000;
    for (let i = 0; i < lines; i++) {
      writer.write({ action: 'EventDetail', startMs: 1_700_000_000_000 + i, durationUs: 123_456 + i, ok: i % 10 !== 0, ...(i % 10 === 0 ? { errorKind: 'timeout' as const } : {}) });
      // Bursts of 2,000 actions, as completions arrive between turns of the event loop.
      if (i % 2_000 === 0) {
        peakBehind = Math.max(peakBehind, slowDisk.writableLength);
        await nextTurn();
      }
      if (i % 100_000 === 0) peakGrowth = Math.max(peakGrowth, retainedMemory() - before);
    }
    await writer.close();

    expect(writer.dropped).toBeGreaterThan(0);
    expect(writer.written + writer.dropped).toBe(lines);
    expect(received).toBe(writer.written);
    // What waited for the disk stayed under the bound (plus the batch that crossed it).
    expect(peakBehind).toBeLessThanOrEqual(maxBufferedBytes + 64 * 1024);
    // The million lines are about 90 MB; unbounded, they would all wait in memory.
    expect(peakGrowth).toBeLessThan(8 * 1024 * 1024);
  });
});

/**
 * Heap and buffers still in use after a full collection (the stream keeps its pending writes as
 * Buffers, outside the heap). `gc` is V8's own, exposed at run time for this measurement.
 */
function retainedMemory(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('Given request-log lines', () => {
  it.each([
    ['{"t":1,"action":"A","ms":1', /not JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"action":"A","ms":1,"ok":true}', /"t"/],
    ['{"t":1,"action":"","ms":1,"ok":true}', /"action"/],
    ['{"t":1,"action":"A","ms":-1,"ok":true}', /"ms"/],
    ['{"t":1,"action":"A","ms":"5","ok":true}', /"ms"/],
    ['{"t":1,"action":"A","ms":1,"ok":"yes"}', /"ok"/],
    ['{"t":1,"action":"A","ms":1,"ok":false,"error":"dns"}', /"error"/],
  ])('When the line is %s, Then it is corrupt and says why', (text, reason) => {
    const parsed = parseLine(7, text);
    expect(parsed.line).toBe(7);
    expect('corrupt' in parsed && parsed.corrupt).toMatch(reason);
  });
});
