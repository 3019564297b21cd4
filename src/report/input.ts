// What a report is made from: plain data the engine already has at the end of a run (the
// resource with its status, the run's timetable, its merged per-second histograms and the
// migrations with their instants). The report computes nothing the engine must trust; it draws
// what the seconds say and prints what the status says.
import type { ExperimentPhase, MigrationCampaign, MigrationResult, SweepPoint, MigrationExperiment, RunResult, RunSummary, Verdict } from '../api/v1alpha1/index.ts';
import type { SecondSnapshot } from '../recording/index.ts';

/** When the run's stages began and ended, epoch ms (the engine's RunPlan). */
export interface RunTimetable {
  startAtMs: number;
  steadyStartMs: number;
  steadyEndMs: number;
  endMs: number;
}

/** One migration as it happened, with the instants the charts shade; epoch ms. */
export interface MigrationInstants {
  index: number;
  /** VM.pool_migrate called. */
  startMs?: number;
  /** The migration task ended. */
  endMs?: number;
  /** The clients' view of the downtime (stop-and-copy): the gap in completions or the probe. */
  downtimeStartMs?: number;
  downtimeEndMs?: number;
  source?: string;
  destination?: string;
  durationSeconds?: number;
  /** Downtime the clients saw. */
  downtimeSeconds?: number;
  /** Downtime by the pre-copy model; only when the pool is simulated. */
  modelDowntimeSeconds?: number;
  state: string;
}

/** What a migration's status says of it; the engine's own outcome has these fields too. */
type MigrationFacts = Pick<MigrationResult, 'index' | 'source' | 'destination' | 'startTime' | 'endTime' | 'durationSeconds' | 'downtimeSeconds' | 'modelDowntimeSeconds'> & { state: string };

/**
 * The report's view of one migration: what its status says, and the downtime's bounds the clients
 * saw when they were recorded (`seen`; the status keeps only the downtime's length).
 */
export function migrationInstants(migration: MigrationFacts, seen: { downtimeStartMs?: number | undefined; downtimeEndMs?: number | undefined } = {}): MigrationInstants {
  const instants: MigrationInstants = { index: migration.index, state: migration.state };
  if (migration.startTime) instants.startMs = Date.parse(migration.startTime);
  if (migration.endTime) instants.endMs = Date.parse(migration.endTime);
  if (seen.downtimeStartMs !== undefined) instants.downtimeStartMs = seen.downtimeStartMs;
  if (seen.downtimeEndMs !== undefined) instants.downtimeEndMs = seen.downtimeEndMs;
  if (migration.source) instants.source = migration.source;
  if (migration.destination) instants.destination = migration.destination;
  if (migration.durationSeconds !== undefined) instants.durationSeconds = migration.durationSeconds;
  if (migration.downtimeSeconds !== undefined) instants.downtimeSeconds = migration.downtimeSeconds;
  if (migration.modelDowntimeSeconds !== undefined) instants.modelDowntimeSeconds = migration.modelDowntimeSeconds;
  return instants;
}

export interface RunReportInput {
  result: RunResult;
  plan: RunTimetable;
  /** Merged across workers: one snapshot per second, ascending. */
  seconds: SecondSnapshot[];
  migrations: MigrationInstants[];
}

export interface ExperimentReportInput {
  experiment: MigrationExperiment;
  runs: RunReportInput[];
  /** The baseline run (spec.baseline); its comparison with the runs is in the experiment's status.baseline. */
  baseline?: RunReportInput;
  /** status.summary: means and worst values over the runs. */
  summary?: RunSummary;
  generatedAt: Date;
  /** Shown under the title: what the report lacks and why (e.g. charts without per-second data). */
  notice?: string;
  /** Where the per-second data can be downloaded as CSV (`migrascope results export`), relative to the report. */
  csvHref?: string;
}

export interface CampaignLevelInput {
  /** The level's users (closed loop), swept or the template's. */
  users?: number;
  /** The level's values of the swept fields; absent: the users alone. */
  settings?: SweepPoint;
  /** Name of the experiment run for this level. */
  experiment: string;
  phase?: ExperimentPhase;
  /** The level's experiment summary; absent for a level not run (yet). */
  summary?: RunSummary;
  /** At the campaign's judgePercentile, over all actions. */
  verdict?: Verdict;
}

export interface CampaignReportInput {
  campaign: MigrationCampaign;
  levels: CampaignLevelInput[];
  /** users (a users sweep) and level (one field) are absent when no level passed; rows for a grid. */
  recommendation?: { users?: number; reason: string; level?: SweepPoint; rows?: { row: SweepPoint; level?: SweepPoint }[] };
  generatedAt: Date;
  /** Shown under the title: what the report lacks or comes from (e.g. a results file, the campaign gone). */
  notice?: string;
  /** The levels' experiments in full, to append their charts. */
  experiments?: ExperimentReportInput[];
  /** Where the levels' per-second data can be downloaded as CSV, relative to the report. */
  csvHref?: string;
}
