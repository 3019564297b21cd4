// One live migration running in real time along the pre-copy model's prediction: setup (nothing
// moves yet), pre-copy rounds (memory moves at the link's rate while the VM keeps running, its
// guest slowed), stop-and-copy (the VM paused: its guest frozen for exactly the modeled downtime),
// then resume on the destination. Progress is the bytes copied so far; a cancel is honoured only
// before the VM is paused, as after that the source copy is already gone.
import { performance } from 'node:perf_hooks';
import type { PreCopyPrediction } from './precopy-model.ts';

/** What a migration does to the application a VM fronts (GuestProxy implements it). */
export interface GuestControl {
  enterPrecopy(): void;
  freeze(): void;
  resume(): void;
}

export type MigrationPhase = 'setup' | 'precopy' | 'stop-and-copy' | 'completed' | 'cancelled';

/** When each phase began, as epoch milliseconds with sub-millisecond resolution. */
export interface MigrationTimeline {
  outcome: 'completed' | 'cancelled';
  startedAt: number;
  precopyStartedAt?: number;
  /** The end of pre-copy: the VM paused, its guest frozen. */
  frozenAt?: number;
  /** The VM running on the destination, its guest unfrozen. */
  resumedAt?: number;
  endedAt: number;
  /** The model's downtime (stop-and-copy plus resume overhead). */
  modeledDowntimeMs: number;
  /** resumedAt - frozenAt: how long the guest really was frozen. */
  downtimeMs?: number;
  bytesSent: number;
}

export interface LiveMigrationOptions {
  prediction: PreCopyPrediction;
  guest?: GuestControl;
  /** Called about every `tickMs` (and at each phase change) with the bytes copied so far. */
  onProgress?: (bytesSent: number, totalBytes: number) => void;
  onPhase?: (phase: MigrationPhase, at: number) => void;
  /** Called at the instant the VM runs on the destination, before the migration reports its end. */
  onResume?: () => void;
  tickMs?: number;
}

const now = () => performance.timeOrigin + performance.now();

export class LiveMigration {
  readonly prediction: PreCopyPrediction;
  readonly done: Promise<MigrationTimeline>;
  readonly #options: LiveMigrationOptions;
  readonly #startedAt = now();
  readonly #timers = new Set<NodeJS.Timeout>();
  #phase: MigrationPhase = 'setup';
  #precopyStartedAt?: number;
  #frozenAt?: number;
  #finish!: (timeline: MigrationTimeline) => void;

  private constructor(options: LiveMigrationOptions) {
    this.#options = options;
    this.prediction = options.prediction;
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  static start(options: LiveMigrationOptions): LiveMigration {
    const migration = new LiveMigration(options);
    migration.#begin();
    return migration;
  }

  get phase(): MigrationPhase {
    return this.#phase;
  }

  /** Stops the migration if the VM still runs on the source (setup or pre-copy); false if too late. */
  cancel(): boolean {
    if (this.#phase !== 'setup' && this.#phase !== 'precopy') return false;
    if (this.#phase === 'precopy') this.#options.guest?.resume();
    this.#end('cancelled');
    return true;
  }

  /** Ends the migration whatever its phase (the testbed is shutting down); the guest is unfrozen. */
  interrupt(): void {
    if (this.#phase === 'completed' || this.#phase === 'cancelled') return;
    if (this.#phase !== 'setup') this.#options.guest?.resume();
    this.#end('cancelled');
  }

  #begin(): void {
    const { prediction, tickMs = 100 } = this.#options;
    this.#enter('setup', this.#startedAt);
    const precopyAt = prediction.setupSeconds * 1000;
    const freezeAt = precopyAt + prediction.precopySeconds * 1000;
    this.#at(precopyAt, () => {
      this.#precopyStartedAt = now();
      this.#options.guest?.enterPrecopy();
      this.#enter('precopy', this.#precopyStartedAt);
    });
    this.#at(freezeAt, () => this.#freeze());
    const ticker = setInterval(() => this.#reportProgress(), tickMs);
    this.#timers.add(ticker);
  }

  #freeze(): void {
    this.#frozenAt = now();
    this.#options.guest?.freeze();
    this.#enter('stop-and-copy', this.#frozenAt);
    // Timed from the real freeze, not the planned one, so the stall is exactly the modeled downtime.
    const timer = setTimeout(() => this.#resume(), this.prediction.downtimeSeconds * 1000);
    this.#timers.add(timer);
  }

  #resume(): void {
    this.#options.guest?.resume();
    this.#options.onResume?.();
    this.#end('completed');
  }

  #end(outcome: 'completed' | 'cancelled'): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const endedAt = now();
    const resumedAt = outcome === 'completed' ? endedAt : undefined;
    const bytesSent = outcome === 'completed' ? this.prediction.bytesSent : this.#bytesSentNow();
    if (outcome === 'completed') this.#options.onProgress?.(bytesSent, this.prediction.bytesSent);
    this.#enter(outcome, endedAt);
    this.#finish({
      outcome,
      startedAt: this.#startedAt,
      precopyStartedAt: this.#precopyStartedAt,
      frozenAt: this.#frozenAt,
      resumedAt,
      endedAt,
      modeledDowntimeMs: this.prediction.downtimeSeconds * 1000,
      downtimeMs: resumedAt !== undefined && this.#frozenAt !== undefined ? resumedAt - this.#frozenAt : undefined,
      bytesSent,
    });
  }

  #enter(phase: MigrationPhase, at: number): void {
    this.#phase = phase;
    this.#options.onPhase?.(phase, at);
    if (phase !== 'completed' && phase !== 'cancelled') this.#reportProgress();
  }

  #reportProgress(): void {
    this.#options.onProgress?.(this.#bytesSentNow(), this.prediction.bytesSent);
  }

  #bytesSentNow(): number {
    return bytesSentAt(this.prediction, now() - this.#startedAt);
  }

  /** Runs `action` `offsetMs` after the start (not after now), so phases do not drift. */
  #at(offsetMs: number, action: () => void): void {
    const timer = setTimeout(action, Math.max(0, this.#startedAt + offsetMs - now()));
    this.#timers.add(timer);
  }
}

/** Bytes copied `elapsedMs` into a migration that follows `prediction`: linear within each copy. */
export function bytesSentAt(prediction: PreCopyPrediction, elapsedMs: number): number {
  let t = elapsedMs / 1000 - prediction.setupSeconds;
  if (t <= 0) return 0;
  let sent = 0;
  for (const round of prediction.rounds) {
    if (t < round.seconds) return sent + round.bytes * (t / round.seconds);
    sent += round.bytes;
    t -= round.seconds;
  }
  const last = prediction.rounds[prediction.rounds.length - 1];
  const bandwidth = last && last.seconds > 0 ? last.bytes / last.seconds : Infinity;
  const copySeconds = prediction.stopAndCopyBytes / bandwidth;
  if (t < copySeconds) return sent + prediction.stopAndCopyBytes * (t / copySeconds);
  return prediction.bytesSent;
}
