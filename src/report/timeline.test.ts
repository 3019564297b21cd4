import { describe, expect, it } from 'vitest';
import { Sla } from '../api/v1alpha1/index.ts';
import { frame, RECOVERY_LIFT } from './chart-frame.ts';
import { responseTimeSvg } from './response-time-chart.ts';
import { runSeries } from './series.ts';
import { svgElements, secondOf } from './testing/reading.ts';
import { migrationSpans, recoverySpans, stages } from './timeline.ts';

const T0 = 1_700_000_000_000;
const plan = { startAtMs: T0, steadyStartMs: T0 + 60_000, steadyEndMs: T0 + 660_000, endMs: T0 + 690_000 };

describe('Given a run of 1 min ramp-up, 10 min steady state and 30 s ramp-down', () => {
  it('Then its stages lie at 0-60 s, 60-660 s and 660-690 s from the run start', () => {
    expect(stages(plan)).toEqual([
      { stage: 'rampUp', from: 0, to: 60 },
      { stage: 'steadyState', from: 60, to: 660 },
      { stage: 'rampDown', from: 660, to: 690 },
    ]);
  });

  it('Then a stage of zero length is left out', () => {
    expect(stages({ ...plan, steadyStartMs: T0 }).map((s) => s.stage)).toEqual(['steadyState', 'rampDown']);
  });
});

describe('Given a migration 5 min into steady state, 44 s long, with 3 s of downtime ending 1 s before it does', () => {
  const migration = {
    index: 1,
    startMs: T0 + 360_000,
    endMs: T0 + 404_000,
    downtimeStartMs: T0 + 400_000,
    downtimeEndMs: T0 + 403_000,
    state: 'Succeeded',
  };

  describe('When its spans are computed', () => {
    it('Then pre-copy runs from its start to the downtime and stop-and-copy is the downtime', () => {
      expect(migrationSpans(plan, [migration])).toEqual([
        { kind: 'preCopy', index: 1, from: 360, to: 400 },
        { kind: 'stopAndCopy', index: 1, from: 400, to: 403 },
      ]);
    });

    it('Then without its end instant, the downtime is taken from its length in seconds', () => {
      const { downtimeEndMs: _, ...withoutEnd } = migration;
      expect(migrationSpans(plan, [{ ...withoutEnd, downtimeSeconds: 2.5 }])[1]).toEqual({ kind: 'stopAndCopy', index: 1, from: 400, to: 402.5 });
    });

    it('Then without a downtime seen, the whole migration is one span', () => {
      expect(migrationSpans(plan, [{ index: 2, startMs: T0 + 100_000, durationSeconds: 30, state: 'Succeeded' }])).toEqual([
        { kind: 'migration', index: 2, from: 100, to: 130 },
      ]);
    });

    it('Then a migration that never started has no span', () => {
      expect(migrationSpans(plan, [{ index: 3, state: 'Pending' }])).toEqual([]);
    });
  });

  describe('When a chart of the run is drawn', () => {
    const seconds = Array.from({ length: 690 }, (_, s) => secondOf(T0 / 1000 + s, { HomePage: [100, 120, 150] }));
    const series = runSeries(seconds, plan, Sla.parse({ window: '5m' }));
    const spans = migrationSpans(plan, [migration]);
    const svg = responseTimeSvg({ action: series.actions[0]!, run: series, thresholdMs: 1000, stages: stages(plan), spans, duration: 690, label: 'HomePage' });
    const elements = svgElements(svg);
    const f = frame(690, 300);
    const rect = (cls: string) => elements.filter((e) => e.name === 'rect' && e.attributes.class === cls);

    it('Then the pre-copy and the stop-and-copy are shaded at their instants on the time axis, over the plot’s height', () => {
      const [preCopy] = rect('preCopy');
      const [stopAndCopy] = rect('stopAndCopy');
      expect(Number(preCopy!.attributes.x)).toBeCloseTo(f.x.at(360), 1);
      expect(Number(preCopy!.attributes.width)).toBeCloseTo(f.x.at(400) - f.x.at(360), 0);
      expect(Number(stopAndCopy!.attributes.x)).toBeCloseTo(f.x.at(400), 1);
      expect(Number(stopAndCopy!.attributes.width)).toBeCloseTo(f.x.at(403) - f.x.at(400), 0);
      expect(Number(stopAndCopy!.attributes.y)).toBe(f.top);
      expect(Number(stopAndCopy!.attributes.height)).toBe(f.bottom - f.top);
      expect(stopAndCopy!.attributes['data-migration']).toBe('1');
    });

    it('Then ramp-up and ramp-down are greyed, and the migration is numbered above the plot', () => {
      expect(rect('ramp').map((r) => Number(r.attributes.x))).toEqual([f.x.at(0), expect.closeTo(f.x.at(660), 1)]);
      expect(elements.find((e) => e.name === 'text' && e.attributes.class === 'migration-label')?.text).toBe('M1');
    });

    it('Then the threshold is a line across the plot, labelled', () => {
      const threshold = elements.filter((e) => e.name === 'line' && e.attributes.class === 'threshold');
      expect(threshold).toHaveLength(2); // linear and logarithmic
      expect(elements.some((e) => e.attributes.class === 'threshold-label' && e.text === 'SLA 1 s')).toBe(true);
    });
  });
});

