import { describe, expect, it } from 'vitest';
import { newHistogram, type SecondSnapshot } from '../recording/index.ts';
import type { WindowEvaluation } from '../sla/index.ts';
import { migrationRecoveries, runRecoveries } from './migration-recovery.ts';
import type { MigrationOutcome } from './migration-worker.ts';

const T0 = 1_700_000_000; // epoch second, the start of steady state
const iso = (second: number) => new Date(second * 1000).toISOString();

/** HomePage at `ms` (10 a second), TagSearch at 200 ms throughout. */
function second(at: number, ms: number): SecondSnapshot {
  const home = newHistogram();
  home.recordValueWithCount(ms * 1000, 10);
  const tag = newHistogram();
  tag.recordValueWithCount(200_000, 10);
  return { second: at, actions: { HomePage: { histogram: home, ok: 10, errors: {} }, TagSearch: { histogram: tag, ok: 10, errors: {} } } };
}

/** 60 s of steady state, HomePage's response time per second as told (seconds into steady state). */
function run(slowAfterSecond: (s: number) => number): SecondSnapshot[] {
  return Array.from({ length: 60 }, (_, s) => second(T0 + s, slowAfterSecond(s)));
}

const migrations: MigrationOutcome[] = [
  { index: 1, offsetMs: 10_000, state: 'Succeeded', startTime: iso(T0 + 10), endTime: iso(T0 + 12), downtimeEndMs: (T0 + 12) * 1000 + 500 },
  { index: 2, offsetMs: 30_000, state: 'Succeeded', startTime: iso(T0 + 30), endTime: iso(T0 + 32) },
];

/** A window per second ending at T0+5..T0+60, HomePage broken where `broken` says (seconds into steady state). */
function windows(broken: (end: number) => boolean): WindowEvaluation[] {
  return Array.from({ length: 56 }, (_, k) => {
    const end = 5 + k;
    return { end: (T0 + end) * 1000, actions: { HomePage: { samples: 50, failures: 0, percentiles: { '90': 0 }, violated: { '90': broken(end) } } } };
  });
}

const context = (seconds: SecondSnapshot[], judgedWindows: WindowEvaluation[]) => ({
  seconds,
  windows: judgedWindows,
  actions: ['HomePage', 'TagSearch'],
  judged: new Set(['HomePage']),
  steadyStartMs: T0 * 1000,
  steadyEndMs: (T0 + 60) * 1000,
});

describe('Given a run with two migrations', () => {
  it('When users come back after each, Then each has its own recovery from its end of stop-and-copy, per action and overall', () => {
    const seconds = run((s) => ((s >= 12 && s < 15) || (s >= 32 && s < 35) ? 900 : 100));
    const recoveries = migrationRecoveries(migrations, context(seconds, windows((end) => (end >= 13 && end <= 19) || (end >= 33 && end <= 39))));

    const first = recoveries.get(1)!;
    // The end of stop-and-copy is the clients' end of downtime (T0+12.5), later than the task's end.
    expect(first.fromTime).toBe(new Date((T0 + 12) * 1000 + 500).toISOString());
    expect(first.observedSeconds).toBeCloseTo(17.5, 6); // until the second migration starts
    const home = first.perAction.find((a) => a.action === 'HomePage')!;
    expect(home.baselineSeconds).toBeCloseTo(0.1, 3);
    expect(home.seconds).toBeCloseTo(2.5, 6); // second T0+15 is the first back
    expect(home.slaSeconds).toBeCloseTo(7.5, 6); // the window ending T0+20 is the first good one after the last broken
    const tag = first.perAction.find((a) => a.action === 'TagSearch')!;
    expect(tag.seconds).toBe(0);
    expect(tag.slaSeconds).toBeUndefined(); // no threshold: not judged by windows
    expect(first.seconds).toBeCloseTo(2.5, 6);
    expect(first.slaSeconds).toBeCloseTo(7.5, 6);

    const second = recoveries.get(2)!;
    expect(second.fromTime).toBe(iso(T0 + 32));
    expect(second.observedSeconds).toBe(28); // until steady state ends
    expect(second.seconds).toBe(3);
    expect(second.slaSeconds).toBe(8);
  });

  it('When an action is not back from the first before the second starts, Then the second is judged against the level before the first', () => {
    const seconds = run((s) => (s < 12 ? 100 : s < 40 ? 400 : 100));
    const recoveries = migrationRecoveries(migrations, context(seconds, windows(() => false)));
    const first = recoveries.get(1)!;
    expect(first.perAction.find((a) => a.action === 'HomePage')?.seconds).toBeUndefined();
    expect(first.seconds).toBeUndefined(); // HomePage was not back: overall neither
    expect(first.slaSeconds).toBe(0);
    const home = recoveries.get(2)!.perAction.find((a) => a.action === 'HomePage')!;
    expect(home.baselineSeconds).toBeCloseTo(0.1, 3); // not the 400 ms of the seconds between them
    expect(home.seconds).toBe(8); // second T0+40
  });

  it('When a migration failed or ended after steady state, Then it has no recovery', () => {
    const seconds = run(() => 100);
    const late: MigrationOutcome = { index: 3, offsetMs: 58_000, state: 'Succeeded', startTime: iso(T0 + 58), endTime: iso(T0 + 61) };
    const failed: MigrationOutcome = { ...migrations[0]!, state: 'Failed' };
    const recoveries = migrationRecoveries([failed, migrations[1]!, late], context(seconds, windows(() => false)));
    expect([...recoveries.keys()]).toEqual([2]);
  });
});

describe('Given a rare action seen before the migration but not after it', () => {
  it('Then it is unseen, and the migration is back when the actions that were seen are', () => {
    const seconds = run((s) => (s >= 12 && s < 14 ? 900 : 100));
    const rare = newHistogram();
    rare.recordValue(300_000);
    seconds[3] = { ...seconds[3]!, actions: { ...seconds[3]!.actions, AddEvent: { histogram: rare, ok: 1, errors: {} } } };
    const recovery = migrationRecoveries([migrations[0]!], { ...context(seconds, windows(() => false)), actions: ['HomePage', 'TagSearch', 'AddEvent'] }).get(1)!;
    expect(recovery.perAction.find((a) => a.action === 'AddEvent')).toEqual({ action: 'AddEvent', baselineSeconds: expect.closeTo(0.3, 3) as number, unseen: true });
    expect(recovery.seconds).toBeCloseTo(1.5, 6); // HomePage, back at T0+14
  });
});

describe('Given a run stopped (aborted) 20 s into steady state, after its first migration', () => {
  it('Then recovery is watched only until its last measured second, and the empty windows after it are not users back', () => {
    const seconds = run(() => 100).slice(0, 20);
    const analysis = { windows: windows((end) => end >= 13), actions: [{ action: 'HomePage', count: 1, errors: 0, thresholdSeconds: 1, percentiles: [], verdict: 'Pass' as const }] };
    const recovery = runRecoveries([migrations[0]!], seconds, analysis, { steadyStartMs: T0 * 1000, steadyEndMs: (T0 + 60) * 1000 }).get(1)!;
    expect(recovery.observedSeconds).toBe(7.5); // from T0+12.5 to the end of second T0+19
    expect(recovery.slaSeconds).toBeUndefined(); // broken through the last window measured
  });
});
