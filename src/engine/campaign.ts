// What a campaign concludes from its levels' experiments: the levels x actions table (over users,
// the study's Table 2) and the recommendation. Pure functions of the experiments' statuses, so the
// local runner and the Kubernetes controller (which reads its child experiments) conclude the same.
import {
  describeValue,
  levelSettings,
  easierFirst,
  MAX_BRIEF_LENGTH,
  sweepAxes,
  sweepLevels,
  type CampaignLevel,
  type SweepPoint,
  type MigrationCampaign,
  type MigrationExperimentStatus,
  type Recommendation,
  type SweepField,
} from '../api/v1alpha1/index.ts';

export function campaignLevel(campaign: MigrationCampaign, settings: SweepPoint, experiment: string, status: MigrationExperimentStatus | undefined): CampaignLevel {
  const summary = status?.summary;
  const judged = summary?.verdicts?.find((v) => v.percentile === campaign.spec.judgePercentile)?.verdict;
  const failed = status?.phase === 'Failed' || status?.phase === 'Aborted';
  const users = settings.users ?? campaign.spec.template.spec.workload.users;
  return {
    ...(users === undefined ? {} : { users: Number(users) }),
    sweep: settings as CampaignLevel['sweep'],
    experiment,
    ...(status?.phase ? { phase: status.phase } : {}),
    ...(judged || failed ? { verdict: failed ? 'Fail' : judged } : {}),
    ...(summary?.actions ? { actions: summary.actions } : {}),
    ...(summary?.maxDowntimeSeconds === undefined ? {} : { maxDowntimeSeconds: summary.maxDowntimeSeconds }),
    ...(summary?.meanMigrationSeconds === undefined ? {} : { meanMigrationSeconds: summary.meanMigrationSeconds }),
  };
}

/** Whether two levels are the same point of the sweep. */
export function sameLevel(a: SweepPoint, b: SweepPoint): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<SweepField>;
  return [...fields].every((field) => String(a[field]) === String(b[field]));
}

/** How the recommendation names a limit on one field. */
const LIMIT_PHRASE: Record<SweepField, (value: string) => string> = {
  users: (v) => `up to ${v} users`,
  rate: (v) => `up to ${v} operations/s`,
  migrations: (v) => `up to ${v} migrations per run`,
  spacing: (v) => `migrations spaced at least ${v} apart`,
  offset: (v) => `the first migration at ${v}`,
  vmMemory: (v) => `a VM of up to ${v}`,
  linkBandwidth: (v) => `a link of at least ${v}`,
};

/** How kubectl's Recommendation column names a limit on one field (`brief`). */
const LIMIT_BRIEF: Record<SweepField, (value: string) => string> = {
  users: (v) => `${v} users`,
  rate: (v) => `${v} ops/s`,
  migrations: (v) => `${v} migrations`,
  spacing: (v) => `spacing >= ${v}`,
  offset: (v) => `offset ${v}`,
  vmMemory: (v) => `vmMemory <= ${v}`,
  linkBandwidth: (v) => `link >= ${v}`,
};

/** `parts` joined for the column, cut short (with "...") past MAX_BRIEF_LENGTH: status.recommendation has it all. */
function brief(parts: readonly string[]): string {
  const text = parts.join('; ') || 'none';
  return text.length <= MAX_BRIEF_LENGTH ? text : `${text.slice(0, MAX_BRIEF_LENGTH - 3)}...`;
}

/**
 * Along `field`, easiest first: the hardest level that passed with every easier level passing
 * too (a level that passes beyond a failing one is luck, not a limit). For a field without a
 * direction (the offset) there is no limit to read: undefined, and the message lists what passed.
 */
function limitOf(field: SweepField, levels: readonly CampaignLevel[]): CampaignLevel | undefined {
  const ordered = [...levels].sort((a, b) => easierFirst(field, levelSettings(a)[field]!, levelSettings(b)[field]!));
  let best: CampaignLevel | undefined;
  for (const level of ordered) {
    if (level.verdict !== 'Pass') break;
    best = level;
  }
  return best;
}

/**
 * The recommendation, naming the swept field: one field, its limit; two (a grid), the limit along
 * the column field for each value of the row field. `levels` are the finished ones.
 */
