import { describe, expect, it } from 'vitest';
import { newHistogram, type SecondSnapshot } from '../recording/index.ts';
import { baselineLevel, perSecondRecovery, windowedRecovery } from './recovery-time.ts';
import type { WindowEvaluation } from './sliding-window-sla.ts';

const T0 = 1_700_000_000; // epoch second

/** A second in which HomePage took `ms` (20 of them) and Login 50 ms, or nothing completed when ms is undefined. */
function second(at: number, ms: number | undefined): SecondSnapshot {
  if (ms === undefined) return { second: at, actions: {} };
  const home = newHistogram();
  home.recordValueWithCount(ms * 1000, 20);
  const login = newHistogram();
  login.recordValueWithCount(50_000, 2);
  return { second: at, actions: { HomePage: { histogram: home, ok: 20, errors: {} }, Login: { histogram: login, ok: 2, errors: {} } } };
}

/** 100 ms for 30 s, a migration from T0+30 s to T0+40 s (slow, then a stall), back at T0+45 s. */
const seconds = new Map<number, SecondSnapshot>();
for (let s = 0; s < 60; s++) {
  const ms = s < 30 ? 100 : s < 38 ? 150 : s < 40 ? undefined : s < 45 ? 900 - (s - 40) * 100 : 105;
  seconds.set(T0 + s, second(T0 + s, ms));
}
const at = (s: number): SecondSnapshot | undefined => seconds.get(s);
const span = { endMs: (T0 + 40) * 1000 + 400, boundMs: (T0 + 60) * 1000 };

describe('Given per-second response times around a migration', () => {
  it('When the level before it is asked, Then it is the p90 of the whole seconds before its start, per action', () => {
    expect(baselineLevel(at, 'HomePage', T0 * 1000, (T0 + 30) * 1000 + 700)).toBeCloseTo(100, 0);
    expect(baselineLevel(at, 'Login', T0 * 1000, (T0 + 30) * 1000)).toBeCloseTo(50, 0);
    expect(baselineLevel(at, 'AddEvent', T0 * 1000, (T0 + 30) * 1000)).toBeUndefined();
    // Second T0+30 (150 ms) is not whole before a start at T0+30.7 s: it stays out.
    expect(baselineLevel(at, 'HomePage', (T0 + 25) * 1000, (T0 + 31) * 1000 - 300)).toBeCloseTo(100, 0);
  });

  it('When users are back, Then recovery lasts from the end until the first second whose p90 is within 10 % of before', () => {
    const recovery = perSecondRecovery(at, 'HomePage', span, 100);
    expect(recovery).toEqual({ state: 'recovered', seconds: expect.closeTo(4.6, 3) as number }); // second T0+45 starts 4.6 s after T0+40.4
    // Login was never slowed: back in the second the migration ended, so 0 s (not negative).
    expect(perSecondRecovery(at, 'Login', span, 50)).toEqual({ state: 'recovered', seconds: 0 });
  });

  it('When the bound (the next migration, the end of steady state) comes first, Then it is not recovered', () => {
    expect(perSecondRecovery(at, 'HomePage', { ...span, boundMs: (T0 + 45) * 1000 }, 100)).toEqual({ state: 'notRecovered' });
  });

  it('When the action completed nowhere between the end and the bound, Then it is unseen, not slow', () => {
    expect(perSecondRecovery(at, 'HomePage', { endMs: (T0 + 38) * 1000, boundMs: (T0 + 40) * 1000 }, 100)).toEqual({ state: 'unseen' });
  });

  it('When the action completed nowhere before the migration, Then there is no level to be back to', () => {
    expect(perSecondRecovery(at, 'AddEvent', span, undefined)).toEqual({ state: 'unknown' });
  });
});

/** Windows ending at T0+41..T0+50, HomePage broken in those listed. */
function windows(broken: readonly number[]): WindowEvaluation[] {
  return Array.from({ length: 10 }, (_, k) => {
    const end = (T0 + 41 + k) * 1000;
    const over = broken.includes(T0 + 41 + k);
    return { end, actions: { HomePage: { samples: 10, failures: 0, percentiles: { '90': over ? 1500 : 100 }, violated: { '90': over } } } };
  });
}

describe('Given the SLA windows after a migration', () => {
  const end = { endMs: (T0 + 40) * 1000 + 400, boundMs: (T0 + 50) * 1000 };

  it('When some broke the threshold, Then recovery lasts until the end of the first window after the last broken one', () => {
    // Broken at 41..44, one good window at 45 that does not count (46 broke again), back for good at 47.
    expect(windowedRecovery(windows([T0 + 41, T0 + 42, T0 + 43, T0 + 44, T0 + 46]), 'HomePage', end)).toEqual({ state: 'recovered', seconds: expect.closeTo(6.6, 3) as number });
  });

  it('When none after the end broke it, Then it is back at once', () => {
    expect(windowedRecovery(windows([]), 'HomePage', end)).toEqual({ state: 'recovered', seconds: 0 });
  });

  it('When the last window before the bound is still broken, Then it is not recovered; windows after the bound do not count', () => {
    expect(windowedRecovery(windows([T0 + 48, T0 + 49, T0 + 50]), 'HomePage', end)).toEqual({ state: 'notRecovered' });
    expect(windowedRecovery(windows([T0 + 42]), 'HomePage', { ...end, boundMs: (T0 + 42) * 1000 })).toEqual({ state: 'notRecovered' });
  });
});
