import { describe, expect, it } from 'vitest';
import { build, type JsHistogram } from 'hdr-histogram-js';
import { CLOUDSTONE_THRESHOLDS, Sla } from '../api/v1alpha1/index.ts';
import { newHistogram } from '../recording/index.ts';
import { SlidingWindowSla } from '../sla/index.ts';
import { slaOptions } from '../engine/run-analysis.ts';
import { percentilesOf, runSeries } from './series.ts';
import { secondOf } from './testing/reading.ts';

const S0 = 1_700_000_000;
const plan = { startAtMs: S0 * 1000, steadyStartMs: (S0 + 10) * 1000, steadyEndMs: (S0 + 70) * 1000, endMs: (S0 + 80) * 1000 };
// As the engine runs an olio experiment: the Cloudstone threshold of every Olio action.
const sla = Sla.parse({ window: '20s', step: '1s', percentiles: [90, 99], thresholds: CLOUDSTONE_THRESHOLDS });

/** What HdrHistogram reports for a sample of `ms`: the top of its bucket, in ms. */
function reported(ms: number): number {
  return (build() as JsHistogram).highestEquivalentValue(Math.round(ms * 1000)) / 1000;
}

describe('Given a run of 80 seconds with HomePage at 100 ms, and 2 s during seconds 40 to 42', () => {
  const seconds = Array.from({ length: 80 }, (_, s) => secondOf(S0 + s, { HomePage: Array(10).fill(40 <= s && s < 43 ? 2000 : 100) }));

  describe('When its series are computed at one point per second', () => {
    const series = runSeries(seconds, plan, sla);
    const home = series.actions.find((a) => a.action === 'HomePage')!;

    it('Then there is a point per second, in the middle of it, from the run start', () => {
      expect(series.bucketSeconds).toBe(1);
      expect(series.times).toHaveLength(80);
      expect(series.times[0]).toBe(0.5);
      expect(series.times[79]).toBe(79.5);
    });

    it('Then each second reads its own p50, p90 and p99', () => {
      expect(series.bucketPercentiles).toEqual([50, 90, 99]);
      expect(home.perBucket['99']![39]).toBe(reported(100));
      expect(home.perBucket['99']![40]).toBe(reported(2000));
      expect(home.perBucket['50']![42]).toBe(reported(2000));
      expect(home.ok[40]).toBe(10);
    });

    it('Then a run of actions named after Object.prototype members finds no threshold for the ones the SLA does not name', () => {
      const options = slaOptions(Sla.parse({ window: '20s', thresholds: { constructor: '1s' } }), plan);
      expect(options.thresholds.constructor).toBe(1000);
      expect(options.thresholds.toString).toBeUndefined();
      expect(options.thresholds.hasOwnProperty).toBeUndefined();
    });

    it('Then the windowed lines are the SLA engine’s windows, from steady start + window to steady end', () => {
      const engine = new SlidingWindowSla(slaOptions(sla, plan));
      for (const s of seconds) if (s.second >= S0 + 10 && s.second < S0 + 70) engine.add(s);
      engine.finish();
      expect(home.windowEnds[0]).toBe(30);
      expect(home.windowEnds.at(-1)).toBe(70);
      expect(home.windowEnds).toHaveLength(41);
      expect(Math.max(...home.windowed['99']!)).toBe(engine.result().actions.HomePage!.percentiles['99']!.maxMs);
      // 30 of 200 samples in a window are 2 s: p90 breaks exactly while the window holds them.
      expect(home.windowed['90']![home.windowEnds.indexOf(43)]).toBe(reported(2000));
      expect(home.windowed['90']![home.windowEnds.indexOf(40)]).toBe(reported(100));
    });
  });

  describe('When the run is drawn with at most 20 points per line', () => {
    const series = runSeries(seconds, plan, sla, 20);
    const home = series.actions.find((a) => a.action === 'HomePage')!;

    it('Then 4 seconds share a point, whose percentiles come from their merged histograms', () => {
      expect(series.bucketSeconds).toBe(4);
      expect(series.times).toEqual(Array.from({ length: 20 }, (_, k) => k * 4 + 2));
      // Seconds 40..43: 30 samples of 2 s, 10 of 100 ms. Merged, the median is 2 s; an average of
      // the seconds' medians would say 1.5 s.
      expect(home.perBucket['50']![10]).toBe(reported(2000));
      expect(home.ok[10]).toBe(40);
    });

    it('Then windows are merged too, keeping each group’s highest value', () => {
      expect(home.windowEnds.length).toBeLessThanOrEqual(20);
      expect(Math.max(...home.windowed['90']!)).toBe(reported(2000));
    });
  });
});

