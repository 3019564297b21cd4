// What a campaign concludes from its levels' experiments: the levels x actions table (the study's
// Table 2) and the recommendation. Pure functions of the experiments' statuses, so the local
// runner and the Kubernetes controller (which reads its child experiments) conclude the same.
import type { CampaignLevel, MigrationCampaign, MigrationExperimentStatus, Recommendation } from '../api/v1alpha1/index.ts';

export function campaignLevel(users: number, experiment: string, status: MigrationExperimentStatus | undefined, judgePercentile: number): CampaignLevel {
  const summary = status?.summary;
  const judged = summary?.verdicts?.find((v) => v.percentile === judgePercentile)?.verdict;
  const failed = status?.phase === 'Failed' || status?.phase === 'Aborted';
  return {
    users,
    experiment,
    ...(status?.phase ? { phase: status.phase } : {}),
    ...(judged || failed ? { verdict: failed ? 'Fail' : judged } : {}),
    ...(summary?.actions ? { actions: summary.actions } : {}),
    ...(summary?.maxDowntimeSeconds === undefined ? {} : { maxDowntimeSeconds: summary.maxDowntimeSeconds }),
    ...(summary?.meanMigrationSeconds === undefined ? {} : { meanMigrationSeconds: summary.meanMigrationSeconds }),
  };
}

/**
 * The highest load that passed with every lower level passing too: a level that passes above a
 * failing one is luck, not capacity.
 */
export function recommend(campaign: MigrationCampaign, levels: readonly CampaignLevel[]): Recommendation {
  const percentile = campaign.spec.judgePercentile;
  let best: number | undefined;
  for (const level of [...levels].sort((a, b) => a.users - b.users)) {
    if (level.verdict !== 'Pass') break;
    best = level.users;
  }
  const what = campaign.spec.mode === 'capacity' ? 'capacity (no migration)' : 'migrate safely';
  if (best === undefined) {
    return { percentile, message: `no level kept the p${percentile} SLA: the lowest load tried (${levels[0]?.users ?? '?'} users) is already too much to ${campaign.spec.mode === 'capacity' ? 'serve' : 'migrate'}` };
  }
  const verb = campaign.spec.mode === 'capacity' ? `serves up to ${best} users within the p${percentile} SLA` : `can be live-migrated at up to ${best} users keeping the p${percentile} SLA`;
  return { users: best, percentile, message: `${what}: the application ${verb}` };
}
