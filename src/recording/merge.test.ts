import { describe, expect, it } from 'vitest';
import { Recorder, type SecondSnapshot } from './recorder.ts';
import { mergeSeconds } from './merge.ts';
import { decodeSecond, encodeSecond, SnapshotFormatError } from './snapshot-wire.ts';
import { bucketsOf } from './histogram.ts';
import { ERROR_KINDS, type ActionOutcome } from './outcome.ts';

const T0 = 1_700_000_000_000;
const ACTIONS = ['HomePage', 'Login', 'TagSearch', 'AddEvent'];

/** mulberry32: a seeded generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomOutcomes(n: number, seed: number): ActionOutcome[] {
  const random = seeded(seed);
  return Array.from({ length: n }, () => {
    const action = ACTIONS[Math.floor(random() * ACTIONS.length)]!;
    const startMs = T0 + Math.floor(random() * 10_000);
    // Log-uniform from 1 µs to about 100 s: every bucket magnitude gets values.
    const durationUs = Math.floor(10 ** (random() * 8));
    if (random() < 0.05) return { action, startMs, durationUs, ok: false, errorKind: ERROR_KINDS[Math.floor(random() * 4)]! };
    return { action, startMs, durationUs, ok: true };
  });
}

/** A snapshot list as plain comparable data: buckets, counts, errors per second and action. */
function comparable(seconds: SecondSnapshot[]): unknown {
  return seconds.map((s) => ({
    second: s.second,
    actions: Object.fromEntries(
      Object.entries(s.actions)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([action, part]) => [action, { buckets: bucketsOf(part.histogram), total: part.histogram.totalCount, ok: part.ok, errors: part.errors }]),
    ),
  }));
}

describe('Given 50 000 random outcomes recorded by one Recorder and, split at random, by four workers', () => {
  const outcomes = randomOutcomes(50_000, 42);
  const single = new Recorder();
  const workers = [new Recorder(), new Recorder(), new Recorder(), new Recorder()];
  const pick = seeded(7);
  for (const outcome of outcomes) {
    single.record(outcome);
    workers[Math.floor(pick() * workers.length)]!.record(outcome);
  }
  const whole = single.drain(Number.POSITIVE_INFINITY);
  const parts = workers.map((worker) => worker.drain(Number.POSITIVE_INFINITY));

  describe('When the workers’ snapshots travel as JSON and are merged', () => {
    const travelled = parts.flat().map((s) => decodeSecond(JSON.parse(JSON.stringify(encodeSecond(s)))));
    const merged = mergeSeconds(travelled);
    it('Then the merged histograms equal the single histogram bucket for bucket, with the same counts', () => {
      expect(merged.length).toBe(10);
      expect(comparable(merged)).toEqual(comparable(whole));
    });
  });

  describe('When merged without travelling', () => {
    it('Then the result is the same, and the inputs are untouched', () => {
      const before = comparable(parts.flat());
      expect(comparable(mergeSeconds(parts.flat()))).toEqual(comparable(whole));
      expect(comparable(parts.flat())).toEqual(before);
    });
  });
});

describe('Given a snapshot', () => {
  const recorder = new Recorder();
  for (const outcome of randomOutcomes(2000, 9)) recorder.record({ ...outcome, startMs: T0 });
  recorder.record({ action: 'OnlyErrors', startMs: T0, durationUs: 1, ok: false, errorKind: 'connect' });
  const [snapshot] = recorder.drain(Number.POSITIVE_INFINITY);

  it('When encoded and decoded, Then it is the same snapshot, including an action with no success', () => {
    expect(comparable([decodeSecond(encodeSecond(snapshot!))])).toEqual(comparable([snapshot!]));
  });

  it('When encoded, Then it is compact JSON-safe text (well under a byte per recorded value)', () => {
    const text = JSON.stringify(encodeSecond(snapshot!));
    expect(text.length).toBeLessThan(2000 * 4);
  });
});

describe('Given snapshots that are not ours', () => {
  const good = (): Record<string, unknown> => {
    const recorder = new Recorder();
    recorder.record({ action: 'Login', startMs: T0, durationUs: 5, ok: true });
    return JSON.parse(JSON.stringify(encodeSecond(recorder.drain(Number.POSITIVE_INFINITY)[0]!))) as Record<string, unknown>;
  };

  it('When a count is negative, Then decoding names the field', () => {
    const bad = good();
    (bad.actions as Record<string, Record<string, unknown>>).Login!.ok = -1;
    expect(() => decodeSecond(bad)).toThrow(/actions\.Login\.ok/);
  });

  it('When the histogram is not an encoding, Then decoding names the action', () => {
    const bad = good();
    (bad.actions as Record<string, Record<string, unknown>>).Login!.histogram = 'garbage!';
    expect(() => decodeSecond(bad)).toThrow(SnapshotFormatError);
    expect(() => decodeSecond(bad)).toThrow(/actions\.Login\.histogram/);
  });

  it('When ok disagrees with the histogram, Then decoding refuses it', () => {
    const bad = good();
    (bad.actions as Record<string, Record<string, unknown>>).Login!.ok = 2;
    expect(() => decodeSecond(bad)).toThrow(/holds 1 values but ok is 2/);
  });

  it('When an error kind is unknown, Then decoding names it', () => {
    const bad = good();
    (bad.actions as Record<string, Record<string, unknown>>).Login!.errors = { dns: 1 };
    expect(() => decodeSecond(bad)).toThrow(/errors/);
  });
});
