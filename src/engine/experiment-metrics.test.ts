import { describe, expect, it } from 'vitest';
import { MigrascopeMetrics } from '../metrics/index.ts';
import { newHistogram } from '../recording/index.ts';
import { ExperimentMetrics } from './experiment-metrics.ts';

const series = (labels: string): string => `namespace="lab",experiment="study",${labels}`;

describe('Given the metrics of one experiment', () => {
  it('When it starts, Then each judged action has its SLA threshold', async () => {
    const metrics = new MigrascopeMetrics({ defaultMetrics: false });
    new ExperimentMetrics(metrics, { namespace: 'lab', name: 'study' }).started({ HomePage: 1, AddEvent: 4 }, [90, 99]);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`migrascope_sla_threshold_seconds{${series('action="HomePage"')}} 1`);
    expect(text).toContain(`migrascope_sla_threshold_seconds{${series('action="AddEvent"')}} 4`);
  });

  it('When a steady-state second comes, Then its response times fill the action histogram at the SLA buckets', async () => {
    const metrics = new MigrascopeMetrics({ defaultMetrics: false });
    const histogram = newHistogram();
    histogram.recordValueWithCount(900_000, 3); // 0.9 s
    histogram.recordValueWithCount(1_200_000, 1); // 1.2 s
    new ExperimentMetrics(metrics, { namespace: 'lab', name: 'study' }).steadySecond({ second: 1, actions: { HomePage: { histogram, ok: 4, errors: { timeout: 2 } } } });
    const text = await metrics.registry.metrics();
    expect(text).toContain(`migrascope_action_duration_seconds_bucket{le="1",${series('action="HomePage"')}} 3`);
    expect(text).toContain(`migrascope_action_duration_seconds_bucket{le="1.5",${series('action="HomePage"')}} 4`);
    expect(text).toContain(`migrascope_action_duration_seconds_count{${series('action="HomePage"')}} 4`);
    expect(text).toContain(`migrascope_actions_total{${series('action="HomePage",result="ok"')}} 4`);
    expect(text).toContain(`migrascope_actions_total{${series('action="HomePage",result="error"')}} 2`);
  });

  it('When a migration starts and ends, Then in-flight, transitions, duration and both downtimes are exported', async () => {
    const metrics = new MigrascopeMetrics({ defaultMetrics: false });
    const experiment = new ExperimentMetrics(metrics, { namespace: 'lab', name: 'study' });
    experiment.migrationsInFlight(1);
    experiment.migrationStarted(1_700_000_000_000);
    experiment.migrationEnded({ index: 1, offsetMs: 0, state: 'Succeeded', endTime: '2023-11-14T22:13:44.000Z', durationSeconds: 44, downtimeSeconds: 3, modelDowntimeSeconds: 2.5 });
    experiment.migrationsInFlight(0);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`migrascope_migrations_in_running_phase{namespace="lab",experiment="study"} 0`);
    expect(text).toContain(`migrascope_migration_phase_transition_timestamp_seconds{${series('phase="Running"')}} 1700000000`);
    expect(text).toContain(`migrascope_migration_phase_transition_timestamp_seconds{${series('phase="Succeeded"')}} 1700000024`);
    expect(text).toContain(`migrascope_migrations_total{${series('result="succeeded"')}} 1`);
    expect(text).toContain(`migrascope_migration_duration_seconds_sum{namespace="lab",experiment="study"} 44`);
    expect(text).toContain(`migrascope_migration_downtime_seconds_sum{${series('source="client"')}} 3`);
    expect(text).toContain(`migrascope_migration_downtime_seconds_sum{${series('source="model"')}} 2.5`);
  });

  it('When the migrations of a run are analysed, Then each recovery that came back is observed, overall and per action', async () => {
    const metrics = new MigrascopeMetrics({ defaultMetrics: false });
    const experiment = new ExperimentMetrics(metrics, { namespace: 'lab', name: 'study' });
    const fromTime = new Date(1_700_000_010_000).toISOString();
    experiment.migrationsRecovered([
      {
        fromTime,
        observedSeconds: 20,
        seconds: 3,
        slaSeconds: 6,
        perAction: [
          { action: 'HomePage', baselineSeconds: 0.1, seconds: 3, slaSeconds: 6 },
          { action: 'Login', baselineSeconds: 0.1, seconds: 1, slaSeconds: 0 },
        ],
      },
      // Not back before the next migration: neither overall measure is observed, Login's p90 still is.
      { fromTime, observedSeconds: 20, perAction: [{ action: 'HomePage', baselineSeconds: 0.1 }, { action: 'Login', baselineSeconds: 0.1, seconds: 2 }] },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('migrascope_migration_recovery_seconds_count{namespace="lab",experiment="study"} 1');
    expect(text).toContain('migrascope_migration_recovery_seconds_sum{namespace="lab",experiment="study"} 3');
    expect(text).toContain('migrascope_migration_sla_recovery_seconds_sum{namespace="lab",experiment="study"} 6');
    expect(text).toContain('migrascope_migration_action_recovery_seconds_count{namespace="lab",experiment="study",action="Login",measure="p90"} 2');
    expect(text).toContain('migrascope_migration_action_recovery_seconds_sum{namespace="lab",experiment="study",action="Login",measure="p90"} 3');
    expect(text).toContain('migrascope_migration_action_recovery_seconds_count{namespace="lab",experiment="study",action="HomePage",measure="sla"} 1');
    expect(text).toContain('migrascope_migration_action_recovery_seconds_count{namespace="lab",experiment="study",action="HomePage",measure="p90"} 1');
  });
});

describe('Given an experiment with a baseline run', () => {
  it('When the comparison is written after a measured run, Then each action and percentile exports its slowdown and extra violating windows', async () => {
    const metrics = new MigrascopeMetrics({ defaultMetrics: false });
    new ExperimentMetrics(metrics, { namespace: 'lab', name: 'study' }).baseline([
      {
        action: 'HomePage',
        percentiles: [
          { percentile: 90, baselineMaxSeconds: 0, meanMaxSeconds: 0.3, slowdownSeconds: 0.3, baselineViolations: 0, meanViolations: 0, extraViolations: 0 },
          { percentile: 99, baselineMaxSeconds: 0.5, meanMaxSeconds: 2, slowdown: 4, slowdownSeconds: 1.5, baselineViolations: 1, meanViolations: 3.5, extraViolations: 2.5 },
        ],
      },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`migrascope_baseline_slowdown_ratio{${series('action="HomePage",percentile="99"')}} 4`);
    expect(text).not.toContain(`migrascope_baseline_slowdown_ratio{${series('action="HomePage",percentile="90"')}}`);
    expect(text).toContain(`migrascope_baseline_extra_violating_windows{${series('action="HomePage",percentile="99"')}} 2.5`);
    expect(text).toContain(`migrascope_baseline_extra_violating_windows{${series('action="HomePage",percentile="90"')}} 0`);
    await metrics.forgetExperiment('lab', 'study');
    expect(await metrics.registry.metrics()).not.toContain('migrascope_baseline_extra_violating_windows{');
  });
});
