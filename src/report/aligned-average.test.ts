import { describe, expect, it } from 'vitest';
import { averagedActions, averageAligned, firstMigrationAt } from './aligned-average.ts';
import { runSeries } from './series.ts';
import { syntheticExperiment, syntheticRun } from './testing/synthetic.ts';

describe('Given the windowed curves of runs whose migrations started at different times', () => {
  // Run A migrates 30.4 s into its run, run B 35.6 s: their window ends (whole seconds) fall at
  // different offsets from the migration and are put on the 1 s grid by rounding.
  const a = { ends: [28, 29, 30, 31, 32, 33], values: [100, 100, 100, 900, 500, 100], alignAt: 30.4 };
  const b = { ends: [34, 35, 36, 37, 38], values: [120, 120, 700, 300, 140], alignAt: 35.6 };

  it('When they are averaged, Then each grid point both cover holds the mean, the sample sd, the lowest and the highest', () => {
    const averaged = averageAligned([a, b], 1);
    // A's offsets: -2.4 -1.4 -0.4 0.6 1.6 2.6 -> -2 -1 0 1 2 3; B's: -1.6 -0.6 0.4 1.4 2.4 -> -2 -1 0 1 2.
    expect(averaged.offsets).toEqual([-2, -1, 0, 1, 2]);
    expect(averaged.mean).toEqual([110, 110, 400, 600, 320]);
    expect(averaged.min).toEqual([100, 100, 100, 300, 140]);
    expect(averaged.max).toEqual([120, 120, 700, 900, 500]);
    // Two values x, y: s = |x - y| / sqrt 2.
    averaged.stdDev.forEach((sd, i) => expect(sd).toBeCloseTo((averaged.max[i]! - averaged.min[i]!) / Math.SQRT2, 9));
    expect(averaged.runs).toBe(2);
  });

  it('When a run has two ends on one grid point, Then it keeps the higher, and one run alone has no spread', () => {
    const merged = averageAligned([{ ends: [10, 10.4, 12], values: [200, 300, 100], alignAt: 0 }], 2);
    expect(merged).toEqual({ offsets: [10, 12], mean: [300, 100], stdDev: [0, 0], min: [300, 100], max: [300, 100], runs: 1 });
  });

  it('When there are no runs, Then the curve is empty', () => {
    expect(averageAligned([], 1).offsets).toEqual([]);
  });
});

describe('Given three synthetic runs, each with one migration at its own time', () => {
  const experiment = syntheticExperiment({ workload: { users: 120, rampUp: '10s', steadyState: '1m30s', rampDown: '10s' }, sla: { window: '20s' }, migrations: { offsets: ['40s'] } });
  const runs = [38, 40, 45].map((offset, i) => syntheticRun(experiment, { index: i + 1, seed: i + 1, migrations: [{ offset, duration: 12, downtime: 2, source: 'a', destination: 'b' }] }));
  const drawn = runs.map((run) => ({ run, series: runSeries(run.seconds, run.plan, experiment.spec.sla) }));

  it('When they are averaged per action, Then each point is the mean of the runs at that offset from their migration', () => {
    expect(runs.map(firstMigrationAt)).toEqual([48, 50, 55]); // ramp-up 10 s + the offset
    const { runs: counted, actions } = averagedActions(drawn, 1);
    expect(counted).toBe(3);
    const home = actions.find((a) => a.action === 'HomePage')!.percentiles['99']!;
    expect(home.offsets.length).toBeGreaterThan(20);
    for (const [k, offset] of home.offsets.entries()) {
      const values = drawn.map(({ run, series }) => {
        const own = series.actions.find((s) => s.action === 'HomePage')!;
        const index = own.windowEnds.findIndex((end) => Math.round(end - firstMigrationAt(run)!) === offset);
        return own.windowed['99']![index]!;
      });
      expect(home.mean[k]).toBeCloseTo(values.reduce((s, v) => s + v, 0) / 3, 9);
      expect(home.max[k]).toBe(Math.max(...values));
    }
    // The drain after the stop-and-copy (about 10 s after the start) is in every run: the mean peaks after the migration starts.
    const peak = home.offsets[home.mean.indexOf(Math.max(...home.mean))]!;
    expect(peak).toBeGreaterThan(0);
  });

  it('When a run did not migrate, Then it is left out of the average', () => {
    const still = syntheticRun(experiment, { index: 4, seed: 4 });
    expect(averagedActions([...drawn, { run: still, series: runSeries(still.seconds, still.plan, experiment.spec.sla) }], 1).runs).toBe(3);
  });
});
