// How far this worker's clock is from Redis's. Every shard of a run starts its users at the same
// wall-clock instant (the job's startAtMs) and stamps each action with the wall-clock second it
// started in; the engine merges the shards second by second. A worker whose clock is off starts
// its users off the run's timetable and files their actions under the wrong seconds, which blurs
// the windows around a migration. Redis is the one clock every worker reaches, so it is the
// reference: `TIME` read between two local readings, the offset taken at the midpoint, with half
// the round trip as its uncertainty (a slow network never makes a good clock look bad).
import type { RedisClient } from '../queue/redis-connection.ts';

export interface ClockReading {
  /** This worker's clock minus Redis's, ms (positive: ahead). */
  offsetMs: number;
  /** Half the round trip of the reading, ms: the offset is known to within this. */
  uncertaintyMs: number;
}

/** The default of `migrascope worker --max-clock-offset`. */
export const DEFAULT_MAX_CLOCK_OFFSET_MS = 1000;

/** `now`: this worker's clock (a test fakes an offset with it; the system clock is never touched). */
export async function readClockOffset(redis: RedisClient, now: () => number = Date.now): Promise<ClockReading> {
  const before = now();
  const [seconds, micros] = await redis.time();
  const after = now();
  const redisMs = Number(seconds) * 1000 + Number(micros) / 1000;
  return { offsetMs: (before + after) / 2 - redisMs, uncertaintyMs: (after - before) / 2 };
}

/** What a clock out of bound would do to what a worker is offered. */
const CONSEQUENCES = {
  shard: "its users would start off the run's timetable and their actions be filed under the wrong seconds",
  migration: "the migration would start off the run's timetable and its downtime be timed on the wrong seconds",
};

/** Why this worker must not drive a load shard (or a migration) with its clock as read, or undefined when it is in bound. */
export function clockRefusal(reading: ClockReading, maxOffsetMs: number, what: keyof typeof CONSEQUENCES = 'shard'): string | undefined {
  if (withinBound(reading, maxOffsetMs)) return undefined;
  return `this worker's clock is ${clockOffsetText(reading)}, more than --max-clock-offset ${seconds(maxOffsetMs)}: ${CONSEQUENCES[what]}; sync its clock (NTP, chrony)`;
}

/** Whether the offset is within `maxOffsetMs`, given or taken half the round trip (a slow network never makes a good clock look bad). */
export function withinBound(reading: ClockReading, maxOffsetMs: number): boolean {
  return Math.abs(reading.offsetMs) - reading.uncertaintyMs <= maxOffsetMs;
}

/** "2.5 s ahead of Redis's (TIME)". */
export function clockOffsetText(reading: ClockReading): string {
  return `${seconds(Math.abs(reading.offsetMs))} ${reading.offsetMs > 0 ? 'ahead of' : 'behind'} Redis's (TIME)`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
