// The experiments a campaign runs: one per level, made from the template with deterministic names
// and owner references, so a GitOps tool sees a stable tree and a restarted controller finds them.

import { levelSuffix, sweepLevels, type SweepPoint } from './campaign-sweep.ts';
import { API_VERSION } from './group.ts';
import { levelSpec } from './level-spec.ts';
import { controlledBy } from './object-meta.ts';
import type { MigrationCampaign } from './migration-campaign.ts';
import { parseExperiment, type MigrationExperiment, type MigrationExperimentManifest } from './migration-experiment.ts';

export const CAMPAIGN_LABEL = 'migrascope.io/campaign';
export const USERS_LABEL = 'migrascope.io/users';

/**
 * `<campaign>-<level>`, shortened so it stays a valid name: `-500u` for 500 users (as before
 * campaigns swept anything else), `-sp2m` for a spacing of 2m, `-500u-sp2m` for a grid's cell.
 */
export function levelExperimentName(campaignName: string, level: number | SweepPoint): string {
  const suffix = `-${levelSuffix(typeof level === 'number' ? { users: level } : level)}`;
  return `${campaignName.slice(0, 253 - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
}

/** The experiment for one level, validated like any other experiment. */
export function levelExperiment(campaign: MigrationCampaign, settings: SweepPoint): MigrationExperiment {
  const { metadata, spec } = campaign;
  const template = spec.template;
  const levelSpecification = levelSpec(template.spec, settings, spec.repetitions);
  const users = levelSpecification.workload.users;
  const manifest: MigrationExperimentManifest = {
    apiVersion: API_VERSION,
    kind: 'MigrationExperiment',
    metadata: {
      name: levelExperimentName(metadata.name, settings),
      ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
      labels: { ...template.metadata?.labels, [CAMPAIGN_LABEL]: metadata.name, ...(users === undefined ? {} : { [USERS_LABEL]: String(users) }) },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ...controlledBy('MigrationCampaign', metadata),
    },
    spec: levelSpecification,
  };
  return parseExperiment(manifest);
}

/** Every level's experiment, in the order they run. */
export function campaignExperiments(campaign: MigrationCampaign): MigrationExperiment[] {
  return sweepLevels(campaign.spec.sweep).map((settings) => levelExperiment(campaign, settings));
}
