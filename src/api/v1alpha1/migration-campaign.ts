// MigrationCampaign: the same experiment at a sweep of one or two of its fields (users or rate,
// the migrations' count, spacing or offset, a simulated pool's VM memory or link bandwidth), to
// find the hardest level that keeps the SLA without migration (capacity) or while migrating
// (safeLoad); over users, the study's Table 2. campaign-sweep.ts says what a sweep may hold.

import { z } from 'zod';
import { Conditions } from './condition.ts';
import { ExperimentTemplateSpec } from './experiment-spec.ts';
import { API_VERSION } from './group.ts';
import { ExperimentPhase } from './migration-experiment.ts';
import { ObjectMeta, TemplateMeta } from './object-meta.ts';
import { parseWith } from './parse.ts';
import { ActionSummary, Verdict } from './results.ts';
import { withRules } from './rules.ts';
import { CampaignSweep, type SweepPoint, type UserSweep as UserSweepType, MAX_CAMPAIGN_LEVELS, SWEEP_FIELD_NAMES, describeLevel, sweepLevels } from './campaign-sweep.ts';
import { MigrationExperimentSpec } from './experiment-spec.ts';
import { levelSpec } from './level-spec.ts';
import { Duration } from './duration.ts';
import { fieldPath } from './parse.ts';

export { MAX_CAMPAIGN_LEVELS, UserSweep } from './campaign-sweep.ts';

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
        spec: ExperimentTemplateSpec.describe("An experiment's spec without repetitions; the sweep's fields are set level by level."),
      })
      .describe('The experiment run at every level.'),
    sweep: CampaignSweep.describe(
      'The levels: one or two fields, each from, to, by step (e.g. users 100..600 by 100) or a list of values; two fields make a grid (their cartesian product).',
    ),
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
      .describe('Skip the levels harder than a failing one (in a grid: of its row); faster, the table stays incomplete.'),
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
      rule:
        '!has(self.sweep.users) || (has(self.sweep.users.values) ? self.sweep.users.values.all(u, self.template.spec.workload.drivers <= u) : ' +
        'self.template.spec.workload.drivers <= self.sweep.users.from)',
      message: 'template.spec.workload.drivers must not exceed sweep.users.from (or any of sweep.users.values): every driver needs at least one user',
      field: ['template', 'spec', 'workload', 'drivers'],
      holds: (c) => c.sweep.users === undefined || (c.sweep.users.values ?? [c.sweep.users.from ?? Infinity]).every((users) => c.template.spec.workload.drivers <= users),
    },
    {
      rule: '(has(self.sweep.users) || has(self.sweep.rate)) != (has(self.template.spec.workload.users) || has(self.template.spec.workload.rate))',
      message: 'set the load once: sweep users or rate, or, when the sweep is over something else, set template.spec.workload.users or rate',
      field: ['sweep'],
      holds: (c) => (c.sweep.users !== undefined || c.sweep.rate !== undefined) !== (c.template.spec.workload.users !== undefined || c.template.spec.workload.rate !== undefined),
    },
    {
      rule: '!(has(self.sweep.migrations) || has(self.sweep.spacing) || has(self.sweep.offset)) || (has(self.template.spec.migrations) && has(self.template.spec.migrations.count))',
      message: 'sweeping migrations, spacing or offset needs template.spec.migrations in the counted form (count, first, and spacing for more than one): the sweep replaces those fields level by level',
      field: ['sweep'],
      holds: (c) => (c.sweep.migrations === undefined && c.sweep.spacing === undefined && c.sweep.offset === undefined) || c.template.spec.migrations?.count !== undefined,
    },
    {
      rule: "!(has(self.sweep.vmMemory) || has(self.sweep.linkBandwidth)) || self.mode == 'safeLoad'",
      message: 'vmMemory and linkBandwidth shape the migrations: sweep them in mode safeLoad',
      field: ['mode'],
      holds: (c) => (c.sweep.vmMemory === undefined && c.sweep.linkBandwidth === undefined) || c.mode === 'safeLoad',
    },
  ],
).check((payload) => {
  // Every level must be a valid experiment (its last migration inside steady state, ...): the
  // parser builds each one; the API server cannot, and the controller marks the campaign InvalidSpec.
  if (payload.issues.length > 0) return;
  const spec = payload.value;
  for (const settings of sweepLevels(spec.sweep)) {
    const parsed = MigrationExperimentSpec.safeParse(levelSpec(spec.template.spec, settings, spec.repetitions));
    const [issue] = parsed.success ? [] : parsed.error.issues;
    if (issue) {
      payload.issues.push({ code: 'custom', path: ['sweep'], input: spec.sweep, message: `the level at ${describeLevel(settings)} is not a valid experiment: ${fieldPath('', issue.path)}: ${issue.message}` });
      return;
    }
  }
});
export type MigrationCampaignSpec = z.output<typeof MigrationCampaignSpec>;