describe('Given AddEvent at one sample every other second, beside HomePage at ten a second', () => {
  const seconds = Array.from({ length: 80 }, (_, s) => secondOf(S0 + s, { HomePage: Array(10).fill(100), ...(s % 2 === 0 ? { AddEvent: [100 + s] } : {}) }));

  describe('When its series are computed', () => {
    const series = runSeries(seconds, plan, sla);
    const addEvent = series.actions.find((a) => a.action === 'AddEvent')!;

    it('Then AddEvent’s points merge enough seconds to hold ten samples, HomePage keeps one second per point', () => {
      expect(series.actions.find((a) => a.action === 'HomePage')!.bucketSeconds).toBe(1);
      expect(addEvent.bucketSeconds).toBe(30);
      expect(addEvent.times).toEqual([15, 45, 75]);
      expect(addEvent.ok).toEqual([15, 15, 10]);
    });

    it('Then each point’s percentiles come from its merged samples', () => {
      // Seconds 30..58 (even): 130..158 ms; the median of 15 is the 8th, 144 ms.
      expect(addEvent.perBucket['50']![1]).toBe(reported(144));
      expect(addEvent.perBucket['99']![1]).toBe(reported(158));
    });

    it('Then the run’s overview still counts every second', () => {
      expect(series.times).toHaveLength(80);
      expect(series.ok.slice(0, 3)).toEqual([11, 10, 11]);
    });
  });
});

describe('Given actions beyond the Olio ones and seconds without any sample', () => {
  const seconds = [secondOf(S0 + 12, { Zeta: [5], HomePage: [50], Alpha: [7] }), secondOf(S0 + 30, { Login: [80] }, { Login: 2 })];

  describe('When its series are computed', () => {
    const series = runSeries(seconds, plan, sla);

    it('Then the Olio actions come first in matrix order, then the others by name', () => {
      expect(series.actions.map((a) => a.action)).toEqual(['HomePage', 'Login', 'Alpha', 'Zeta']);
    });

    it('Then a point without a success has no value, and failures are counted', () => {
      const login = series.actions.find((a) => a.action === 'Login')!;
      expect(login.bucketSeconds).toBe(30);
      expect(login.perBucket['90']).toEqual([null, reported(80), null]);
      expect(login.errors).toEqual([0, 2, 0]);
      expect(login.ok).toEqual([0, 1, 0]);
    });
  });
});

describe('Given a steady state shorter than one window', () => {
  it('Then there are no windowed points, and no error', () => {
    const short = { ...plan, steadyEndMs: (S0 + 20) * 1000 };
    const series = runSeries([secondOf(S0 + 12, { HomePage: [50] })], short, sla);
    expect(series.actions[0]!.windowEnds).toEqual([]);
  });
});

describe('Given a histogram of 1..1000 ms', () => {
  it('Then percentilesOf reads several percentiles in one pass exactly as getValueAtPercentile does', () => {
    const histogram = newHistogram();
    for (let ms = 1; ms <= 1000; ms++) histogram.recordValue(ms * 1000);
    const ps = [0.1, 50, 90, 99, 99.9, 100];
    expect(percentilesOf(histogram, ps)).toEqual(ps.map((p) => histogram.getValueAtPercentile(p)));
  });
});
