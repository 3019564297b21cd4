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

/** Runs the model; refuses input that validatePreCopyInput refuses (naming the properties). */
export function predictPreCopy(input: PreCopyInput): PreCopyPrediction {
  validatePreCopyInput(input);
  const M = input.memoryBytes;
  const B = input.bandwidthBytesPerSecond;
  const r = input.dirtyRateBytesPerSecond;
  const W = input.writableWorkingSetBytes;
  const stopThreshold = input.stopThresholdBytes ?? PRECOPY_DEFAULTS.stopThresholdBytes;
  const maxIterations = input.maxIterations ?? PRECOPY_DEFAULTS.maxIterations;
  const maxFactor = input.maxFactor ?? PRECOPY_DEFAULTS.maxFactor;
  const resumeOverheadMs = input.resumeOverheadMs ?? PRECOPY_DEFAULTS.resumeOverheadMs;
  const setupMs = input.setupMs ?? PRECOPY_DEFAULTS.setupMs;

  const rounds: PreCopyRound[] = [];
  let toSend = M;
  let sent = 0;
  let dirty: number;
  let stoppedBy: PreCopyPrediction['stoppedBy'];
  for (;;) {
    const seconds = toSend / B;
    rounds.push({ bytes: toSend, seconds });
    sent += toSend;
    dirty = Math.min(W, r * seconds);
    if (dirty <= stopThreshold) {
      stoppedBy = 'threshold';
      break;
    }
    if (rounds.length >= maxIterations) {
      stoppedBy = 'maxIterations';
      break;
    }
    if (sent + dirty > maxFactor * M) {
      stoppedBy = 'maxFactor';
      break;
    }
    toSend = dirty;
  }
  const downtimeSeconds = dirty / B + resumeOverheadMs / 1000;
  const precopySeconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
  const setupSeconds = setupMs / 1000;
  return {
    rounds,
    precopySeconds,
    downtimeSeconds,
    totalSeconds: setupSeconds + precopySeconds + downtimeSeconds,
    bytesSent: sent + dirty,
    stoppedBy,
    stopAndCopyBytes: dirty,
    setupSeconds,
  };
}
