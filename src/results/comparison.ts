// Two experiments (or two campaigns, level by level) side by side: per action and percentile the
// windowed maximum (Table 2's "maximum recorded", over all runs) and the mean of the runs' maxima
// with its 95 % confidence interval, the migrations' time and downtime, the verdicts; with the
// difference B - A and whether it exceeds the runs' spread.
//
// "Exceeds the spread" is decided on the means: the difference is beyond what the runs' own
// scatter explains when the two 95 % confidence intervals of the mean (Student's t, n - 1 degrees
// of freedom: src/sla/run-spread.ts) do not overlap. That is deliberately strict: for equal
// spreads, intervals just apart mean a difference significant at about 0.6 %, not 5 %, so
// "exceeds" is rarely said of noise. A side with a single run has no measured spread, and the answer is then
// "unknown", never "yes": one run cannot tell a difference from chance.
import type { MigrationExperimentStatus, PercentileSummary, Verdict } from '../api/v1alpha1/index.ts';
import { runSpread, type RunSpread } from '../sla/index.ts';
import type { ExperimentResults, ResultsDocument } from './results-file.ts';

export type Exceeds = 'yes' | 'no' | 'unknown';

/** One figure of one side: the worst run, the mean over runs and its interval. */
export interface SideFigure {
  worst?: number;
  mean?: number;
  ci95?: { low: number; high: number };
  runs?: number;
}

export interface FigureComparison {
  a: SideFigure;
  b: SideFigure;
  /** b.worst - a.worst: the change of Table 2's value. */
  worstDifference?: number;
  /** b.mean - a.mean. */
  meanDifference?: number;
  exceeds: Exceeds;
}

export interface ActionComparison extends FigureComparison {
  action: string;
  percentile: number;
  thresholdSeconds?: number;
  verdictA?: Verdict;
  verdictB?: Verdict;
}

export interface ExperimentComparison {
  a: SideName;
  b: SideName;
  actions: ActionComparison[];
  migrationSeconds: FigureComparison;
  downtimeSeconds: FigureComparison;
  verdicts: { percentile: number; a?: Verdict; b?: Verdict }[];
}

export interface SideName {
  name: string;
  phase?: string;
  runs: number;
}

export interface LevelComparison {
  /** The level as its campaign names it (e.g. "300 users"). */
  label: string;
  comparison: ExperimentComparison;
}

export type Comparison =
  | { kind: 'MigrationExperiment'; experiments: ExperimentComparison }
  | { kind: 'MigrationCampaign'; a: SideName; b: SideName; levels: LevelComparison[]; recommendation: { a?: string; b?: string } };

/** Whether the difference of the means exceeds the runs' spread (the rule above). */
export function exceedsSpread(a: SideFigure, b: SideFigure): Exceeds {
  if (!a.ci95 || !b.ci95) return 'unknown';
  return a.ci95.high < b.ci95.low || b.ci95.high < a.ci95.low ? 'yes' : 'no';
}

export function compareFigures(a: SideFigure, b: SideFigure): FigureComparison {
  return {
    a,
    b,
    ...(a.worst !== undefined && b.worst !== undefined ? { worstDifference: b.worst - a.worst } : {}),
    ...(a.mean !== undefined && b.mean !== undefined ? { meanDifference: b.mean - a.mean } : {}),
    exceeds: exceedsSpread(a, b),
  };
}

/** A and B must be of one kind: an experiment against a campaign compares nothing. */
export function compareResults(a: ResultsDocument, b: ResultsDocument): Comparison {
  if (a.kind === 'MigrationExperiment' && b.kind === 'MigrationExperiment') return { kind: 'MigrationExperiment', experiments: compareExperiments(a.experiment, b.experiment) };
  if (a.kind === 'MigrationCampaign' && b.kind === 'MigrationCampaign') {
    const levelsA = a.campaign.status.levels ?? [];
    const levelsB = b.campaign.status.levels ?? [];
    const levels: LevelComparison[] = [];
    // Levels are matched in their order: a campaign's levels are its sweep, lowest first.
    for (let i = 0; i < Math.max(levelsA.length, levelsB.length); i++) {
      const [levelA, levelB] = [levelsA[i], levelsB[i]];
      const experimentA = a.experiments.find((e) => e.experiment.metadata.name === levelA?.experiment);
      const experimentB = b.experiments.find((e) => e.experiment.metadata.name === levelB?.experiment);
      const labelA = levelA ? levelLabel(levelA) : '–';
      const labelB = levelB ? levelLabel(levelB) : '–';
      levels.push({
        label: labelA === labelB ? labelA : `${labelA} / ${labelB}`,
        // A level not run (the campaign stopped early) has no experiment in the file: compared as empty.
        comparison: compareExperiments(experimentA ?? levelA?.experiment, experimentB ?? levelB?.experiment),
      });
    }
    const side = (doc: typeof a): SideName => ({ name: doc.campaign.metadata.name, ...(doc.campaign.status.phase ? { phase: doc.campaign.status.phase } : {}), runs: doc.campaign.status.levels?.length ?? 0 });
    return {
      kind: 'MigrationCampaign',
      a: side(a),
      b: side(b),
      levels,
      recommendation: {
        ...(a.campaign.status.recommendation ? { a: a.campaign.status.recommendation.message } : {}),
        ...(b.campaign.status.recommendation ? { b: b.campaign.status.recommendation.message } : {}),
      },
    };
  }
  throw new ComparisonKindError(a.kind, b.kind);
}

