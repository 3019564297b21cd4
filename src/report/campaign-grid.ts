// A two-field campaign as a grid: rows are one swept field's values, columns the other's (the
// field the recommendation reads along), each cell a level's verdict and how close it came to the
// SLA: its worst action's highest windowed percentile as a share of that action's threshold
// (100 % = the SLA). Plain data, drawn by the HTML report and printed by `migrascope run`.
import { sweepAxes, sweepLevels, type ActionSummary, type CampaignSweep, type LevelValue, type SweepField, type SweepPoint, type Verdict } from '../api/v1alpha1/index.ts';

export interface GridLevel {
  settings: SweepPoint;
  verdict?: Verdict | undefined;
  phase?: string | undefined;
  actions?: readonly ActionSummary[] | undefined;
}

export interface GridCell {
  level?: GridLevel;
  /** max over actions of (worst windowed percentile / threshold); undefined without figures. */
  worstShare?: number;
  recommended: boolean;
}

export interface CampaignGrid {
  row: SweepField;
  column: SweepField;
  rows: LevelValue[];
  columns: LevelValue[];
  /** cells[r][c] */
  cells: GridCell[][];
}

/** The highest share of its threshold any action's judged percentile reached at this level. */
export function worstShare(actions: readonly ActionSummary[] | undefined, percentile: number): number | undefined {
  let worst: number | undefined;
  for (const action of actions ?? []) {
    const seconds = action.percentiles.find((p) => p.percentile === percentile)?.worstMaxSeconds;
    if (seconds === undefined || !(action.thresholdSeconds > 0)) continue;
    worst = Math.max(worst ?? 0, seconds / action.thresholdSeconds);
  }
  return worst;
}

/** The grid of a two-field sweep; undefined for one field (its table is a list of levels). */
export function campaignGrid(sweep: CampaignSweep, levels: readonly GridLevel[], percentile: number, recommended: readonly SweepPoint[]): CampaignGrid | undefined {
  const { limit, row } = sweepAxes(sweep);
  if (row === undefined) return undefined;
  const points = sweepLevels(sweep);
  const unique = (field: SweepField) => [...new Map(points.map((p) => [String(p[field]), p[field]!])).values()];
  const rows = unique(row);
  const columns = unique(limit);
  const same = (a: SweepPoint, r: LevelValue, c: LevelValue) => String(a[row]) === String(r) && String(a[limit]) === String(c);
  const cells = rows.map((r) =>
    columns.map((c): GridCell => {
      const level = levels.find((l) => same(l.settings, r, c));
      const share = worstShare(level?.actions, percentile);
      return { ...(level ? { level } : {}), ...(share === undefined ? {} : { worstShare: share }), recommended: recommended.some((p) => same(p, r, c)) };
    }),
  );
  return { row, column: limit, rows, columns, cells };
}
