import { describe, expect, it } from 'vitest';
import { parseSchedule, type MigrationSchedule, type MigrationScheduleManifest } from '../api/v1alpha1/index.ts';
import { refusalOf } from '../invalid/testing.ts';
import { MAX_MISSED_COUNTED, planSchedule, type ChildCampaign } from './schedule-plan.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;

function schedule(spec: Partial<MigrationScheduleManifest['spec']> = {}, status?: MigrationSchedule['status']): MigrationSchedule {
  return parseSchedule({
    apiVersion: 'migrascope.io/v1alpha1',
    kind: 'MigrationSchedule',
    metadata: { name: 'nightly', namespace: 'lab', uid: 'u-1' },
    spec: {
      schedule: '*/10 * * * *',
      campaignTemplate: {
        spec: {
          mode: 'capacity',
          sweep: { users: { from: 10, to: 20, step: 10 } },
          template: { spec: { poolRef: { name: 'pool' }, target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://web.lab/' }, workload: { steadyState: '10m' } } },
        },
      },
      ...spec,
    },
    ...(status ? { status } : {}),
  });
}

const child = (minute: number, phase?: ChildCampaign['phase'], extra: Partial<ChildCampaign> = {}): ChildCampaign => ({
  name: `nightly-${(T0 + minute * MIN) / MIN}`,
  scheduledMs: T0 + minute * MIN,
  phase,
  ...extra,
});

describe('given a schedule every ten minutes, created at T0', () => {
  it('when no occurrence has come yet, then nothing starts and it wakes at the first one', () => {
    const plan = planSchedule(schedule(), [], T0 + 3 * MIN, T0);
    expect(plan.start).toBeUndefined();
    expect(plan.requeueAfterMs).toBe(7 * MIN);
    expect(plan.status.nextScheduleTime).toBe('2026-12-01T00:10:00.000Z');
  });

  it('when its time comes, then the campaign named after the occurrence minute starts and is listed active', () => {
    const plan = planSchedule(schedule(), [], T0 + 10 * MIN + 5000, T0);
    expect(plan.start).toEqual({ name: `nightly-${(T0 + 10 * MIN) / MIN}`, scheduledMs: T0 + 10 * MIN });
    expect(plan.status.lastScheduleTime).toBe('2026-12-01T00:10:00.000Z');
    expect(plan.status.active).toEqual([{ name: plan.start?.name, scheduledTime: '2026-12-01T00:10:00.000Z' }]);
    expect(plan.status.missedOccurrences).toBe(0);
    expect(plan.events.map((e) => e.reason)).toEqual(['CampaignStarted']);
  });

  it('when the controller was down for an hour, then only the most recent occurrence starts and the five before it count as missed', () => {
    const plan = planSchedule(schedule({}, { lastScheduleTime: '2026-12-01T00:00:00.000Z' }), [child(0, 'Succeeded')], T0 + 65 * MIN, T0);
    expect(plan.start?.scheduledMs).toBe(T0 + 60 * MIN);
    expect(plan.status.missedOccurrences).toBe(5);
  });

  it('when more than a hundred occurrences were missed, then it warns TooManyMissedTimes and still starts only the newest', () => {
    const now = T0 + 3 * 24 * 60 * MIN + 4 * MIN;
    const plan = planSchedule(schedule(), [], now, T0);
    expect(plan.events.map((e) => e.reason)).toContain('TooManyMissedTimes');
    expect(plan.start?.scheduledMs).toBe(now - 4 * MIN);
    expect(plan.status.missedOccurrences).toBe(MAX_MISSED_COUNTED);
  });

  it('when the newest occurrence is older than startingDeadlineSeconds, then nothing starts and it says MissedSchedule', () => {
    const plan = planSchedule(schedule({ startingDeadlineSeconds: 60 }), [], T0 + 15 * MIN, T0);
    expect(plan.start).toBeUndefined();
    expect(plan.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'MissedSchedule' })]);
    expect(plan.requeueAfterMs).toBe(5 * MIN);
  });

  it('when the newest occurrence is within startingDeadlineSeconds, then it starts late', () => {
    const plan = planSchedule(schedule({ startingDeadlineSeconds: 600 }), [], T0 + 15 * MIN, T0);
    expect(plan.start?.scheduledMs).toBe(T0 + 10 * MIN);
  });

  it('when suspended, then nothing starts, no next time is given, and on resuming the missed occurrence starts at once', () => {
    const suspended = planSchedule(schedule({ suspend: true }), [], T0 + 25 * MIN, T0);
    expect(suspended.start).toBeUndefined();
    expect(suspended.status.nextScheduleTime).toBeUndefined();
    expect(suspended.requeueAfterMs).toBeUndefined();
    const resumed = planSchedule(schedule({ suspend: false }), [], T0 + 25 * MIN, T0);
    expect(resumed.start?.scheduledMs).toBe(T0 + 20 * MIN);
    expect(resumed.status.missedOccurrences).toBe(1);
  });
});

