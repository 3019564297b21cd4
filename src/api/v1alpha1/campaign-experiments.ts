// The experiments a campaign runs: one per level, made from the template with deterministic names
// and owner references, so a GitOps tool sees a stable tree and a restarted controller finds them.

import { API_VERSION } from './group.ts';
import { controlledBy } from './object-meta.ts';
import { campaignLevels, type MigrationCampaign } from './migration-campaign.ts';
import { parseExperiment, type MigrationExperiment, type MigrationExperimentManifest } from './migration-experiment.ts';

export const CAMPAIGN_LABEL = 'migrascope.io/campaign';
export const USERS_LABEL = 'migrascope.io/users';

/** `<campaign>-<users>u`, shortened so it stays a valid name. */
export function levelExperimentName(campaignName: string, users: number): string {
  const suffix = `-${users}u`;
  return `${campaignName.slice(0, 253 - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
}

/** The experiment for one level, validated like any other experiment. */
export function levelExperiment(campaign: MigrationCampaign, users: number): MigrationExperiment {
  const { metadata, spec } = campaign;
  const template = spec.template;
  const manifest: MigrationExperimentManifest = {
    apiVersion: API_VERSION,
    kind: 'MigrationExperiment',
    metadata: {
      name: levelExperimentName(metadata.name, users),
      ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
      labels: { ...template.metadata?.labels, [CAMPAIGN_LABEL]: metadata.name, [USERS_LABEL]: String(users) },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ...controlledBy('MigrationCampaign', metadata),
    },
    spec: {
      ...structuredClone(template.spec),
      workload: { ...structuredClone(template.spec.workload), users },
      repetitions: spec.repetitions,
    },
  };
  return parseExperiment(manifest);
}

/** Every level's experiment, lowest load first. */
export function campaignExperiments(campaign: MigrationCampaign): MigrationExperiment[] {
  return campaignLevels(campaign.spec.sweep.users).map((users) => levelExperiment(campaign, users));
}
