// The pre-copy live-migration model (docs/migration-model.md). Xen copies all memory while the VM
// runs, then re-copies what the guest dirtied meanwhile, round after round, until what is left is
// small enough (or copying no longer converges); then it pauses the VM, copies the rest
// (stop-and-copy: the downtime users see) and resumes it on the destination.

import { InvalidInputError } from '../invalid/index.ts';

export interface PreCopyInput {
  /** Guest memory M, bytes. */
  memoryBytes: number;
  /** Migration link bandwidth B, bytes per second. */
  bandwidthBytesPerSecond: number;
  /** Page dirty rate r, bytes per second. */
  dirtyRateBytesPerSecond: number;
  /** Writable working set W (<= M): the most a round can find dirty, bytes. */
  writableWorkingSetBytes: number;
  /** Stop pre-copy once a round leaves this little dirty (default 256 KiB). */
  stopThresholdBytes?: number;
  /** Stop after this many pre-copy rounds (default 29, Xen's default). */
  maxIterations?: number;
  /** Stop once total bytes sent would exceed maxFactor x M (default 3, Xen's default). */
  maxFactor?: number;
  /** Time to resume the VM on the destination after the last copy (default 100 ms). */
  resumeOverheadMs?: number;
  /** Time before the first byte moves: reservation, connection, domain creation (default 500 ms). */
  setupMs?: number;
}

export interface PreCopyRound {
  bytes: number;
  seconds: number;
}

export interface PreCopyPrediction {
  rounds: PreCopyRound[];
  precopySeconds: number;
  downtimeSeconds: number;
  totalSeconds: number;
  bytesSent: number;
  /** Why pre-copy stopped: converged below the threshold, hit the round cap, or the byte cap. */
  stoppedBy: 'threshold' | 'maxIterations' | 'maxFactor';
  /** Bytes copied while the VM was paused. */
  stopAndCopyBytes: number;
  setupSeconds: number;
}

export const PRECOPY_DEFAULTS = {
  stopThresholdBytes: 256 * 1024,
  maxIterations: 29,
  maxFactor: 3,
  resumeOverheadMs: 100,
  setupMs: 500,
} as const;

/**
 * The most rounds the model will lay out. Xen stops at 29; a person asking for more than this is
 * asking for a table nobody reads, and with a tiny working set and no byte cap the loop could
 * otherwise run for billions of rounds.
 */
export const MAX_ROUNDS = 10_000;

/** What each input is called where it came from: a CLI flag, a YAML path, or the property itself. */
export type PreCopyFieldNames = { readonly [K in keyof PreCopyInput]-?: string };

export const PRECOPY_PROPERTY_NAMES: PreCopyFieldNames = {
  memoryBytes: 'memoryBytes',
  bandwidthBytesPerSecond: 'bandwidthBytesPerSecond',
  dirtyRateBytesPerSecond: 'dirtyRateBytesPerSecond',
  writableWorkingSetBytes: 'writableWorkingSetBytes',
  stopThresholdBytes: 'stopThresholdBytes',
  maxIterations: 'maxIterations',
  maxFactor: 'maxFactor',
  resumeOverheadMs: 'resumeOverheadMs',
  setupMs: 'setupMs',
};

/**
 * Refuses input the model cannot answer for, naming the field as the person knows it
 * (`fields.writableWorkingSetBytes` may be "--wws" or "vms[0].writableWorkingSet").
 */
export function validatePreCopyInput(input: PreCopyInput, fields: PreCopyFieldNames = PRECOPY_PROPERTY_NAMES): void {
  const finite = (field: string, value: number): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidInputError(field, `must be a finite number (got ${String(value)})`);
    return value;
  };
  const positive = (field: string, value: number): void => {
    if (finite(field, value) <= 0) throw new InvalidInputError(field, `must be greater than zero (got ${value})`);
  };
  const notNegative = (field: string, value: number): void => {
    if (finite(field, value) < 0) throw new InvalidInputError(field, `must not be negative (got ${value})`);
  };
  const optional = (check: (field: string, value: number) => void, field: string, value: number | undefined): void => {
    if (value !== undefined) check(field, value);
  };

  positive(fields.memoryBytes, input.memoryBytes);
  positive(fields.bandwidthBytesPerSecond, input.bandwidthBytesPerSecond);
  notNegative(fields.dirtyRateBytesPerSecond, input.dirtyRateBytesPerSecond);
  notNegative(fields.writableWorkingSetBytes, input.writableWorkingSetBytes);
  if (input.writableWorkingSetBytes > input.memoryBytes) {
    throw new InvalidInputError(
      fields.writableWorkingSetBytes,
      `the writable working set (${input.writableWorkingSetBytes} B) cannot be larger than the memory (${input.memoryBytes} B, ${fields.memoryBytes})`,
    );
  }
  optional(notNegative, fields.stopThresholdBytes, input.stopThresholdBytes);
  if (input.maxIterations !== undefined) {
    const rounds = finite(fields.maxIterations, input.maxIterations);
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) {
      throw new InvalidInputError(fields.maxIterations, `must be a whole number of rounds from 1 to ${MAX_ROUNDS} (got ${rounds}; Xen uses 29)`);
    }
  }
  if (input.maxFactor !== undefined && finite(fields.maxFactor, input.maxFactor) < 1) {
    throw new InvalidInputError(fields.maxFactor, `must be at least 1: the first round alone sends the whole memory (got ${input.maxFactor}; Xen uses 3)`);
  }
  optional(notNegative, fields.resumeOverheadMs, input.resumeOverheadMs);
  optional(notNegative, fields.setupMs, input.setupMs);
}