/** Comparing an experiment with a campaign. */
export class ComparisonKindError extends Error {
  constructor(a: string, b: string) {
    super(`A is a ${a} and B a ${b}: compare two experiments or two campaigns`);
    this.name = 'ComparisonKindError';
  }
}

/** Each side: an experiment's results, or only the name of one that was not run. */
export function compareExperiments(a: ExperimentResults | string | undefined, b: ExperimentResults | string | undefined): ExperimentComparison {
  const [resultsA, resultsB] = [typeof a === 'object' ? a : undefined, typeof b === 'object' ? b : undefined];
  const statusA: MigrationExperimentStatus = resultsA?.experiment.status ?? {};
  const statusB: MigrationExperimentStatus = resultsB?.experiment.status ?? {};
  const actionsA = statusA.summary?.actions ?? [];
  const actionsB = statusB.summary?.actions ?? [];
  const names = [...actionsA.map((x) => x.action), ...actionsB.map((x) => x.action).filter((name) => !actionsA.some((x) => x.action === name))];
  const percentiles = [...new Set([...(resultsA?.experiment.spec.sla.percentiles ?? []), ...(resultsB?.experiment.spec.sla.percentiles ?? [])])].sort((x, y) => x - y);
  const actions: ActionComparison[] = [];
  for (const name of names) {
    const [actionA, actionB] = [actionsA.find((x) => x.action === name), actionsB.find((x) => x.action === name)];
    for (const percentile of percentiles) {
      const [pa, pb] = [actionA?.percentiles.find((p) => p.percentile === percentile), actionB?.percentiles.find((p) => p.percentile === percentile)];
      if (!pa && !pb) continue; // judged by neither side's SLA
      actions.push({
        action: name,
        percentile,
        ...((actionA ?? actionB) ? { thresholdSeconds: (actionA ?? actionB)!.thresholdSeconds } : {}),
        ...(pa ? { verdictA: pa.verdict } : {}),
        ...(pb ? { verdictB: pb.verdict } : {}),
        ...compareFigures(percentileFigure(pa), percentileFigure(pb)),
      });
    }
  }
  const verdicts = percentiles.map((percentile) => ({
    percentile,
    ...verdictOf('a', statusA, percentile),
    ...verdictOf('b', statusB, percentile),
  }));
  return {
    a: sideName(a),
    b: sideName(b),
    actions,
    migrationSeconds: compareFigures(migrationFigure(statusA, 'durationSeconds'), migrationFigure(statusB, 'durationSeconds')),
    downtimeSeconds: compareFigures(migrationFigure(statusA, 'downtimeSeconds'), migrationFigure(statusB, 'downtimeSeconds')),
    verdicts,
  };
}

function verdictOf(side: 'a' | 'b', status: MigrationExperimentStatus, percentile: number): { a?: Verdict } | { b?: Verdict } {
  const verdict = status.summary?.verdicts?.find((v) => v.percentile === percentile)?.verdict;
  return verdict === undefined ? {} : { [side]: verdict };
}

function percentileFigure(p: PercentileSummary | undefined): SideFigure {
  if (!p) return {};
  return {
    ...(p.worstMaxSeconds === undefined ? {} : { worst: p.worstMaxSeconds }),
    ...(p.meanMaxSeconds === undefined ? {} : { mean: p.meanMaxSeconds }),
    ...(p.ci95MaxSeconds === undefined ? {} : { ci95: p.ci95MaxSeconds }),
    ...(p.runsMeasured === undefined ? {} : { runs: p.runsMeasured }),
  };
}

/** A migration figure over every succeeded migration of every run, with its spread. */
function migrationFigure(status: MigrationExperimentStatus, field: 'durationSeconds' | 'downtimeSeconds'): SideFigure {
  const values = (status.runs ?? []).flatMap((run) => run.migrations ?? []).filter((m) => m.state === 'Succeeded').flatMap((m) => (m[field] === undefined ? [] : [m[field]]));
  const spread: RunSpread | undefined = runSpread(values);
  if (!spread) return {};
  return { worst: spread.worst, mean: spread.mean, runs: spread.runs, ...(spread.ci95 ? { ci95: spread.ci95 } : {}) };
}

function sideName(side: ExperimentResults | string | undefined): SideName {
  if (typeof side !== 'object') return { name: side ?? '–', phase: 'not run', runs: 0 };
  const { metadata, status } = side.experiment;
  return { name: metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name, ...(status?.phase ? { phase: status.phase } : {}), runs: status?.summary?.runs ?? status?.runs?.length ?? 0 };
}

function levelLabel(level: { users?: number; experiment: string }): string {
  return level.users === undefined ? level.experiment : `${level.users} users`;
}
