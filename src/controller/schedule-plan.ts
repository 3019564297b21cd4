// What a MigrationSchedule should do now, decided from its spec, its status, its campaigns and the
// time: a pure function, so every rule CronJob users rely on is tested with a fake clock.
//   - Only the most recent occurrence since the last start is started; the ones before it are
//     missed. More than 100 of them is worth a Warning (CronJob's TooManyMissedTimes), whatever
//     the reason: a controller down for a day, a schedule suspended, a campaign running too long.
//   - startingDeadlineSeconds: an occurrence older than that is not started late.
//   - concurrencyPolicy, when a campaign is still running: Allow starts another, Forbid starts
//     nothing (the occurrence stays pending, and starts once the campaign ends if still within its
//     deadline, as CronJob does), Replace deletes the running ones first.
//   - History limits: the oldest finished campaigns beyond each limit are deleted.
import type { CampaignPhase, MigrationSchedule, MigrationScheduleStatus, ScheduledCampaign } from '../api/v1alpha1/index.ts';
import { cronOf, scheduledCampaignName } from '../api/v1alpha1/index.ts';
import { isTerminal } from './experiment-lifecycle.ts';

/** Beyond this many missed occurrences a schedule stops counting them one by one (CronJob's limit). */
export const MAX_MISSED_COUNTED = 100;

export interface ChildCampaign {
  name: string;
  scheduledMs: number;
  phase?: CampaignPhase | undefined;
  completionMs?: number | undefined;
  recommendedUsers?: number | undefined;
  message?: string | undefined;
}

export interface ScheduleEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface SchedulePlan {
  /** The occurrence to start a campaign for now, if any. */
  start?: { name: string; scheduledMs: number };
  /** Campaigns to delete: running ones being replaced, finished ones beyond the history limits. */
  remove: string[];
  events: ScheduleEvent[];
  status: MigrationScheduleStatus;
  /** When the next occurrence falls due, from now (absent while suspended). */
  requeueAfterMs?: number;
}

