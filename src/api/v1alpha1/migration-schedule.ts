// MigrationSchedule: a MigrationCampaign repeated on a cron schedule, as a CronJob repeats a Job
// and Chaos Mesh's Schedule repeats an experiment. A resource of its own rather than a `schedule`
// block on the campaign: a campaign is one sweep whose status is one table and one
// recommendation; a campaign that re-ran itself would overwrite the table people compare against.
// Here every occurrence is a campaign of its own, kept (up to the history limits) with its table,
// its report and its verdict, and the schedule's status lists them.

import { Cron } from 'croner';
import { z } from 'zod';
import { Conditions } from './condition.ts';
import { API_VERSION } from './group.ts';
import { CampaignPhase, MigrationCampaignSpec } from './migration-campaign.ts';
import { ObjectMeta, TemplateMeta } from './object-meta.ts';
import { parseWith } from './parse.ts';
import { InvalidInputError } from '../../invalid/index.ts';

/**
 * A child's name is `<schedule>-<minutes since the epoch>` (8 digits until the year 2160) and it
 * goes into the campaign label of every experiment (at most 63 characters), hence CronJob's 52.
 */
export const MAX_SCHEDULE_NAME = 52;
export const MAX_SCHEDULE_HISTORY = 20;

/** Five fields separated by blanks, or one of cron's macros (CronJob's list). */
const CRON_SHAPE = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+\s+\S+\s+\S+\s+\S+\s+\S+)$/;

/** The cron expression as croner reads it: five fields (or a macro), day-of-month OR day-of-week, as cron and CronJob. */
export function cronOf(schedule: string, timeZone?: string): Cron {
  return new Cron(schedule, { paused: true, mode: '5-part', ...(timeZone === undefined ? {} : { timezone: timeZone }) });
}

function validCron(schedule: string): boolean {
  try {
    cronOf(schedule);
    return true;
  } catch {
    return false;
  }
}

function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const ConcurrencyPolicy = z
  .enum(['Allow', 'Forbid', 'Replace'])
  .describe(
    'When the time comes and a campaign of this schedule is still running: Allow starts another, Forbid skips this occurrence, Replace deletes the running one and starts the new one.',
  );
export type ConcurrencyPolicy = z.infer<typeof ConcurrencyPolicy>;

export const MigrationScheduleSpec = z.strictObject({
    schedule: z
      .string()
      .min(1)
      .max(128)
      // The shape the API server can check (a pattern); the fields' values only the parser and the controller can.
      .regex(CRON_SHAPE, { error: 'five fields "minute hour day-of-month month day-of-week" (e.g. "0 2 * * 1"), or @hourly, @daily, @weekly, @monthly, @yearly', abort: true })
      .refine(validCron, { error: 'not a cron expression: a field out of range or misspelt (minute 0-59, hour 0-23, day 1-31, month 1-12 or jan-dec, weekday 0-6 or sun-sat)' })
      .describe('When to start a campaign, in cron format (five fields, or @hourly, @daily, @weekly, @monthly, @yearly).'),
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .refine(validTimeZone, { error: 'not a time zone of the IANA database (e.g. Europe/Paris, UTC)' })
      .optional()
      .describe("The IANA time zone the schedule is read in (e.g. Europe/Paris); default UTC, whatever the controller's own zone."),
    concurrencyPolicy: ConcurrencyPolicy.default('Forbid').describe(
      'Allow, Forbid (default: two campaigns migrating the same VM at once would measure each other) or Replace.',
    ),
    startingDeadlineSeconds: z
      .int()
      .min(0)
      .max(31_536_000)
      .optional()
      .describe('An occurrence not started within this many seconds of its time (controller down, Forbid) is skipped and counted as missed.'),
    suspend: z
      .boolean()
      .default(false)
      .describe('True: start nothing new (running campaigns go on). On resuming, the last occurrence missed starts unless past startingDeadlineSeconds, as with a CronJob.'),
    successfulHistoryLimit: z.int().min(0).max(MAX_SCHEDULE_HISTORY).default(3).describe('Finished campaigns that succeeded to keep; older ones are deleted.'),
    failedHistoryLimit: z.int().min(0).max(MAX_SCHEDULE_HISTORY).default(1).describe('Finished campaigns that failed or aborted to keep; older ones are deleted.'),
    campaignTemplate: z
      .strictObject({
        metadata: TemplateMeta.optional(),
        spec: MigrationCampaignSpec.describe("A MigrationCampaign's spec."),
      })
      .describe('The campaign started at each occurrence.'),
});
export type MigrationScheduleSpec = z.output<typeof MigrationScheduleSpec>;

const Time = z.iso.datetime({ offset: true });

export const ScheduledCampaign = z.strictObject({
  name: z.string().max(253).describe('The MigrationCampaign started for this occurrence.'),
  scheduledTime: Time.describe('The occurrence it was started for.'),
  phase: CampaignPhase.optional(),
  recommendedUsers: z.int().min(1).optional().describe("The campaign's recommendation: the highest load that kept the SLA."),
  message: z.string().max(4096).optional().describe("The campaign's recommendation, or why it failed."),
});
export type ScheduledCampaign = z.infer<typeof ScheduledCampaign>;

export const MigrationScheduleStatus = z.strictObject({
  observedGeneration: z.int().min(0).optional(),
  conditions: Conditions.optional(),
  lastScheduleTime: Time.optional().describe('The last occurrence a campaign was started for.'),
  lastSuccessfulTime: Time.optional().describe('When a campaign of this schedule last succeeded.'),
  nextScheduleTime: Time.optional().describe('The next occurrence (absent while suspended).'),
  missedOccurrences: z.int().min(0).optional().describe('Occurrences skipped so far: past their deadline, forbidden by a running campaign, or while suspended.'),
  active: z.array(ScheduledCampaign).max(MAX_SCHEDULE_HISTORY * 2 + 10).optional().describe('Campaigns still running.'),
  history: z.array(ScheduledCampaign).max(MAX_SCHEDULE_HISTORY * 2).optional().describe('Finished campaigns kept, newest first, with their verdicts.'),
});
export type MigrationScheduleStatus = z.infer<typeof MigrationScheduleStatus>;

export const MigrationScheduleResource = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('MigrationSchedule'),
  metadata: ObjectMeta,
  spec: MigrationScheduleSpec,
  status: MigrationScheduleStatus.optional(),
});
export type MigrationSchedule = z.output<typeof MigrationScheduleResource>;
export type MigrationScheduleManifest = z.input<typeof MigrationScheduleResource>;

export function parseSchedule(object: unknown): MigrationSchedule {
  const schedule = parseWith(MigrationScheduleResource, object);
  if (schedule.metadata.name.length > MAX_SCHEDULE_NAME) {
    throw new InvalidInputError('metadata.name', `at most ${MAX_SCHEDULE_NAME} characters: its campaigns are named <name>-<minutes> and label their experiments`);
  }
  return schedule;
}
