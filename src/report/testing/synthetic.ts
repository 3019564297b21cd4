// Reports made from synthetic runs, for the report's tests and for looking at a report without a
// testbed: Olio-like users whose response times follow a log-normal law, slow down during a
// migration's pre-copy, stall during its stop-and-copy and drain after it, as the study saw (a
// 44 s migration, 3 s of downtime near its end, 5 s to drain). The results are judged by the real
// SlidingWindowSla, so the tables agree with the lines. Seeded: the same input, the same report.
import {
  durationMs,
  parseCampaign,
  parseExperiment,
  type MigrationCampaign,
  type MigrationExperiment,
  type MigrationExperimentManifest,
  type RunResult,
  type RunSummary,
} from '../../api/v1alpha1/index.ts';
import { Recorder, type SecondSnapshot } from '../../recording/index.ts';
import { Random } from '../../workloads/index.ts';
import type { CampaignReportInput, ExperimentReportInput, MigrationInstants, RunReportInput } from '../input.ts';
import { runRecoveries } from '../../engine/migration-recovery.ts';
import { analyzeRun, summarizeRuns } from '../../engine/run-analysis.ts';
import { resolveProfile, withJudgedThresholds } from '../../engine/workload-profile.ts';

/** Share of each action in the Olio mix and its median response time at ease, ms. */
const ACTIONS: Readonly<Record<string, { share: number; medianMs: number }>> = {
  HomePage: { share: 0.29, medianMs: 90 },
  Login: { share: 0.08, medianMs: 130 },
  TagSearch: { share: 0.32, medianMs: 180 },
  EventDetail: { share: 0.23, medianMs: 110 },
  PersonDetail: { share: 0.045, medianMs: 100 },
  AddPerson: { share: 0.012, medianMs: 420 },
  AddEvent: { share: 0.023, medianMs: 560 },
};

export const RUN_START_MS = Date.UTC(2024, 4, 14, 10, 0, 0);

export interface SyntheticMigration {
  /** Into steady state, seconds. */
  offset: number;
  duration: number;
  downtime: number;
  source: string;
  destination: string;
}

export interface SyntheticRunOptions {
  index?: number;
  startAtMs?: number;
  seed?: number;
  migrations?: SyntheticMigration[];
  /** Failed actions per second during each downtime (connection refused). */
  errorsPerDowntimeSecond?: number;
  /** Where the system saturates: response times grow steeply as users approach it. */
  capacity?: number;
}

/** An experiment as the engine runs it: its SLA judging the olio profile's actions. */
export function syntheticExperiment(overrides: Partial<MigrationExperimentManifest['spec']> = {}, name = 'study-600-users-one-migration'): MigrationExperiment {
  const experiment = parseExperiment({
    apiVersion: 'migrascope.io/v1alpha1',
    kind: 'MigrationExperiment',
    metadata: { name, namespace: 'benchmarks' },
    spec: {
      poolRef: { name: 'study-pool' },
      target: { vm: { nameLabel: 'olio-web' }, applicationUrl: 'http://olio-web.lab.example/' },
      workload: { users: 600, drivers: 2, rampUp: '1m', steadyState: '10m', rampDown: '30s' },
      sla: { window: '5m', step: '1s', percentiles: [90, 99] },
      migrations: { offsets: ['5m'] },
      ...overrides,
    },
    status: { phase: 'Succeeded' },
  });
  return { ...experiment, spec: withJudgedThresholds(experiment.spec, resolveProfile(experiment.spec, 'benchmarks', undefined)) };
}

