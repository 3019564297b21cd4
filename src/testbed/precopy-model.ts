// The pre-copy live-migration model (docs/migration-model.md). Xen copies all memory while the VM
// runs, then re-copies what the guest dirtied meanwhile, round after round, until what is left is
// small enough (or copying no longer converges); then it pauses the VM, copies the rest
// (stop-and-copy: the downtime users see) and resumes it on the destination.

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

/** Runs the model. Inputs must already be valid (see validatePreCopyInput). */
export function predictPreCopy(input: PreCopyInput): PreCopyPrediction {
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
