// The bytes of one pre-copy migration as they move over a link whose share of bandwidth may
// change while they do (docs/migration-model.md, "Migrations at once"): the same rounds and stop
// rule as the constant-bandwidth prediction (afterRound), but each copy advances by whatever rate
// it is given for however long, so a round lasts longer while another migration shares the link,
// and the guest dirties more meanwhile. Time here is the model's: whoever drives it says how many
// seconds passed; LiveMigration drives it with real timers.
import { afterRound, precopyLimits, preCopyOutcome, validatePreCopyInput, type PreCopyInput, type PreCopyLimits, type PreCopyPrediction, type PreCopyRound } from './precopy-model.ts';

export type TransferStage = 'precopy' | 'stop-and-copy' | 'done';

interface Copy {
  bytes: number;
  copied: number;
  seconds: number;
}

export class PreCopyTransfer {
  readonly #input: PreCopyInput;
  readonly #limits: PreCopyLimits;
  readonly #rounds: PreCopyRound[] = [];
  #copy: Copy;
  #stage: TransferStage = 'precopy';
  #sent = 0;
  #stoppedBy: PreCopyPrediction['stoppedBy'] = 'threshold';
  #stopAndCopy?: { bytes: number; seconds: number };

  /** Starts at the first byte of the first round (setup is over). */
  constructor(input: PreCopyInput) {
    validatePreCopyInput(input);
    this.#input = input;
    this.#limits = precopyLimits(input);
    this.#copy = { bytes: input.memoryBytes, copied: 0, seconds: 0 };
  }

  get stage(): TransferStage {
    return this.#stage;
  }

  /** Bytes sent so far, the copy under way included. */
  get bytesSent(): number {
    return this.#sent + (this.#stage === 'done' ? 0 : this.#copy.copied);
  }

  /** Bytes still to send in the copy under way (0 once done). */
  get remainingInCopy(): number {
    return this.#stage === 'done' ? 0 : this.#copy.bytes - this.#copy.copied;
  }

  /** Seconds the copy under way still takes at `bytesPerSecond`. */
  secondsToCopyEnd(bytesPerSecond: number): number {
    return this.remainingInCopy / bytesPerSecond;
  }

  /**
   * `seconds` pass at `bytesPerSecond`, but never past the end of the copy under way: at its end
   * the next copy begins (the next round, stop-and-copy, or nothing), and the time left over is
   * not spent. Returns whether a copy ended, so the driver can look at the new stage.
   */
  advance(seconds: number, bytesPerSecond: number): boolean {
    if (this.#stage === 'done') return false;
    const toEnd = this.secondsToCopyEnd(bytesPerSecond);
    if (seconds < toEnd) {
      this.#copy.copied += seconds * bytesPerSecond;
      this.#copy.seconds += seconds;
      return false;
    }
    this.#copy.seconds += toEnd;
    this.#endCopy();
    return true;
  }

  #endCopy(): void {
    const { bytes, seconds } = this.#copy;
    this.#sent += bytes;
    if (this.#stage === 'stop-and-copy') {
      this.#stopAndCopy = { bytes, seconds };
      this.#stage = 'done';
      return;
    }
    this.#rounds.push({ bytes, seconds });
    const next = afterRound(this.#limits, this.#rounds.length, this.#sent, seconds);
    if (next.stoppedBy) {
      this.#stoppedBy = next.stoppedBy;
      this.#stage = 'stop-and-copy';
    }
    this.#copy = { bytes: next.dirty, copied: 0, seconds: 0 };
  }

  /** What the migration did, in the prediction's terms; only once done. */
  outcome(): PreCopyPrediction {
    if (!this.#stopAndCopy) throw new Error('the transfer has not finished its stop-and-copy');
    return preCopyOutcome(this.#input, [...this.#rounds], this.#stopAndCopy.bytes, this.#stopAndCopy.seconds, this.#stoppedBy);
  }
}
