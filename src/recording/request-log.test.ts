import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