describe('Given a migration whose recovery status measured two actions and missed two', () => {
  const fromTime = new Date(T0 + 403_000).toISOString();
  const migration = {
    index: 1,
    recovery: {
      fromTime,
      observedSeconds: 60,
      perAction: [
        { action: 'HomePage', baselineSeconds: 0.2, seconds: 4.5, slaSeconds: 20 },
        { action: 'TagSearch', baselineSeconds: 0.3 },
        { action: 'AddEvent', unseen: true as const },
        { action: 'Login' },
      ],
    },
  };

  it('Then an action back has its span from the end of stop-and-copy to its return', () => {
    expect(recoverySpans(plan, [migration], 'HomePage')).toEqual([{ index: 1, from: 403, to: 407.5, back: true }]);
  });

  it('Then an action not back has its span as far as it was watched', () => {
    expect(recoverySpans(plan, [migration], 'TagSearch')).toEqual([{ index: 1, from: 403, to: 463, back: false }]);
  });

  it('Then an action unseen after it, without a baseline, absent from it, or a migration without recovery has none', () => {
    for (const action of ['AddEvent', 'Login', 'EventDetail']) expect(recoverySpans(plan, [migration], action), action).toEqual([]);
    expect(recoverySpans(plan, [{ index: 2 }], 'HomePage')).toEqual([]);
  });

  it('Then the chart draws each span near the bottom of the plot, clear of the failure marks: solid with a tick where the action was back, dashed where it was not', () => {
    const seconds = Array.from({ length: 690 }, (_, s) => secondOf(T0 / 1000 + s, { HomePage: [100, 120, 150] }));
    const series = runSeries(seconds, plan, Sla.parse({ window: '5m' }));
    const recovery = [...recoverySpans(plan, [migration], 'HomePage'), ...recoverySpans(plan, [{ ...migration, index: 2 }], 'TagSearch')];
    const svg = responseTimeSvg({ action: series.actions[0]!, run: series, thresholdMs: 1000, stages: stages(plan), spans: [], recovery, duration: 690, label: 'HomePage' });
    const elements = svgElements(svg);
    const f = frame(690, 300);
    const groups = elements.filter((e) => e.name === 'g' && e.attributes.class?.startsWith('recovery'));
    expect(groups.map((g) => [g.attributes.class, g.attributes['data-migration']])).toEqual([
      ['recovery', '1'],
      ['recovery not-back', '2'],
    ]);
    const strips = elements.filter((e) => e.name === 'rect' && Number(e.attributes.y) === f.bottom - RECOVERY_LIFT);
    expect(strips.map((r) => [Number(r.attributes.x), Number(r.attributes.width)])).toEqual([
      [expect.closeTo(f.x.at(403), 1), expect.closeTo(f.x.at(407.5) - f.x.at(403), 0)],
      [expect.closeTo(f.x.at(403), 1), expect.closeTo(f.x.at(463) - f.x.at(403), 0)],
    ]);
    expect(elements.filter((e) => e.name === 'line' && e.attributes.class === 'recovery-end').map((l) => Number(l.attributes.x1))).toEqual([expect.closeTo(f.x.at(407.5), 1)]);
    expect(elements.filter((e) => e.name === 'title' && e.text.includes('p90')).map((t) => t.text)).toEqual([
      'Migration 1: p90 back 4.5 s after stop-and-copy (at 6:48)',
      'Migration 2: p90 not back within the 60 s watched',
    ]);
  });
});
