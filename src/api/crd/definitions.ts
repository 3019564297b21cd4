// What the CRDs say beyond the schemas: names, short names, printer columns, descriptions.

import type { z } from 'zod';
import {
  MigrationCampaignSpec,
  MigrationCampaignStatus,
  MigrationExperimentSpec,
  MigrationExperimentStatus,
  MigrationScheduleSpec,
  MigrationScheduleStatus,
  WorkloadProfileSpec,
  WorkloadProfileStatus,
  XenPoolSpec,
  XenPoolStatus,
  type MigrascopeKind,
} from '../v1alpha1/index.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindDefinition {
  kind: MigrascopeKind;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  specDescription: string;
  statusDescription: string;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumn[];
}

export const CATEGORY = 'migrascope';

const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since the object was created.',
};

export const KIND_DEFINITIONS: readonly KindDefinition[] = [
  {
    kind: 'XenPool',
    plural: 'xenpools',
    singular: 'xenpool',
    shortNames: ['xpool'],
    description: 'A XenServer / XCP-ng pool reached over XAPI, with credentials from a Secret.',
    specDescription: 'How to reach the pool.',
    statusDescription: 'What the last connection found, written by the controller.',
    spec: XenPoolSpec,
    status: XenPoolStatus,
    printerColumns: [
      { name: 'Connected', type: 'boolean', jsonPath: '.status.connected', description: 'Whether the last connection attempt logged in.' },
      { name: 'Hosts', type: 'integer', jsonPath: '.status.hostCount', description: 'Hosts in the pool.' },
      { name: 'URL', type: 'string', jsonPath: '.spec.url', description: 'XAPI endpoint.', priority: 1 },
      { name: 'Error', type: 'string', jsonPath: '.status.lastError', description: 'Why the last attempt failed.', priority: 1 },
      AGE,
    ],
  },
  {
    kind: 'WorkloadProfile',
    plural: 'workloadprofiles',
    singular: 'workloadprofile',
    shortNames: ['wprof'],
    description:
      "The users of an application: actions made of HTTP requests, a Markov chain (or flat mix) between them, think times and browser caches. MigrationExperiments name it in spec.workload.profileRef; the format is docs/workload.md's.",
    specDescription: 'The profile: actions, requests, captures, resources, think, cache, params, vars, and a matrix or a mix.',
    statusDescription: 'Whether the profile compiles, and its actions, written by the controller.',
    spec: WorkloadProfileSpec,
    status: WorkloadProfileStatus,
    printerColumns: [
      // The list itself: a column's JSONPath shows only the first match of `[*]`.
      { name: 'Actions', type: 'string', jsonPath: '.status.actions', description: "The profile's actions, in order (once the controller compiled it)." },
      { name: 'Chain', type: 'string', jsonPath: '.status.chain', description: 'matrix (a Markov chain), mix (a flat mix) or single (one action).' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Whether the profile compiles.' },
      AGE,
    ],
  },
  {
    kind: 'MigrationExperiment',
    plural: 'migrationexperiments',
    singular: 'migrationexperiment',
    shortNames: ['mexp'],
    description:
      'Drives a workload against an application, live-migrates its VM during steady state, and reports per action the windowed response-time percentiles against the SLA, the migration time and the downtime users saw.',
    specDescription: 'What to measure: the pool and VM, the load, the SLA, the migration schedule, the runs.',
    statusDescription: 'Progress and results, written by the controller (or by migrascope run).',
    spec: MigrationExperimentSpec,
    status: MigrationExperimentStatus,
    printerColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Where the experiment is.' },
      { name: 'Users', type: 'integer', jsonPath: '.spec.workload.users', description: 'Concurrent simulated users.' },
      { name: 'Runs', type: 'integer', jsonPath: '.status.completedRuns', description: 'Runs finished.' },
      { name: 'Migrations', type: 'integer', jsonPath: '.status.summary.migrations', description: 'Migrations completed, all runs.' },
      {
        name: 'Worst p99',
        type: 'string',
        jsonPath: '.status.summary.worstP99VsSla',
        description: 'The action whose windowed p99 came closest to (or furthest over) its SLA threshold: p99/threshold.',
      },
      { name: 'Downtime', type: 'number', jsonPath: '.status.summary.maxDowntimeSeconds', description: 'Longest downtime clients saw, seconds.' },
      { name: 'Verdict', type: 'string', jsonPath: '.status.summary.verdict', description: 'Pass or Fail over all runs.', priority: 1 },
      { name: 'Profile', type: 'string', jsonPath: '.status.profile.name', description: 'The profile the runs use (olio, or a WorkloadProfile).', priority: 1 },
      AGE,
    ],
  },
  {
    kind: 'MigrationCampaign',
    plural: 'migrationcampaigns',
    singular: 'migrationcampaign',
    shortNames: ['mcamp'],
    description:
      'Runs an experiment template at a sweep of one or two of its fields (users or rate, the migrations\' count, spacing or offset, a simulated pool\'s VM memory or link bandwidth) to find the hardest level that keeps the SLA, without migration (capacity) or while migrating (safeLoad).',
    specDescription: 'The template, the sweep and what to find.',
    statusDescription: 'The levels x actions table and the recommendation, written by the controller.',
    spec: MigrationCampaignSpec,
    status: MigrationCampaignStatus,
    printerColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Where the campaign is.' },
      { name: 'Mode', type: 'string', jsonPath: '.spec.mode', description: 'capacity or safeLoad.' },
      { name: 'Levels', type: 'integer', jsonPath: '.status.completedLevels', description: 'Levels finished.' },
      { name: 'Recommendation', type: 'string', jsonPath: '.status.recommendation.brief', description: 'The hardest level of the swept field(s) that kept the SLA.' },
      AGE,
    ],
  },
  {
    kind: 'MigrationSchedule',
    plural: 'migrationschedules',
    singular: 'migrationschedule',
    shortNames: ['msched'],
    description:
      'Starts a MigrationCampaign on a cron schedule, as a CronJob starts Jobs: concurrency policy, starting deadline, suspend, and the finished campaigns kept with their verdicts.',
    specDescription: 'When (cron and time zone), what to do when a campaign is still running, and the campaign to start.',
    statusDescription: 'The last and next occurrences, the running campaigns and the finished ones kept, written by the controller.',
    spec: MigrationScheduleSpec,
    status: MigrationScheduleStatus,
    printerColumns: [
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule', description: 'The cron expression.' },
      { name: 'Timezone', type: 'string', jsonPath: '.spec.timeZone', description: 'The time zone it is read in (default UTC).' },
      { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend', description: 'True: nothing new starts.' },
      { name: 'Last Success', type: 'date', jsonPath: '.status.lastSuccessfulTime', description: 'When a campaign last succeeded.' },
      { name: 'Last Schedule', type: 'date', jsonPath: '.status.lastScheduleTime', description: 'When a campaign was last started.' },
      { name: 'Next', type: 'date', jsonPath: '.status.nextScheduleTime', description: 'The next occurrence.', priority: 1 },
      AGE,
    ],
  },
];
