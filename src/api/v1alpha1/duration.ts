// Durations as people write them in YAML: "500ms", "30s", "5m", "1h30m". The pattern is the part of
// Go's time.ParseDuration that src/quantity also reads, so the API server's CEL `duration()` and
// our parser always agree on what a value means.

import { z } from 'zod';
import { parseDuration } from '../../quantity/index.ts';
import { withRules } from './rules.ts';

export const DURATION_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
export const DURATION_MAX_LENGTH = 20;

const DURATION_HINT = 'a duration like 500ms, 30s, 5m or 1h30m';

/** A duration of zero or more. */
export const Duration = z
  .string()
  .max(DURATION_MAX_LENGTH)
  .regex(DURATION_PATTERN, { error: `expected ${DURATION_HINT}` });
export type Duration = z.infer<typeof Duration>;

/** A duration longer than zero: windows, steps, spacings. */
export const PositiveDuration = withRules(Duration, [
  { rule: "duration(self) > duration('0s')", message: 'must be longer than zero', holds: (d) => durationMs(d) > 0 },
]);

/** A duration at most `limit` long (e.g. '24h'), longer than zero. */
export function boundedDuration(limit: string) {
  const limitMs = durationMs(limit);
  return withRules(PositiveDuration, [
    {
      rule: `duration(self) <= duration('${limit}')`,
      message: `must be at most ${limit}`,
      holds: (d) => durationMs(d) <= limitMs,
    },
  ]);
}

/**
 * A duration of zero up to `limit` (e.g. '24h'): beyond it a value is a slip (1000h for 10h), and
 * a timer given it would overflow.
 */
export function maxDuration(limit: string) {
  const limitMs = durationMs(limit);
  return withRules(Duration, [
    {
      rule: `duration(self) <= duration('${limit}')`,
      message: `must be at most ${limit}`,
      holds: (d) => durationMs(d) <= limitMs,
    },
  ]);
}

/** Milliseconds of a duration the schema has already accepted. */
export function durationMs(duration: Duration): number {
  return parseDuration('duration', duration);
}