export const CAMPAIGN_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Aborted'] as const;
export const CampaignPhase = z.enum(CAMPAIGN_PHASES);
export type CampaignPhase = z.infer<typeof CampaignPhase>;

/** One level's values of the swept fields. */
export const LevelSettings = z.strictObject({
  users: z.int().min(1).optional(),
  rate: z.number().gt(0).optional(),
  migrations: z.int().min(1).optional(),
  spacing: Duration.optional(),
  offset: Duration.optional(),
  vmMemory: z.string().max(32).optional(),
  linkBandwidth: z.string().max(32).optional(),
});

export type LevelSettings = z.infer<typeof LevelSettings>;

export const CampaignLevel = z.strictObject({
  users: z.int().min(1).optional().describe('The users of this level (closed loop), swept or not.'),
  sweep: LevelSettings.optional().describe("This level's values of the swept fields, e.g. {spacing: 2m}."),
  experiment: z.string().max(253).describe('Name of the experiment run for this level.'),
  phase: ExperimentPhase.optional(),
  verdict: Verdict.optional().describe('At judgePercentile, over all actions.'),
  actions: z.array(ActionSummary).max(32).optional().describe('Per action: windowed percentile maxima (Table 2), violations.'),
  maxDowntimeSeconds: z.number().min(0).optional(),
  meanMigrationSeconds: z.number().min(0).optional(),
});
export type CampaignLevel = z.infer<typeof CampaignLevel>;

/** What kubectl's column shows of a grid's recommendation before cutting it short. */
export const MAX_BRIEF_LENGTH = 120;

export const Recommendation = z.strictObject({
  users: z.int().min(1).optional().describe('Sweeping users alone: the highest passing level; absent when no level passed.'),
  field: z.enum(SWEEP_FIELD_NAMES).optional().describe('The swept field the recommendation reads along (a grid: its columns).'),
  level: LevelSettings.optional().describe('One swept field: the hardest level that kept the SLA with every easier level keeping it too.'),
  rows: z
    .array(z.strictObject({ row: LevelSettings.describe("The row field's value."), level: LevelSettings.optional().describe('The recommended level of this row; absent when none passed.') }))
    .max(MAX_CAMPAIGN_LEVELS)
    .optional()
    .describe('Two swept fields (a grid): per value of the row field, its recommended level.'),
  percentile: z.number().gt(0).lt(100),
  message: z.string().max(4096).describe(`The recommendation in a sentence, e.g. "migrate at up to 500 users (p99)".`),
  brief: z
    .string()
    .max(MAX_BRIEF_LENGTH)
    .optional()
    .describe('The recommended level in a few words, for kubectl get\'s Recommendation column: "500 users", "spacing >= 4m", "1GiB: link >= 100MB/s; 4GiB: link >= 1Gbit/s", "none".'),
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

/** The user counts of a users sweep, in its order. */
export function campaignLevels(sweep: UserSweepType): number[] {
  return sweepLevels({ users: sweep }).map((level) => Number(level.users));
}

/** A level's swept values; a level recorded before campaigns swept more than users has only users. */
export function levelSettings(level: Pick<CampaignLevel, 'sweep' | 'users'>): SweepPoint {
  return level.sweep ?? (level.users === undefined ? {} : { users: level.users });
}
