// `migrascope results export`: a results file as rows a spreadsheet, pandas or R reads, one row
// per run, second and action (its count, errors and percentiles of that second), per run, window
// and action (the SLA window's percentiles, judged as the engine judged them, so the highest
// window of an action is the status' maxSeconds) and per migration. The same rows as JSON for a
// program. Seconds come from the file's histograms, not from any rounded figure.
import { durationMs, type MigrationExperimentStatus } from '../api/v1alpha1/index.ts';
import { slaOptions } from '../engine/run-analysis.ts';
import { percentilesOf, windowEvaluations } from '../report/series.ts';
import type { ExperimentResults, ResultsDocument } from './results-file.ts';

export const EXPORT_FORMAT = 'migrascope-results-export';
export const EXPORT_VERSION = 1;

/** Percentiles exported per second besides the SLA's: the median shows the usual case. */
const MEDIAN = 50;

export interface SecondRow {
  run: number;
  /** Start of the second. */
  time: string;
  /** Seconds from the start of steady state (negative in ramp-up). */
  offsetSeconds: number;
  /** Where the second lies; "steady" seconds are those the SLA judges (whole seconds of steady state). */
  stage: 'ramp-up' | 'steady' | 'ramp-down';
  action: string;
  ok: number;
  errors: number;
  /** Keyed by percentile ("99"), seconds; absent without a success in that second. */
  percentiles: Record<string, number>;
}

export interface WindowRow {
  run: number;
  /** End of the window [end - window, end). */
  time: string;
  offsetSeconds: number;
  action: string;
  samples: number;
  failures: number;
  percentiles: Record<string, number>;
  thresholdSeconds?: number;
  /** The percentiles over the threshold in this window. */
  violated: number[];
}

export interface MigrationRow {
  run: number;
  index: number;
  state: string;
  time?: string;
  offsetSeconds?: number;
  source?: string;
  destination?: string;
  durationSeconds?: number;
  downtimeSeconds?: number;
  modelDowntimeSeconds?: number;
}

export interface ExperimentExport {
  experiment: string;
  namespace?: string;
  phase?: string;
  /** The SLA's percentiles with the median: the percentile columns. */
  percentiles: number[];
  windowSeconds: number;
  seconds: SecondRow[];
  windows: WindowRow[];
  migrations: MigrationRow[];
  summary?: MigrationExperimentStatus['summary'];
}

export interface ResultsExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  kind: ResultsDocument['kind'];
  name: string;
  experiments: ExperimentExport[];
}

export function exportResults(document: ResultsDocument): ResultsExport {
  const experiments = document.kind === 'MigrationExperiment' ? [document.experiment] : document.experiments;
  const name = document.kind === 'MigrationExperiment' ? document.experiment.experiment.metadata.name : document.campaign.metadata.name;
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, kind: document.kind, name, experiments: experiments.map(exportExperiment) };
}

export function exportExperiment(results: ExperimentResults): ExperimentExport {
  const { experiment } = results;
  const sla = experiment.spec.sla;
  const slaPercentiles = [...sla.percentiles].sort((a, b) => a - b);
  const percentiles = [...new Set([MEDIAN, ...slaPercentiles])].sort((a, b) => a - b);
  const seconds: SecondRow[] = [];
  const windows: WindowRow[] = [];
  const migrations: MigrationRow[] = [];
  for (const run of results.runs) {
    const { plan } = run;
    const offset = (ms: number): number => (ms - plan.steadyStartMs) / 1000;
    // Steady state as the SLA engine counts it: the whole seconds it covers.
    const options = slaOptions(sla, plan);
    for (const snapshot of run.seconds) {
      const at = snapshot.second * 1000;
      const stage = at < options.start ? 'ramp-up' : at < options.end ? 'steady' : 'ramp-down';
      for (const [action, part] of Object.entries(snapshot.actions)) {
        const values = part.histogram.totalCount > 0 ? percentilesOf(part.histogram, percentiles) : [];
        seconds.push({
          run: run.index,
          time: new Date(at).toISOString(),
          offsetSeconds: offset(at),
          stage,
          action,
          ok: part.ok,
          errors: Object.values(part.errors).reduce((sum, n) => sum + (n ?? 0), 0),
          percentiles: Object.fromEntries(values.map((us, i) => [String(percentiles[i]), secondsFromUs(us)])),
        });
      }
    }
    for (const window of windowEvaluations(run.seconds, options)) {
      for (const [action, judged] of Object.entries(window.actions)) {
        const threshold = options.thresholds[action];
        windows.push({
          run: run.index,
          time: new Date(window.end).toISOString(),
          offsetSeconds: offset(window.end),
          action,
          samples: judged.samples,
          failures: judged.failures,
          percentiles: Object.fromEntries(Object.entries(judged.percentiles).map(([p, ms]) => [p, secondsFromUs(Math.round(ms * 1000))])),
          ...(threshold === undefined ? {} : { thresholdSeconds: threshold / 1000 }),
          violated: slaPercentiles.filter((p) => judged.violated[String(p)] === true),
        });
      }
    }
    for (const migration of run.migrations) {
      migrations.push({
        run: run.index,
        index: migration.index,
        state: migration.state,
        ...(migration.startMs === undefined ? {} : { time: new Date(migration.startMs).toISOString(), offsetSeconds: offset(migration.startMs) }),
        ...(migration.source === undefined ? {} : { source: migration.source }),
        ...(migration.destination === undefined ? {} : { destination: migration.destination }),
        ...(migration.durationSeconds === undefined ? {} : { durationSeconds: migration.durationSeconds }),
        ...(migration.downtimeSeconds === undefined ? {} : { downtimeSeconds: migration.downtimeSeconds }),
        ...(migration.modelDowntimeSeconds === undefined ? {} : { modelDowntimeSeconds: migration.modelDowntimeSeconds }),
      });
    }
  }
  const status = experiment.status;
  return {
    experiment: experiment.metadata.name,
    ...(experiment.metadata.namespace ? { namespace: experiment.metadata.namespace } : {}),
    ...(status?.phase ? { phase: status.phase } : {}),
    percentiles,
    windowSeconds: durationMs(sla.window) / 1000,
    seconds,
    windows,
    migrations,
    ...(status?.summary ? { summary: status.summary } : {}),
  };
}

/** Seconds from the histograms' whole microseconds, in one division: 0.021199, not 0.021199000000000003. */
function secondsFromUs(us: number): number {
  return us / 1_000_000;
}