/** The model's limits with Xen's defaults filled in. */
export interface PreCopyLimits {
  dirtyRateBytesPerSecond: number;
  writableWorkingSetBytes: number;
  memoryBytes: number;
  stopThresholdBytes: number;
  maxIterations: number;
  maxFactor: number;
}

export function precopyLimits(input: PreCopyInput): PreCopyLimits {
  return {
    dirtyRateBytesPerSecond: input.dirtyRateBytesPerSecond,
    writableWorkingSetBytes: input.writableWorkingSetBytes,
    memoryBytes: input.memoryBytes,
    stopThresholdBytes: input.stopThresholdBytes ?? PRECOPY_DEFAULTS.stopThresholdBytes,
    maxIterations: input.maxIterations ?? PRECOPY_DEFAULTS.maxIterations,
    maxFactor: input.maxFactor ?? PRECOPY_DEFAULTS.maxFactor,
  };
}

/**
 * The rule at the end of each pre-copy round, which lasted `seconds` and brought the rounds to
 * `rounds` and the bytes sent to `sent`: what the guest dirtied meanwhile, and whether pre-copy
 * stops (then that is what stop-and-copy sends). The one place the loop's rule is written: the
 * constant-bandwidth prediction and the testbed's shared-link migrations both follow it.
 */
export function afterRound(limits: PreCopyLimits, rounds: number, sent: number, seconds: number): { dirty: number; stoppedBy?: PreCopyPrediction['stoppedBy'] } {
  const dirty = Math.min(limits.writableWorkingSetBytes, limits.dirtyRateBytesPerSecond * seconds);
  if (dirty <= limits.stopThresholdBytes) return { dirty, stoppedBy: 'threshold' };
  if (rounds >= limits.maxIterations) return { dirty, stoppedBy: 'maxIterations' };
  if (sent + dirty > limits.maxFactor * limits.memoryBytes) return { dirty, stoppedBy: 'maxFactor' };
  return { dirty };
}

/** Runs the model; refuses input that validatePreCopyInput refuses (naming the properties). */
export function predictPreCopy(input: PreCopyInput): PreCopyPrediction {
  validatePreCopyInput(input);
  const B = input.bandwidthBytesPerSecond;
  const limits = precopyLimits(input);
  const rounds: PreCopyRound[] = [];
  let toSend = input.memoryBytes;
  let sent = 0;
  for (;;) {
    const seconds = toSend / B;
    rounds.push({ bytes: toSend, seconds });
    sent += toSend;
    const next = afterRound(limits, rounds.length, sent, seconds);
    if (next.stoppedBy) return preCopyOutcome(input, rounds, next.dirty, next.dirty / B, next.stoppedBy);
    toSend = next.dirty;
  }
}

/** The prediction of rounds that ran, stop-and-copy of `stopAndCopyBytes` taking `copySeconds`. */
export function preCopyOutcome(
  input: Pick<PreCopyInput, 'resumeOverheadMs' | 'setupMs'>,
  rounds: PreCopyRound[],
  stopAndCopyBytes: number,
  copySeconds: number,
  stoppedBy: PreCopyPrediction['stoppedBy'],
): PreCopyPrediction {
  const downtimeSeconds = copySeconds + (input.resumeOverheadMs ?? PRECOPY_DEFAULTS.resumeOverheadMs) / 1000;
  const precopySeconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
  const setupSeconds = (input.setupMs ?? PRECOPY_DEFAULTS.setupMs) / 1000;
  return {
    rounds,
    precopySeconds,
    downtimeSeconds,
    totalSeconds: setupSeconds + precopySeconds + downtimeSeconds,
    bytesSent: rounds.reduce((sum, round) => sum + round.bytes, 0) + stopAndCopyBytes,
    stoppedBy,
    stopAndCopyBytes,
    setupSeconds,
  };
}