describe('given a campaign of the schedule still running when the next occurrence comes', () => {
  const running = [child(10, 'Running')];
  const status = { lastScheduleTime: '2026-12-01T00:10:00.000Z' };

  it('when concurrencyPolicy is Forbid (the default), then nothing starts and the occurrence waits, uncounted', () => {
    const plan = planSchedule(schedule({}, status), running, T0 + 21 * MIN, T0);
    expect(plan.start).toBeUndefined();
    expect(plan.remove).toEqual([]);
    expect(plan.status.lastScheduleTime).toBe(status.lastScheduleTime);
    expect(plan.status.missedOccurrences).toBe(0);
    // ... and starts, late, once the running campaign has ended.
    const later = planSchedule(schedule({}, status), [child(10, 'Succeeded')], T0 + 24 * MIN, T0);
    expect(later.start?.scheduledMs).toBe(T0 + 20 * MIN);
  });

  it('when concurrencyPolicy is Allow, then another starts beside it', () => {
    const plan = planSchedule(schedule({ concurrencyPolicy: 'Allow' }, status), running, T0 + 21 * MIN, T0);
    expect(plan.start?.scheduledMs).toBe(T0 + 20 * MIN);
    expect(plan.remove).toEqual([]);
    expect(plan.status.active?.map((a) => a.name)).toEqual([`nightly-${(T0 + 20 * MIN) / MIN}`, running[0]?.name]);
  });

  it('when concurrencyPolicy is Replace, then the running one is deleted and the new one starts', () => {
    const plan = planSchedule(schedule({ concurrencyPolicy: 'Replace' }, status), running, T0 + 21 * MIN, T0);
    expect(plan.remove).toEqual([running[0]?.name]);
    expect(plan.start?.scheduledMs).toBe(T0 + 20 * MIN);
    expect(plan.status.active?.map((a) => a.name)).toEqual([plan.start?.name]);
    expect(plan.events.map((e) => e.reason)).toEqual(['Replaced', 'CampaignStarted']);
  });
});

describe('given finished campaigns beyond the history limits', () => {
  it('when planned, then the oldest of each kind go and the rest are listed newest first with their verdicts', () => {
    const done = (m: number, phase: ChildCampaign['phase']) => child(m, phase, { completionMs: T0 + (m + 5) * MIN, recommendedUsers: 20, message: 'migrate at up to 20 users (p99)' });
    const children = [done(0, 'Succeeded'), done(10, 'Failed'), done(20, 'Succeeded'), done(30, 'Aborted'), done(40, 'Succeeded')];
    const plan = planSchedule(schedule({ successfulHistoryLimit: 2, failedHistoryLimit: 1 }, { lastScheduleTime: '2026-12-01T00:40:00.000Z' }), children, T0 + 45 * MIN, T0);
    expect(plan.remove.sort()).toEqual([children[0]?.name, children[1]?.name].sort());
    expect(plan.status.history?.map((h) => [h.name, h.phase])).toEqual([
      [children[4]?.name, 'Succeeded'],
      [children[3]?.name, 'Aborted'],
      [children[2]?.name, 'Succeeded'],
    ]);
    expect(plan.status.history?.[0]).toMatchObject({ recommendedUsers: 20, message: 'migrate at up to 20 users (p99)' });
    expect(plan.status.lastSuccessfulTime).toBe('2026-12-01T00:45:00.000Z');
  });
});

describe('given a schedule in a time zone with daylight saving', () => {
  it('when it runs at 02:30 Paris time over the spring change, then that night it runs at 03:00 local (the first valid time), as cron does', () => {
    const spec = { schedule: '30 2 * * *', timeZone: 'Europe/Paris' };
    const created = Date.parse('2026-03-28T12:00:00Z');
    const before = planSchedule(schedule(spec), [], created + 1000, created);
    expect(before.status.nextScheduleTime).toBe('2026-03-29T01:00:00.000Z');
    const after = planSchedule(schedule(spec, { lastScheduleTime: '2026-03-29T01:00:00.000Z' }), [], Date.parse('2026-03-29T12:00:00Z'), created);
    expect(after.status.nextScheduleTime).toBe('2026-03-30T00:30:00.000Z');
  });
});

describe('given a schedule spec that cannot work', () => {
  it.each([
    [{ schedule: '* * * * * *' }, 'spec.schedule', 'five fields'],
    [{ schedule: '61 * * * *' }, 'spec.schedule', 'out of range'],
    [{ timeZone: 'Mars/Olympus' }, 'spec.timeZone', 'IANA'],
    [{ schedule: 'CRON_TZ=UTC 0 2 * * *', timeZone: 'UTC' }, 'spec.schedule', 'five fields'],
    [{ schedule: 'CRON_TZ=UTC 0 2 * *' }, 'spec.schedule', 'misspelt'],
    [{ successfulHistoryLimit: 21 }, 'spec.successfulHistoryLimit', '20'],
  ])('when %j, then it is refused naming %s', (spec, field, words) => {
    const error = refusalOf(() => schedule(spec as Partial<MigrationScheduleManifest['spec']>));
    expect(error.field).toBe(field);
    expect(error.message).toContain(words);
  });

  it('when its name is longer than 52 characters, then it is refused: its campaigns could not label their experiments', () => {
    const long = { ...schedule(), metadata: { name: 'n'.repeat(53) } };
    expect(refusalOf(() => parseSchedule(long)).field).toBe('metadata.name');
  });
});
