import { describe, expect, it } from 'vitest';
import { newHistogram, type SecondSnapshot } from '../recording/index.ts';
import { recoveryTime } from './recovery-time.ts';

const T0 = 1_700_000_000; // epoch second

/** A second in which every action took `ms` (20 of them), or nothing completed when ms is undefined. */
function second(at: number, ms: number | undefined): SecondSnapshot {
  const histogram = newHistogram();
  if (ms !== undefined) histogram.recordValueWithCount(ms * 1000, 20);
  return { second: at, actions: ms === undefined ? {} : { HomePage: { histogram, ok: 20, errors: {} } } };
}

/** 100 ms for 30 s, a migration from T0+30 s to T0+40 s (a stall, then slow), back at T0+45 s. */
const seconds = new Map<number, SecondSnapshot>();
for (let s = 0; s < 60; s++) {
  const ms = s < 30 ? 100 : s < 38 ? 150 : s < 40 ? undefined : s < 45 ? 900 - (s - 40) * 100 : 105;
  seconds.set(T0 + s, second(T0 + s, ms));
}
const at = (s: number): SecondSnapshot | undefined => seconds.get(s);
const migration = { startMs: (T0 + 30) * 1000, endMs: (T0 + 40) * 1000 + 400, notBeforeMs: T0 * 1000 };

describe('Given per-second response times around a migration', () => {
  it('When the seconds after it are known, Then recovery lasts from its end until p90 is within 10 % of before', () => {
    const recovery = recoveryTime(at, T0 + 60, migration);
    expect(recovery.state).toBe('recovered');
    if (recovery.state !== 'recovered') return;
    expect(recovery.seconds).toBeCloseTo(4.6, 3); // second T0+45 starts 4.6 s after the end at T0+40.4
    expect(recovery.baselineMs).toBeCloseTo(100, 0);
  });

  it('When only the slow seconds after it are known yet, Then it is pending', () => {
    expect(recoveryTime(at, T0 + 44, migration)).toEqual({ state: 'pending' });
  });

  it('When nothing completed before the migration, Then there is no level to be back to', () => {
    expect(recoveryTime(() => undefined, T0 + 60, migration)).toEqual({ state: 'unknown' });
  });

  it('When users are already back in the second the migration ends, Then recovery is zero', () => {
    const quick = recoveryTime((s) => (s >= T0 + 40 ? second(s, 100) : at(s)), T0 + 60, migration);
    expect(quick).toMatchObject({ state: 'recovered', seconds: 0 });
  });
});
