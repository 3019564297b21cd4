// What `migrascope run` prints for an experiment whose run went through a Redis outage and lost a
// load worker: both said in words, with how long, beside the tables; and the figures over repeated
// runs: the worst run as the value, the mean and its 95 % interval beside it.
import { describe, expect, it } from 'vitest';
import { parseCampaign, parseExperiment, type MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { experiment as experimentCase } from '../api/testing/cases.ts';
import { describeCampaign, describeExperiment } from './run-summary.ts';

const experiment = parseExperiment({
  apiVersion: 'migrascope.io/v1alpha1',
  kind: 'MigrationExperiment',
  metadata: { name: 'bumpy' },
  spec: {
    poolRef: { name: 'pool' },
    target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://127.0.0.1:1/' },
    workload: { users: 10, rampUp: '1s', steadyState: '10s', rampDown: '1s' },
    sla: { window: '5s', step: '1s' },
  },
});

describe('given a finished experiment whose run lost Redis for a while and a load worker', () => {
  it('when it is described, then the outage and the gap are named with their run, length and start', () => {
    const text = describeExperiment({
      experiment,
      runs: [],
      status: {
        phase: 'Succeeded',
        completedRuns: 1,
        runs: [
          {
            index: 1,
            state: 'Succeeded',
            redisOutages: [{ startTime: '2026-12-02T22:44:20.000Z', endTime: '2026-12-02T22:44:50.500Z', seconds: 30.5 }],
            loadGaps: [{ shard: 1, startTime: '2026-12-02T22:45:00.000Z', endTime: '2026-12-02T22:45:07.000Z', seconds: 7 }],
          },
        ],
      },
    });
    expect(text).toContain('run 1: Redis did not answer for 30.5s from 2026-12-02T22:44:20.000Z');
    expect(text).toContain('run 1: load shard 1 went unmeasured for 7s from 2026-12-02T22:45:00.000Z');
  });

  it('when nothing went missing, then neither is mentioned', () => {
    const text = describeExperiment({ experiment, runs: [], status: { phase: 'Succeeded', runs: [{ index: 1, state: 'Succeeded' }] } });
    expect(text).not.toMatch(/Redis|unmeasured/);
  });
});

describe('given a finished experiment with a baseline run', () => {
  const status: MigrationExperimentStatus = {
    phase: 'Succeeded',
    runs: [{ index: 1, state: 'Succeeded' }],
    baseline: {
      run: { index: 0, state: 'Succeeded', migrations: [] },
      actions: [
        {
          action: 'HomePage',
          percentiles: [
            { percentile: 90, baselineMaxSeconds: 0.2, meanMaxSeconds: 0.3, slowdown: 1.5, slowdownSeconds: 0.1, baselineViolations: 0, meanViolations: 0, extraViolations: 0 },
            { percentile: 99, baselineMaxSeconds: 0.5, meanMaxSeconds: 2, slowdown: 4, slowdownSeconds: 1.5, baselineViolations: 1, meanViolations: 3.5, extraViolations: 2.5 },
          ],
        },
      ],
    },
  };

  it('when it is described, then each action and percentile reads the baseline, the mean with migration, the slowdown and the extra windows', () => {
    const text = describeExperiment({ experiment, runs: [], status });
    expect(text).toContain('baseline run (no migration): Succeeded');
    expect(text).toMatch(/HomePage\s+p99\s+0\.500s\s+2\.000s\s+4\.00x\s+\+1\.500s\s+1 -> 3\.5\/run\s+\+2\.50/);
    expect(text).toMatch(/HomePage\s+p90\s+0\.200s\s+0\.300s\s+1\.50x\s+\+0\.100s\s+0 -> 0\/run\s+\+0\.00/);
  });

  it('when the experiment has no baseline, then none is mentioned', () => {
    expect(describeExperiment({ experiment, runs: [], status: { ...status, baseline: undefined } })).not.toContain('baseline');
  });
});

const repeatedStatus = (runs: number): MigrationExperimentStatus => ({
  phase: 'Succeeded',
  completedRuns: runs,
  summary: {
    runs,
    migrations: runs,
    actions: [
      {
        action: 'HomePage',
        count: 900,
        errors: 0,
        thresholdSeconds: 1,
        percentiles: [
          { percentile: 90, worstMaxSeconds: 0.6, meanMaxSeconds: 0.5, stdDevMaxSeconds: 0.08, ci95MaxSeconds: { low: 0.4, high: 0.6 }, runsMeasured: runs, violations: 0, verdict: 'Pass' },
          { percentile: 99, worstMaxSeconds: 1.3, meanMaxSeconds: 1.1, stdDevMaxSeconds: 0.16, ci95MaxSeconds: { low: 0.904, high: 1.296 }, runsMeasured: runs, violations: 3, verdict: 'Fail' },
        ],
        verdict: 'Fail',
      },
    ],
  },
});

describe('Given the summary of an experiment', () => {
  const record = (runs: number) => ({ experiment: parseExperiment(experimentCase('study')), runs: [], status: repeatedStatus(runs) });

  it('when it ran five times, then the table shows the worst run as max and the mean ± the half-width of its 95 % interval beside it', () => {
    const text = describeExperiment(record(5));
    expect(text).toMatch(/max p90\s+mean p90 ±95%\s+max p99\s+mean p99 ±95%/);
    expect(text).toMatch(/HomePage .* 0\.600s\s+0\.500s ±0\.100\s+1\.300s\s+1\.100s ±0\.196/);
  });

  it('when it ran once, then there is nothing to average and no mean column', () => {
    expect(describeExperiment(record(1))).not.toContain('mean p90');
  });
});

describe('Given a run whose two migrations were felt for a while', () => {
  it('when it is described, then each migration shows its recovery, and per action the p90 and SLA recovery, ">N" for one not back', () => {
    const status = repeatedStatus(1);
    status.summary = { ...status.summary!, meanRecoverySeconds: 2.5, maxRecoverySeconds: 2.5, meanSlaRecoverySeconds: 7.5, maxSlaRecoverySeconds: 7.5 };
    const fromTime = '2026-12-02T22:45:00.000Z';
    status.runs = [
      {
        index: 1,
        state: 'Succeeded',
        migrations: [
          {
            index: 1,
            offset: '10s',
            state: 'Succeeded',
            source: 'h1',
            destination: 'h2',
            recovery: { fromTime, observedSeconds: 17.5, seconds: 2.5, slaSeconds: 7.5, perAction: [{ action: 'HomePage', baselineSeconds: 0.1, seconds: 2.5, slaSeconds: 7.5 }, { action: 'Other', baselineSeconds: 0.2, seconds: 1 }] },
          },
          { index: 2, offset: '30s', state: 'Succeeded', source: 'h2', destination: 'h3', recovery: { fromTime, observedSeconds: 28, perAction: [{ action: 'HomePage', baselineSeconds: 0.1 }, { action: 'Other', baselineSeconds: 0.2, unseen: true }] } },
        ],
      },
    ];
    const text = describeExperiment({ experiment: parseExperiment(experimentCase('study')), runs: [], status });
    expect(text).toMatch(/recovery p90\s+recovery SLA/);
    expect(text).toMatch(/h1 -> h2 .* 2\.5s\s+7\.5s/);
    expect(text).toMatch(/h2 -> h3 .* >28\.0s\s+>28\.0s/);
    expect(text).toMatch(/run 1 #1\s+2\.5s \/ 7\.5s\s+1\.0s \/ -/);
    expect(text).toMatch(/run 1 #2\s+>28\.0s \/ >28\.0s\s+unseen \/ -/);
    expect(text).toContain('recovery over 1 run(s): p90 back mean 2.5s, max 2.5s; SLA windows back mean 7.5s, max 7.5s');
  });
});

describe('Given a finished campaign over a grid of VM memory by link bandwidth', () => {
  const campaign = parseCampaign({
    apiVersion: 'migrascope.io/v1alpha1',
    kind: 'MigrationCampaign',
    metadata: { name: 'model-grid' },
    spec: {
      mode: 'safeLoad',
      sweep: { vmMemory: { values: ['1GiB', '4GiB'] }, linkBandwidth: { values: ['1Gbit/s', '100MB/s'] } },
      template: {
        spec: {
          poolRef: { name: 'testbed' },
          target: { vm: { nameLabel: 'web' }, applicationUrl: 'http://web.testbed.local/' },
          workload: { users: 50, steadyState: '2m' },
          sla: { window: '1m' },
          migrations: { count: 1, first: '30s' },
        },
      },
    },
  });
  const homePage = (p99: number) => [{ action: 'HomePage', count: 10, errors: 0, thresholdSeconds: 1, percentiles: [{ percentile: 99, worstMaxSeconds: p99, violations: p99 > 1 ? 1 : 0, verdict: p99 > 1 ? ('Fail' as const) : ('Pass' as const) }], verdict: p99 > 1 ? ('Fail' as const) : ('Pass' as const) }];
  const level = (vmMemory: string, linkBandwidth: string, p99: number) => ({ users: 50, sweep: { vmMemory, linkBandwidth }, experiment: 'x', phase: 'Succeeded' as const, verdict: p99 > 1 ? ('Fail' as const) : ('Pass' as const), actions: homePage(p99) });
  const text = describeCampaign(campaign, {
    phase: 'Succeeded',
    levels: [level('1GiB', '1Gbit/s', 0.3), level('1GiB', '100MB/s', 0.7), level('4GiB', '1Gbit/s', 0.5), level('4GiB', '100MB/s', 1.2)],
    recommendation: { field: 'linkBandwidth', percentile: 99, message: 'migrate safely, keeping the p99 SLA: ...', rows: [{ row: { vmMemory: '1GiB' }, level: { vmMemory: '1GiB', linkBandwidth: '100MB/s' } }, { row: { vmMemory: '4GiB' }, level: { vmMemory: '4GiB', linkBandwidth: '1Gbit/s' } }] },
  });

  it('Then the levels table names both fields and a grid gives rows of memory, columns of bandwidth, the recommended cells starred', () => {
    expect(text).toContain('sweeping vmMemory x linkBandwidth');
    expect(text).toMatch(/VM memory\s+link bandwidth\s+HomePage p99\s+verdict/);
    expect(text).toMatch(/VM memory\s+1Gbit\/s\s+100MB\/s\n[- ]+\n\s*1GiB\s+Pass 30%\s+\*Pass 70%\n\s*4GiB\s+\*Pass 50%\s+Fail 120%/);
  });
});
