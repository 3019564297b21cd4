// MigrationCampaign: the same experiment at a sweep of user counts, to find the highest load that
// keeps the SLA without migration (capacity) or while migrating (safeLoad); the study's Table 2.

import { z } from 'zod';
import { Conditions } from './condition.ts';
import { ExperimentTemplateSpec } from './experiment-spec.ts';
import { API_VERSION } from './group.ts';
import { ExperimentPhase } from './migration-experiment.ts';
import { ObjectMeta, TemplateMeta } from './object-meta.ts';
import { parseWith } from './parse.ts';
import { ActionSummary, Verdict } from './results.ts';
import { withRules } from './rules.ts';

export const MAX_CAMPAIGN_LEVELS = 50;

export const UserSweep = withRules(
  z.strictObject({
    from: z.int().min(1).max(100_000).describe('Users at the first level.'),
    to: z.int().min(1).max(100_000).describe('Users at the last level (included when the steps land on it).'),
    step: z.int().min(1, { error: 'step must be at least 1' }).max(100_000).describe('Users added from one level to the next.'),
  }),
  [
    {
      rule: 'self.from <= self.to',
      message: 'from must not be greater than to',
      field: ['to'],
      holds: (s) => s.from <= s.to,
    },
    {
      rule: `(self.to - self.from) / self.step < ${MAX_CAMPAIGN_LEVELS}`,
      message: `a sweep may have at most ${MAX_CAMPAIGN_LEVELS} levels; use a larger step`,
      field: ['step'],
      holds: (s) => Math.floor((s.to - s.from) / s.step) < MAX_CAMPAIGN_LEVELS,
    },
  ],
);
export type UserSweep = z.output<typeof UserSweep>;

export const MigrationCampaignSpec = withRules(
  z.strictObject({
    mode: z
      .enum(['capacity', 'safeLoad'])
      .describe(
        "capacity: no migration, the highest load meeting the SLA. safeLoad: with the template's migrations, the highest load at which migrating keeps the SLA.",
      ),
    template: z
      .strictObject({
        metadata: TemplateMeta.optional(),
        spec: ExperimentTemplateSpec.describe("An experiment's spec without workload.users and repetitions."),
      })
      .describe('The experiment run at every level.'),
    sweep: z.strictObject({ users: UserSweep }).describe('The levels: users from, to, by step (e.g. 100..600 by 100).'),
    repetitions: z.int().min(1).max(100).default(1).describe("Runs per level; each level's figures average them."),
    judgePercentile: z
      .number()
      .gt(0)
      .lt(100)
      .default(99)
      .describe("The percentile whose SLA decides whether a level passes (the study's Table 2: 99)."),
    stopAfterFailure: z
      .boolean()
      .default(false)
      .describe('Skip the levels above the first failing one (faster; the table stays incomplete).'),
  }),
  [
    {
      rule: "self.mode != 'capacity' || !has(self.template.spec.migrations)",
      message: 'mode capacity measures without migration: remove template.spec.migrations or use mode safeLoad',
      field: ['mode'],
      holds: (c) => c.mode !== 'capacity' || c.template.spec.migrations === undefined,
    },
    {
      rule: "self.mode != 'safeLoad' || has(self.template.spec.migrations)",
      message: 'mode safeLoad needs template.spec.migrations: the migrations whose cost is measured',
      field: ['mode'],
      holds: (c) => c.mode !== 'safeLoad' || c.template.spec.migrations !== undefined,
    },
    {
      rule: 'self.judgePercentile in self.template.spec.sla.percentiles',
      message: 'judgePercentile must be one of template.spec.sla.percentiles',
      field: ['judgePercentile'],
      holds: (c) => c.template.spec.sla.percentiles.includes(c.judgePercentile),
    },
    {
      rule: 'self.template.spec.workload.drivers <= self.sweep.users.from',
      message: 'template.spec.workload.drivers must not exceed sweep.users.from: every driver needs at least one user',
      field: ['template', 'spec', 'workload', 'drivers'],
      holds: (c) => c.template.spec.workload.drivers <= c.sweep.users.from,
    },
  ],
);
export type MigrationCampaignSpec = z.output<typeof MigrationCampaignSpec>;

export const CAMPAIGN_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Aborted'] as const;
export const CampaignPhase = z.enum(CAMPAIGN_PHASES);
export type CampaignPhase = z.infer<typeof CampaignPhase>;

export const CampaignLevel = z.strictObject({
  users: z.int().min(1),
  experiment: z.string().max(253).describe('Name of the experiment run for this level.'),
  phase: ExperimentPhase.optional(),
  verdict: Verdict.optional().describe('At judgePercentile, over all actions.'),
  actions: z.array(ActionSummary).max(32).optional().describe('Per action: windowed percentile maxima (Table 2), violations.'),
  maxDowntimeSeconds: z.number().min(0).optional(),
  meanMigrationSeconds: z.number().min(0).optional(),
});
export type CampaignLevel = z.infer<typeof CampaignLevel>;

export const Recommendation = z.strictObject({
  users: z.int().min(1).optional().describe('The highest passing level; absent when no level passed.'),
  percentile: z.number().gt(0).lt(100),
  message: z.string().max(4096).describe(`The recommendation in a sentence, e.g. "migrate at up to 500 users (p99)".`),
});
export type Recommendation = z.infer<typeof Recommendation>;

export const MigrationCampaignStatus = z.strictObject({
  phase: CampaignPhase.optional(),
  observedGeneration: z.int().min(0).optional(),
  conditions: Conditions.optional(),
  completedLevels: z.int().min(0).optional(),
  startTime: z.iso.datetime({ offset: true }).optional(),
  completionTime: z.iso.datetime({ offset: true }).optional(),
  levels: z.array(CampaignLevel).max(MAX_CAMPAIGN_LEVELS).optional().describe("Levels x actions: the study's Table 2."),
  recommendation: Recommendation.optional(),
  reportPath: z
    .string()
    .max(1024)
    .optional()
    .describe("Where the controller serves this campaign's HTML report on its HTTP port (the metrics port), e.g. /reports/default/capacity."),
});
export type MigrationCampaignStatus = z.infer<typeof MigrationCampaignStatus>;

export const MigrationCampaignResource = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('MigrationCampaign'),
  metadata: ObjectMeta,
  spec: MigrationCampaignSpec,
  status: MigrationCampaignStatus.optional(),
});
export type MigrationCampaign = z.output<typeof MigrationCampaignResource>;
export type MigrationCampaignManifest = z.input<typeof MigrationCampaignResource>;

export function parseCampaign(object: unknown): MigrationCampaign {
  return parseWith(MigrationCampaignResource, object);
}

/** The user counts of the levels, lowest first. */
export function campaignLevels(sweep: UserSweep): number[] {
  const levels: number[] = [];
  for (let users = sweep.from; users <= sweep.to; users += sweep.step) levels.push(users);
  return levels;
}
