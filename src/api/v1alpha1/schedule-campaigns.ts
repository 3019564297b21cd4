// The campaigns a schedule starts: one per occurrence, named after the occurrence's minute as
// CronJob names its Jobs, so a restarted controller (or two racing reconciles) asking for the same
// occurrence asks for the same object and never starts it twice.

import { API_VERSION } from './group.ts';
import { controlledBy } from './object-meta.ts';
import { parseCampaign, type MigrationCampaign, type MigrationCampaignManifest } from './migration-campaign.ts';
import type { MigrationSchedule } from './migration-schedule.ts';

export const SCHEDULE_LABEL = 'migrascope.io/schedule';
/** The occurrence a campaign was started for (RFC 3339), as CronJob's batch.kubernetes.io/cronjob-scheduled-timestamp. */
export const SCHEDULED_TIME_ANNOTATION = 'migrascope.io/scheduled-time';

/** `<schedule>-<minutes since the epoch>`. */
export function scheduledCampaignName(scheduleName: string, scheduledMs: number): string {
  return `${scheduleName}-${Math.floor(scheduledMs / 60_000)}`;
}

/** The campaign for the occurrence at `scheduledMs`, validated like any other campaign. */
export function scheduledCampaign(schedule: MigrationSchedule, scheduledMs: number): MigrationCampaign {
  const { metadata, spec } = schedule;
  const template = spec.campaignTemplate;
  const manifest: MigrationCampaignManifest = {
    apiVersion: API_VERSION,
    kind: 'MigrationCampaign',
    metadata: {
      name: scheduledCampaignName(metadata.name, scheduledMs),
      ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
      labels: { ...template.metadata?.labels, [SCHEDULE_LABEL]: metadata.name },
      annotations: { ...template.metadata?.annotations, [SCHEDULED_TIME_ANNOTATION]: new Date(scheduledMs).toISOString() },
      ...controlledBy('MigrationSchedule', metadata),
    },
    spec: structuredClone(template.spec),
  };
  return parseCampaign(manifest);
}
