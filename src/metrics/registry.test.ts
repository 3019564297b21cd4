import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MigrascopeMetrics } from './registry.ts';

const judged = { actions: ['HomePage', 'Login'], percentiles: [90, 99] };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Given an experiment that starts', () => {
  it('When nothing has happened yet, Then its counters and histograms are already there at zero', async () => {
    const metrics = new MigrascopeMetrics({ defaultMetrics: false });
    metrics.startExperiment('lab', 'study', judged);
    const text = await metrics.registry.metrics();
    expect(text).toContain('migrascope_migrations_total{namespace="lab",experiment="study",result="failed"} 0');
    expect(text).toContain('migrascope_migrations_total{namespace="lab",experiment="study",result="succeeded"} 0');
    expect(text).toContain('migrascope_actions_total{namespace="lab",experiment="study",action="Login",result="error"} 0');
    expect(text).toContain('migrascope_sla_violating_windows_total{namespace="lab",experiment="study",action="HomePage",percentile="99"} 0');
    expect(text).toContain('migrascope_action_duration_seconds_count{namespace="lab",experiment="study",action="Login"} 0');
    expect(text).toContain('migrascope_action_duration_seconds_bucket{le="1",namespace="lab",experiment="study",action="HomePage"} 0');
    expect(text).toContain('migrascope_migration_duration_seconds_count{namespace="lab",experiment="study"} 0');
    expect(text).toContain('migrascope_migration_downtime_seconds_count{namespace="lab",experiment="study",source="client"} 0');
    expect(text).toContain('migrascope_migration_recovery_seconds_count{namespace="lab",experiment="study"} 0');
    expect(text).toContain('migrascope_migrations_in_running_phase{namespace="lab",experiment="study"} 0');
  });
});

describe('Given two experiments with series', () => {
  function withTwo(): MigrascopeMetrics {
    const metrics = new MigrascopeMetrics({ defaultMetrics: false, seriesGraceMs: 30_000 });
    for (const experiment of ['study', 'other']) {
      metrics.startExperiment('lab', experiment, judged);
      metrics.setThresholds('lab', experiment, { HomePage: 1, Login: 1 });
      metrics.setPhase('lab', experiment, 'Failed', ['Running', 'Failed']);
      metrics.slaViolating.set({ namespace: 'lab', experiment, action: 'HomePage', percentile: '99' }, 1);
      metrics.migrationDuration.observe({ namespace: 'lab', experiment }, 44);
    }
    return metrics;
  }
  const ofStudy = (text: string): string[] => text.split('\n').filter((line) => line.includes('experiment="study"'));

  it('When one finishes, Then a scrape within the grace period still sees its final values, and after it none of its series', async () => {
    const metrics = withTwo();
    metrics.finishExperiment('lab', 'study');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(await metrics.registry.metrics()).toContain('migrascope_experiment_phase{namespace="lab",experiment="study",phase="Failed"} 1');
    await vi.advanceTimersByTimeAsync(2_000);
    const text = await metrics.registry.metrics();
    expect(ofStudy(text)).toEqual([]);
    expect(text).toContain('migrascope_sla_violating{namespace="lab",experiment="other",action="HomePage",percentile="99"} 1');
    expect(text).toContain('migrascope_migration_duration_seconds_count{namespace="lab",experiment="other"} 1');
  });

  it('When one is deleted, Then its series go at once', async () => {
    const metrics = withTwo();
    await metrics.forgetExperiment('lab', 'study');
    const text = await metrics.registry.metrics();
    expect(ofStudy(text)).toEqual([]);
    expect(text).toContain('migrascope_experiment_phase{namespace="lab",experiment="other",phase="Failed"} 1');
  });

  it('When an experiment of the same name starts again within the grace period, Then its series stay', async () => {
    const metrics = withTwo();
    metrics.finishExperiment('lab', 'study');
    metrics.startExperiment('lab', 'study', judged);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ofStudy(await metrics.registry.metrics())).not.toEqual([]);
  });
});