export function recommend(campaign: MigrationCampaign, levels: readonly CampaignLevel[]): Recommendation {
  const percentile = campaign.spec.judgePercentile;
  const { limit, row } = sweepAxes(campaign.spec.sweep);
  const capacity = campaign.spec.mode === 'capacity';
  const what = capacity ? 'capacity (no migration)' : 'migrate safely';
  const value = (level: CampaignLevel, field: SweepField) => String(levelSettings(level)[field]);
  if (row !== undefined) return recommendGrid(campaign, levels, limit, row);
  if (limit === 'offset') {
    const passed = levels.filter((level) => level.verdict === 'Pass').map((level) => value(level, 'offset'));
    const failed = levels.filter((level) => level.verdict !== 'Pass').map((level) => value(level, 'offset'));
    return {
      field: limit,
      percentile,
      message: `${what}: ${passed.length ? `a first migration at ${passed.join(', ')} into steady state keeps the p${percentile} SLA` : `no offset kept the p${percentile} SLA`}${failed.length ? `; at ${failed.join(', ')} it does not` : ''}`,
      brief: brief(passed.length ? [`offset ${passed.join(', ')}`] : []),
    };
  }
  const best = limitOf(limit, levels);
  if (best === undefined) {
    const easiest = [...levels].sort((a, b) => easierFirst(limit, levelSettings(a)[limit]!, levelSettings(b)[limit]!))[0];
    const tried = easiest ? describeValue(limit, levelSettings(easiest)[limit]) : '?';
    return { field: limit, percentile, message: `no level kept the p${percentile} SLA: the easiest level tried (${tried}) is already too much to ${capacity ? 'serve' : 'migrate'}`, brief: brief([]) };
  }
  const settings = levelSettings(best);
  const message =
    limit === 'users'
      ? `${what}: the application ${capacity ? `serves up to ${best.users} users within the p${percentile} SLA` : `can be live-migrated at up to ${best.users} users keeping the p${percentile} SLA`}`
      : `${what}: ${LIMIT_PHRASE[limit](value(best, limit))} ${capacity ? 'within' : 'keeping'} the p${percentile} SLA`;
  return { ...(limit === 'users' && best.users !== undefined ? { users: best.users } : {}), field: limit, level: settings as Recommendation['level'], percentile, message, brief: brief([LIMIT_BRIEF[limit](value(best, limit))]) };
}

function recommendGrid(campaign: MigrationCampaign, levels: readonly CampaignLevel[], limit: SweepField, row: SweepField): Recommendation {
  const percentile = campaign.spec.judgePercentile;
  const rowValues = [...new Set(sweepLevels(campaign.spec.sweep).map((settings) => String(settings[row])))];
  const rows: NonNullable<Recommendation['rows']> = [];
  const parts: string[] = [];
  const briefs: string[] = [];
  for (const rowValue of rowValues) {
    const inRow = levels.filter((level) => String(levelSettings(level)[row]) === rowValue);
    if (inRow.length === 0) continue;
    const rowSettings = { [row]: levelSettings(inRow[0]!)[row] } as Recommendation['level'] & object;
    const best = limit === 'offset' ? undefined : limitOf(limit, inRow);
    rows.push({ row: rowSettings, ...(best ? { level: levelSettings(best) as Recommendation['level'] } : {}) });
    parts.push(`${describeValue(row, rowValue)}: ${best ? LIMIT_PHRASE[limit](String(levelSettings(best)[limit])) : 'no level kept it'}`);
    briefs.push(`${rowValue}: ${best ? LIMIT_BRIEF[limit](String(levelSettings(best)[limit])) : 'none'}`);
  }
  const what = campaign.spec.mode === 'capacity' ? 'capacity (no migration)' : 'migrate safely';
  return { field: limit, rows, percentile, message: `${what}, keeping the p${percentile} SLA: ${parts.join('; ') || 'no level finished'}`, brief: brief(briefs) };
}

/**
 * stopAfterFailure: a level is skipped once a level of its row (the whole sweep when there is one
 * field) failed before it; levels run easiest first, so what follows a failure is harder.
 */
export function skipped(campaign: MigrationCampaign, finished: readonly CampaignLevel[], settings: SweepPoint): boolean {
  if (!campaign.spec.stopAfterFailure) return false;
  const { row } = sweepAxes(campaign.spec.sweep);
  return finished.some((level) => level.verdict === 'Fail' && (row === undefined || String(levelSettings(level)[row]) === String(settings[row])));
}