export function syntheticRun(experiment: MigrationExperiment, options: SyntheticRunOptions = {}): RunReportInput {
  const { spec } = experiment;
  const startAtMs = options.startAtMs ?? RUN_START_MS;
  const seconds = (d: string) => durationMs(d) / 1000;
  const plan = {
    startAtMs,
    steadyStartMs: startAtMs + seconds(spec.workload.rampUp) * 1000,
    steadyEndMs: startAtMs + (seconds(spec.workload.rampUp) + seconds(spec.workload.steadyState)) * 1000,
    endMs: startAtMs + (seconds(spec.workload.rampUp) + seconds(spec.workload.steadyState) + seconds(spec.workload.rampDown)) * 1000,
  };
  const migrations: MigrationInstants[] = (options.migrations ?? []).map((m, i) => {
    const startMs = plan.steadyStartMs + m.offset * 1000;
    // The downtime comes near the end, a second before the task reports success.
    const downtimeStartMs = startMs + (m.duration - m.downtime - 1) * 1000;
    return {
      index: i + 1,
      startMs,
      endMs: startMs + m.duration * 1000,
      downtimeStartMs,
      downtimeEndMs: downtimeStartMs + m.downtime * 1000,
      source: m.source,
      destination: m.destination,
      durationSeconds: m.duration,
      downtimeSeconds: m.downtime,
      modelDowntimeSeconds: Math.round((m.downtime - 0.04) * 1000) / 1000,
      state: 'Succeeded',
    };
  });
  const users = spec.workload.users ?? 100;
  const random = new Random(options.seed ?? 1);
  const load = users / 5; // actions started per second at full load: one per user per 5 s cycle
  const saturation = 1 + 3 * (users / (options.capacity ?? 700)) ** 6;
  // The backlog a stop-and-copy leaves grows with the users waiting behind it.
  const drainMs = 1400 * Math.min(users / 600, 1.5);
  // Recorded the way the load driver records, so the seconds are what a real run hands over.
  const recorder = new Recorder();
  for (let second = startAtMs / 1000; second < plan.endMs / 1000; second++) {
    const ms = second * 1000;
    const ramp = ms < plan.steadyStartMs ? (ms - startAtMs + 1000) / (plan.steadyStartMs - startAtMs) : 1;
    const stalled = closedLoopFactor(ms, migrations);
    for (const [action, { share, medianMs }] of Object.entries(ACTIONS)) {
      const expected = load * ramp * share * stalled;
      const count = Math.floor(expected) + (random.next() < expected % 1 ? 1 : 0);
      for (let k = 0; k < count; k++) {
        const at = ms + random.next() * 1000;
        const down = migrations.some((m) => at >= m.downtimeStartMs! && at < m.downtimeEndMs!);
        if (down && options.errorsPerDowntimeSecond && random.next() < options.errorsPerDowntimeSecond / Math.max(expected, 1)) {
          recorder.record({ action, startMs: at, durationUs: 0, ok: false, errorKind: 'connect' });
          continue;
        }
        const latency = responseTime(random, medianMs * saturation, at, migrations, drainMs);
        recorder.record({ action, startMs: at, durationUs: Math.round(latency * 1000), ok: true });
      }
    }
  }
  const snapshots = recorder.drain(Number.POSITIVE_INFINITY);
  return { result: judge(experiment, plan, snapshots, migrations, options.index ?? 1), plan, seconds: snapshots, migrations };
}

/**
 * Closed-loop users stuck in a stalled action start nothing new during a stop-and-copy; once the
 * VM resumes they all go on at once, then the rate settles.
 */
function closedLoopFactor(ms: number, migrations: readonly MigrationInstants[]): number {
  for (const m of migrations) {
    if (ms >= m.downtimeStartMs! && ms < m.downtimeEndMs!) return 0.12;
    if (ms >= m.downtimeEndMs! && ms < m.downtimeEndMs! + 5000) return 1.6;
  }
  return 1;
}

/** A log-normal draw, slowed by a pre-copy, stalled by a stop-and-copy, then draining for up to `drainMs` more. */
function responseTime(random: Random, medianMs: number, at: number, migrations: readonly MigrationInstants[], drainMs: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  let latency = medianMs * Math.exp(0.45 * normal);
  for (const m of migrations) {
    const { startMs, downtimeStartMs, downtimeEndMs } = m as Required<MigrationInstants>;
    if (at >= startMs && at < downtimeStartMs) latency *= 1.45;
    // In flight or started during the stop-and-copy: waits for the VM to resume.
    if (at < downtimeEndMs && at + latency > downtimeStartMs) latency = downtimeEndMs - at + latency;
    // After resume the backlog drains over about 5 s.
    if (at >= downtimeEndMs && at < downtimeEndMs + 5000) latency += (1 - (at - downtimeEndMs) / 5000) * drainMs * random.next();
  }
  return latency;
}

/** What the engine writes to status for a run, judged the engine's way. */
function judge(experiment: MigrationExperiment, plan: RunReportInput['plan'], seconds: readonly SecondSnapshot[], migrations: readonly MigrationInstants[], index: number): RunResult {
  const { actions, verdicts, verdict, windows } = analyzeRun(seconds, experiment.spec.sla, plan);
  const outcomes = migrations.map((m) => ({ index: m.index, offsetMs: m.startMs! - plan.steadyStartMs, state: 'Succeeded' as const, startTime: new Date(m.startMs!).toISOString(), endTime: new Date(m.endMs!).toISOString(), downtimeEndMs: m.downtimeEndMs! }));
  const recoveries = runRecoveries(outcomes, seconds, { windows, actions }, plan);
  return {
    index,
    state: 'Succeeded',
    startTime: new Date(plan.startAtMs).toISOString(),
    steadyStateStartTime: new Date(plan.steadyStartMs).toISOString(),
    endTime: new Date(plan.endMs).toISOString(),
    migrations: migrations.map((m, i) => ({
      index: m.index,
      offset: experiment.spec.migrations?.offsets?.[i] ?? '0s',
      state: 'Succeeded' as const,
      ...(m.source ? { source: m.source } : {}),
      ...(m.destination ? { destination: m.destination } : {}),
      startTime: new Date(m.startMs!).toISOString(),
      endTime: new Date(m.endMs!).toISOString(),
      ...(m.durationSeconds === undefined ? {} : { durationSeconds: m.durationSeconds }),
      ...(m.downtimeSeconds === undefined ? {} : { downtimeSeconds: m.downtimeSeconds }),
      ...(m.modelDowntimeSeconds === undefined ? {} : { modelDowntimeSeconds: m.modelDowntimeSeconds }),
      ...(recoveries.has(m.index) ? { recovery: recoveries.get(m.index)! } : {}),
    })),
    actions,
    verdicts,
    verdict,
  };
}

