import { describe, expect, it } from 'vitest';
import { Recorder } from './recorder.ts';
import { bucketsOf, newHistogram } from './histogram.ts';
import type { ActionOutcome } from './outcome.ts';

const T0 = 1_700_000_000_000; // an epoch ms on a second boundary

function ok(action: string, startMs: number, durationUs: number): ActionOutcome {
  return { action, startMs, durationUs, ok: true };
}

describe('Given a Recorder', () => {
  describe('When actions start just before, on and after a second boundary', () => {
    const recorder = new Recorder();
    recorder.record(ok('HomePage', T0 + 999, 5_000_000)); // ends long after, still second T0
    recorder.record(ok('HomePage', T0 + 1000, 1000));
    recorder.record(ok('HomePage', T0 + 1999.5, 2000));
    const seconds = recorder.drain(Number.POSITIVE_INFINITY);

    it('Then each is attributed to the second it started in', () => {
      expect(seconds.map((s) => s.second)).toEqual([T0 / 1000, T0 / 1000 + 1]);
      expect(seconds[0]?.actions.HomePage?.ok).toBe(1);
      expect(seconds[1]?.actions.HomePage?.ok).toBe(2);
    });

    it('Then the histogram holds the response time of the success in microseconds', () => {
      const histogram = seconds[0]?.actions.HomePage?.histogram;
      expect(histogram?.totalCount).toBe(1);
      const expected = newHistogram();
      expected.recordValue(5_000_000);
      expect(bucketsOf(histogram!)).toEqual(bucketsOf(expected));
    });
  });

  describe('When failures of several kinds are recorded', () => {
    const recorder = new Recorder();
    recorder.record({ action: 'Login', startMs: T0, durationUs: 10, ok: false, errorKind: 'timeout' });
    recorder.record({ action: 'Login', startMs: T0, durationUs: 10, ok: false, errorKind: 'timeout' });
    recorder.record({ action: 'Login', startMs: T0, durationUs: 10, ok: false, errorKind: 'status' });
    recorder.record(ok('Login', T0, 300));
    const login = recorder.drain(Number.POSITIVE_INFINITY)[0]?.actions.Login;

    it('Then they are counted by kind and kept out of the response-time histogram', () => {
      expect(login?.errors).toEqual({ timeout: 2, status: 1 });
      expect(login?.ok).toBe(1);
      expect(login?.histogram.totalCount).toBe(1);
    });
  });

  describe('When draining before a second', () => {
    const recorder = new Recorder();
    for (const offset of [3, 0, 2, 1]) recorder.record(ok('TagSearch', T0 + offset * 1000, 100));
    const first = recorder.drain(T0 / 1000 + 2);
    const second = recorder.drain(T0 / 1000 + 2);
    const rest = recorder.drain(Number.POSITIVE_INFINITY);

    it('Then it returns exactly the earlier seconds, ascending, and removes them', () => {
      expect(first.map((s) => s.second - T0 / 1000)).toEqual([0, 1]);
      expect(second).toEqual([]);
      expect(rest.map((s) => s.second - T0 / 1000)).toEqual([2, 3]);
    });
  });

  describe('When an outcome arrives for a second already drained', () => {
    const recorder = new Recorder();
    recorder.record(ok('EventDetail', T0, 100));
    recorder.drain(T0 / 1000 + 1);
    recorder.record(ok('EventDetail', T0 + 10, 200));
    recorder.record(ok('EventDetail', T0 + 1000, 200));

    it('Then it is counted as late and returned by the next drain, not lost', () => {
      expect(recorder.lateOutcomes).toBe(1);
      const late = recorder.drain(Number.POSITIVE_INFINITY);
      expect(late.map((s) => s.second - T0 / 1000)).toEqual([0, 1]);
      expect(late[0]?.actions.EventDetail?.ok).toBe(1);
    });
  });

  describe('When the driver reports something impossible', () => {
    const recorder = new Recorder();
    it('Then a NaN or negative duration is refused, naming the action', () => {
      expect(() => recorder.record(ok('AddEvent', T0, Number.NaN))).toThrow(/AddEvent.*durationUs/);
      expect(() => recorder.record(ok('AddEvent', T0, -1))).toThrow(/AddEvent.*durationUs/);
    });
    it('Then a failure without a kind is refused', () => {
      expect(() => recorder.record({ action: 'AddEvent', startMs: T0, durationUs: 1, ok: false })).toThrow(/errorKind/);
    });
  });
});