export function planSchedule(schedule: MigrationSchedule, children: readonly ChildCampaign[], nowMs: number, createdMs: number): SchedulePlan {
  const spec = schedule.spec;
  const previous = schedule.status ?? {};
  const events: ScheduleEvent[] = [];
  const cron = cronOf(spec.schedule, spec.timeZone);
  const newestFirst = [...children].sort((a, b) => b.scheduledMs - a.scheduledMs);
  const active = newestFirst.filter((child) => !isTerminal(child.phase));
  const remove = expiredHistory(newestFirst, spec.successfulHistoryLimit, spec.failedHistoryLimit);

  let lastScheduleMs = previous.lastScheduleTime === undefined ? undefined : Date.parse(previous.lastScheduleTime);
  let missed = previous.missedOccurrences ?? 0;
  let start: SchedulePlan['start'];
  if (!spec.suspend) {
    const since = lastScheduleMs ?? createdMs;
    const due = occurrencesSince(cron, since, nowMs);
    const deadlineMs = spec.startingDeadlineSeconds === undefined ? undefined : nowMs - spec.startingDeadlineSeconds * 1000;
    if (due.latest !== undefined) {
      if (deadlineMs !== undefined && due.latest < deadlineMs) {
        // Too late even for the newest one: nothing starts; the next start counts these as missed.
        events.push({ type: 'Warning', reason: 'MissedSchedule', message: `missed the occurrence of ${iso(due.latest)}: past startingDeadlineSeconds (${spec.startingDeadlineSeconds})` });
      } else if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
        // Left pending, not counted yet: it starts when the running campaign ends, if still in time.
      } else {
        if (due.count > MAX_MISSED_COUNTED) {
          events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: `more than ${MAX_MISSED_COUNTED} occurrences missed since ${iso(since)}: check the controller and the schedule; starting only the most recent` });
        }
        if (spec.concurrencyPolicy === 'Replace' && active.length > 0) {
          remove.push(...active.map((child) => child.name));
          events.push({ type: 'Normal', reason: 'Replaced', message: `deleted ${active.map((child) => child.name).join(', ')} (concurrencyPolicy Replace)` });
        }
        start = { name: scheduledCampaignName(schedule.metadata.name, due.latest), scheduledMs: due.latest };
        missed += Math.min(due.count - 1, MAX_MISSED_COUNTED);
        lastScheduleMs = due.latest;
        if (!children.some((child) => child.name === start?.name)) {
          events.push({ type: 'Normal', reason: 'CampaignStarted', message: `started MigrationCampaign ${start.name} for the occurrence of ${iso(due.latest)}` });
        }
      }
    }
  }

  const next = spec.suspend ? undefined : cron.nextRun(new Date(nowMs))?.getTime();
  const kept = newestFirst.filter((child) => !remove.includes(child.name));
  const started: ScheduledCampaign[] = start && !kept.some((child) => child.name === start.name) ? [{ name: start.name, scheduledTime: iso(start.scheduledMs) }] : [];
  const succeeded = kept.filter((child) => child.phase === 'Succeeded' && child.completionMs !== undefined).map((child) => child.completionMs as number);
  const lastSuccessfulMs = succeeded.length > 0 ? Math.max(...succeeded) : undefined;
  const status: MigrationScheduleStatus = {
    ...previous,
    active: [...started, ...kept.filter((child) => !isTerminal(child.phase)).map(summary)],
    history: kept.filter((child) => isTerminal(child.phase)).map(summary),
    missedOccurrences: missed,
  };
  setOrDelete(status, 'lastScheduleTime', lastScheduleMs);
  setOrDelete(status, 'nextScheduleTime', next);
  if (lastSuccessfulMs !== undefined && (previous.lastSuccessfulTime === undefined || Date.parse(previous.lastSuccessfulTime) < lastSuccessfulMs)) {
    status.lastSuccessfulTime = iso(lastSuccessfulMs);
  }
  return { ...(start ? { start } : {}), remove, events, status, ...(next === undefined ? {} : { requeueAfterMs: Math.max(0, next - nowMs) }) };
}

/** How many occurrences fell in (sinceMs, nowMs], counted up to one past the limit, and the newest. */
function occurrencesSince(cron: ReturnType<typeof cronOf>, sinceMs: number, nowMs: number): { count: number; latest?: number } {
  let count = 0;
  let latest: number | undefined;
  for (let cursor = cron.nextRun(new Date(sinceMs)); cursor && cursor.getTime() <= nowMs; cursor = cron.nextRun(cursor)) {
    count += 1;
    latest = cursor.getTime();
    if (count > MAX_MISSED_COUNTED) {
      // Past the limit the newest is found backwards from now rather than by walking a year of minutes.
      latest = cron.previousRuns(1, new Date(nowMs + 1))[0]?.getTime() ?? latest;
      break;
    }
  }
  return latest === undefined ? { count } : { count, latest };
}

/** The finished campaigns beyond the limits, oldest of each kind first to go. */
function expiredHistory(newestFirst: readonly ChildCampaign[], successfulLimit: number, failedLimit: number): string[] {
  const succeeded = newestFirst.filter((child) => child.phase === 'Succeeded');
  const failed = newestFirst.filter((child) => child.phase === 'Failed' || child.phase === 'Aborted');
  return [...succeeded.slice(successfulLimit), ...failed.slice(failedLimit)].map((child) => child.name);
}

function summary(child: ChildCampaign): ScheduledCampaign {
  return {
    name: child.name,
    scheduledTime: iso(child.scheduledMs),
    ...(child.phase === undefined ? {} : { phase: child.phase }),
    ...(child.recommendedUsers === undefined ? {} : { recommendedUsers: child.recommendedUsers }),
    ...(child.message === undefined ? {} : { message: child.message }),
  };
}

function setOrDelete(status: MigrationScheduleStatus, field: 'lastScheduleTime' | 'nextScheduleTime', ms: number | undefined): void {
  if (ms === undefined) delete status[field];
  else status[field] = iso(ms);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