/** Means, spreads and worst values over runs, as status.summary holds them: the engine's own summary. */
export function summaryOf(runs: readonly RunResult[]): RunSummary {
  return summarizeRuns(runs);
}

/** The study's single migration: `runs` runs of 600 users, one 44 s migration with 3 s of downtime. */
export function studyExperimentReport(runs = 1, generatedAt = new Date(RUN_START_MS + 3_600_000)): ExperimentReportInput {
  const experiment = syntheticExperiment({ repetitions: runs });
  const hosts = ['xen-a', 'xen-b', 'xen-c'];
  const reports = Array.from({ length: runs }, (_, i) =>
    syntheticRun(experiment, {
      index: i + 1,
      seed: i + 1,
      startAtMs: RUN_START_MS + i * 15 * 60_000,
      migrations: [{ offset: 300, duration: 44 + i, downtime: 3, source: hosts[i % 3]!, destination: hosts[(i + 1) % 3]! }],
    }),
  );
  return { experiment, runs: reports, ...(runs > 1 ? { summary: summaryOf(reports.map((r) => r.result)) } : {}), generatedAt };
}

/** The study's Table 2: a safeLoad campaign at 100..700 users, one migration per run. */
export function safeLoadCampaignReport(generatedAt = new Date(RUN_START_MS + 6 * 3_600_000)): CampaignReportInput {
  const campaign: MigrationCampaign = parseCampaign({
    apiVersion: 'migrascope.io/v1alpha1',
    kind: 'MigrationCampaign',
    metadata: { name: 'study-safe-load', namespace: 'benchmarks' },
    spec: {
      mode: 'safeLoad',
      sweep: { users: { from: 100, to: 700, step: 100 } },
      judgePercentile: 99,
      template: {
        spec: {
          poolRef: { name: 'study-pool' },
          target: { vm: { nameLabel: 'olio-web' }, applicationUrl: 'http://olio-web.lab.example/' },
          workload: { rampUp: '30s', steadyState: '4m', rampDown: '10s' },
          sla: { window: '2m', percentiles: [90, 99] },
          migrations: { offsets: ['2m'] },
        },
      },
    },
    status: { phase: 'Succeeded' },
  });
  const experiments: ExperimentReportInput[] = [];
  const levels = [100, 200, 300, 400, 500, 600, 700].map((users, i) => {
    const experiment = syntheticExperiment(
      { ...campaign.spec.template.spec, workload: { ...campaign.spec.template.spec.workload, users } } as MigrationExperimentManifest['spec'],
      `study-safe-load-${users}`,
    );
    // Downtime grows with the load: the page-dirtying rate rises with the users.
    const run = syntheticRun(experiment, {
      seed: users,
      capacity: 760,
      startAtMs: RUN_START_MS + i * 6 * 60_000,
      migrations: [{ offset: 120, duration: 30 + users / 25, downtime: 0.4 + (users / 400) ** 2, source: 'xen-a', destination: 'xen-b' }],
    });
    const summary = summaryOf([run.result]);
    experiments.push({ experiment, runs: [run], summary, generatedAt });
    const judged = summary.verdicts?.find((v) => v.percentile === 99)?.verdict;
    return { users, experiment: experiment.metadata.name, phase: 'Succeeded' as const, summary, ...(judged ? { verdict: judged } : {}) };
  });
  const passing = levels.filter((level) => level.verdict === 'Pass').map((level) => level.users);
  const best = passing.length ? Math.max(...passing) : undefined;
  return {
    campaign,
    levels,
    recommendation: best === undefined ? { reason: 'no level kept the p99 SLA while migrating' } : { users: best, reason: `migrate at up to ${best} users (p99)` },
    generatedAt,
    experiments,
  };
}

