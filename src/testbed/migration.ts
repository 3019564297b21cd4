// One live migration running in real time through the pre-copy model: setup (nothing moves
// yet), pre-copy rounds (memory moves at the migration's share of the links while the VM keeps
// running, its guest slowed), stop-and-copy (the VM paused: its guest frozen while the rest is
// copied and the VM resumed), then resume on the destination. Alone on its links it follows
// predictPreCopy exactly; with other migrations in flight its share changes as they start and end
// (migration-links.ts), and so do its rounds. Progress is the bytes copied so far; a cancel is
// honoured only before the VM is paused, as after that the source copy is already gone.
import { performance } from 'node:perf_hooks';
import type { JoinLinks } from './migration-links.ts';
import { predictPreCopy, PRECOPY_DEFAULTS, type PreCopyInput, type PreCopyPrediction } from './precopy-model.ts';
import { PreCopyTransfer } from './precopy-transfer.ts';

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
  /** The model's downtime (stop-and-copy plus resume overhead), as run; alone's when cancelled. */
  modeledDowntimeMs: number;
  /** resumedAt - frozenAt: how long the guest really was frozen. */
  downtimeMs?: number;
  bytesSent: number;
  /** The rounds as they ran, at the shares the links gave (completed migrations only). */
  model?: PreCopyPrediction;
}

export interface LiveMigrationOptions {
  input: PreCopyInput;
  /** The links shared with other migrations; absent: alone at input.bandwidthBytesPerSecond. */
  links?: JoinLinks;
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
  /** What the model predicts for this migration alone on its links: the estimate until it ends. */
  readonly prediction: PreCopyPrediction;
  readonly done: Promise<MigrationTimeline>;
  readonly #options: LiveMigrationOptions;
  readonly #startedAt = now();
  readonly #timers = new Set<NodeJS.Timeout>();
  #copyTimer?: NodeJS.Timeout;
  #phase: MigrationPhase = 'setup';
  #precopyStartedAt?: number;
  #frozenAt?: number;
  #transfer?: PreCopyTransfer;
  #hold?: { leave(): void };
  /** The share of the links the copy under way moves at, and since when. */
  #rate = 0;
  #since = 0;
  #finish!: (timeline: MigrationTimeline) => void;

  private constructor(options: LiveMigrationOptions) {
    this.#options = options;
    this.prediction = predictPreCopy(options.input);
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
    this.#enter('setup', this.#startedAt);
    this.#later(this.prediction.setupSeconds * 1000, () => this.#startCopying());
    const ticker = setInterval(() => this.#reportProgress(), this.#options.tickMs ?? 100);
    this.#timers.add(ticker);
  }

  #startCopying(): void {
    this.#precopyStartedAt = now();
    this.#transfer = new PreCopyTransfer(this.#options.input);
    this.#since = this.#precopyStartedAt;
    this.#options.guest?.enterPrecopy();
    this.#enter('precopy', this.#precopyStartedAt);
    const join = this.#options.links ?? alone(this.#options.input.bandwidthBytesPerSecond);
    this.#hold = join((bytesPerSecond) => this.#setRate(bytesPerSecond));
  }

  /** The links were divided again: what moved at the old share is counted, the rest goes at the new. */
  #setRate(bytesPerSecond: number): void {
    const transfer = this.#transfer;
    if (!transfer || transfer.stage === 'done') return;
    const at = now();
    const ended = this.#rate > 0 && transfer.advance((at - this.#since) / 1000, this.#rate);
    this.#since = at;
    this.#rate = bytesPerSecond;
    if (ended) this.#copyEnded();
    else this.#scheduleCopyEnd();
  }

  #scheduleCopyEnd(): void {
    clearTimeout(this.#copyTimer);
    const transfer = this.#transfer;
    if (!transfer || transfer.stage === 'done' || this.#rate <= 0) return;
    this.#copyTimer = setTimeout(() => {
      // The copy ends when its bytes are through at this rate: the model's time, not the timer's.
      transfer.advance(transfer.secondsToCopyEnd(this.#rate), this.#rate);
      this.#since = now();
      this.#copyEnded();
    }, transfer.secondsToCopyEnd(this.#rate) * 1000);
    this.#timers.add(this.#copyTimer);
  }

  /** A copy is through: the next round goes on, the VM pauses for stop-and-copy, or it resumes. */
  #copyEnded(): void {
    const stage = this.#transfer?.stage;
    if (stage === 'stop-and-copy' && this.#phase === 'precopy') this.#freeze();
    if (stage !== 'done') {
      this.#scheduleCopyEnd();
      return;
    }
    this.#hold?.leave();
    this.#hold = undefined;
    const resume = setTimeout(() => this.#resume(), this.#options.input.resumeOverheadMs ?? PRECOPY_DEFAULTS.resumeOverheadMs);
    this.#timers.add(resume);
  }

  #freeze(): void {
    this.#frozenAt = now();
    this.#options.guest?.freeze();
    this.#enter('stop-and-copy', this.#frozenAt);
  }

  #resume(): void {
    this.#options.guest?.resume();
    this.#options.onResume?.();
    this.#end('completed');
  }

  #end(outcome: 'completed' | 'cancelled'): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#hold?.leave();
    this.#hold = undefined;
    const endedAt = now();
    const resumedAt = outcome === 'completed' ? endedAt : undefined;
    const model = outcome === 'completed' ? this.#transfer?.outcome() : undefined;
    const bytesSent = model?.bytesSent ?? this.#bytesSentNow();
    if (model) this.#options.onProgress?.(bytesSent, bytesSent);
    this.#enter(outcome, endedAt);
    this.#finish({
      outcome,
      startedAt: this.#startedAt,
      precopyStartedAt: this.#precopyStartedAt,
      frozenAt: this.#frozenAt,
      resumedAt,
      endedAt,
      modeledDowntimeMs: (model ?? this.prediction).downtimeSeconds * 1000,
      downtimeMs: resumedAt !== undefined && this.#frozenAt !== undefined ? resumedAt - this.#frozenAt : undefined,
      bytesSent,
      ...(model ? { model } : {}),
    });
  }

  #enter(phase: MigrationPhase, at: number): void {
    this.#phase = phase;
    this.#options.onPhase?.(phase, at);
    if (phase !== 'completed' && phase !== 'cancelled') this.#reportProgress();
  }

  #reportProgress(): void {
    const transfer = this.#transfer;
    // Until it ends, the total is an estimate: alone's, or more once sharing made rounds longer.
    const total = Math.max(this.prediction.bytesSent, transfer ? transfer.bytesSent + transfer.remainingInCopy : 0);
    this.#options.onProgress?.(this.#bytesSentNow(), total);
  }

  #bytesSentNow(): number {
    const transfer = this.#transfer;
    if (!transfer) return 0;
    const moving = Math.min(transfer.remainingInCopy, (this.#rate * (now() - this.#since)) / 1000);
    return transfer.bytesSent + Math.max(0, moving);
  }

  /** Runs `action` `offsetMs` after the start (not after now), so phases do not drift. */
  #later(offsetMs: number, action: () => void): void {
    const timer = setTimeout(action, Math.max(0, this.#startedAt + offsetMs - now()));
    this.#timers.add(timer);
  }
}

/** A migration with its links to itself: the whole bandwidth, always. */
function alone(bytesPerSecond: number): JoinLinks {
  return (onShare) => {
    onShare(bytesPerSecond);
    return { leave: () => undefined };
  };
}
