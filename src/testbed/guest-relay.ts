// One direction of a connection through the guest proxy: bytes read from one socket are written to
// the other in the order they came, each no earlier than its release time, and not at all while the
// relay is held (the guest is paused for stop-and-copy). A held relay stops reading too, so the
// sender meets TCP back-pressure as it would against a paused VM. Nothing is ever dropped: a chunk
// leaves the queue only by being written, and the end of the stream (FIN) waits its turn like data.

import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Stop reading once this much waits in the queue, so a held or slowed relay cannot grow without bound. */
const QUEUE_HIGH_WATER_BYTES = 1024 * 1024;

interface Queued {
  /** null is the end of the stream. */
  chunk: Buffer | null;
  releaseAt: number;
}

export interface GuestRelayOptions {
  source: Socket;
  sink: Socket;
  /** Start held (the guest is already paused when the connection is set up). */
  held: boolean;
  /** How long to hold back a chunk that has just arrived, in ms (0 for no delay). */
  delayFor?: () => number;
  /** Called each time bytes are written to the sink. */
  onForward?: () => void;
  /** Called once the end of the stream has been passed on. */
  onFinish?: () => void;
}

export class GuestRelay {
  readonly #source: Socket;
  readonly #sink: Socket;
  readonly #delayFor: () => number;
  readonly #onForward: () => void;
  readonly #onFinish: () => void;
  readonly #queue: Queued[] = [];
  #queuedBytes = 0;
  #lastReleaseAt = 0;
  #held: boolean;
  #awaitingDrain = false;
  #timer: NodeJS.Timeout | undefined;
  #sourceEnded = false;
  #finished = false;
  #stopped = false;

  constructor(options: GuestRelayOptions) {
    this.#source = options.source;
    this.#sink = options.sink;
    this.#held = options.held;
    this.#delayFor = options.delayFor ?? (() => 0);
    this.#onForward = options.onForward ?? (() => {});
    this.#onFinish = options.onFinish ?? (() => {});
    this.#source.on('data', (chunk: Buffer) => this.#arrive(chunk));
    this.#source.on('end', () => {
      this.#sourceEnded = true;
      this.#arrive(null);
    });
    this.#sink.on('drain', () => {
      this.#awaitingDrain = false;
      this.#updateReading();
    });
    this.#updateReading();
  }

  /** The source has sent its FIN (it may still be waiting in the queue). */
  get sourceEnded(): boolean {
    return this.#sourceEnded;
  }

  /** The FIN has been passed on: this direction is done. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Stop-and-copy begins: write nothing more, read nothing more. */
  hold(): void {
    this.#held = true;
    this.#clearTimer();
    this.#updateReading();
  }

  /** Stop-and-copy ends: everything queued goes out now, in order, then reading resumes. */
  release(): void {
    this.#held = false;
    const now = performance.now();
    for (const queued of this.#queue) queued.releaseAt = Math.min(queued.releaseAt, now);
    this.#lastReleaseAt = now;
    this.#pump();
    this.#updateReading();
  }

  /** The connection is being torn down: no more timers or writes. */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  #arrive(chunk: Buffer | null): void {
    if (this.#stopped) return;
    const now = performance.now();
    // A later chunk never overtakes an earlier one, whatever their delays.
    const releaseAt = Math.max(this.#lastReleaseAt, now + (chunk === null ? 0 : this.#delayFor()));
    this.#lastReleaseAt = releaseAt;
    this.#queue.push({ chunk, releaseAt });
    this.#queuedBytes += chunk?.length ?? 0;
    this.#pump();
    this.#updateReading();
  }

  #pump(): void {
    this.#clearTimer();
    if (this.#held || this.#stopped) return;
    const now = performance.now();
    let head = this.#queue[0];
    while (head && head.releaseAt <= now) {
      this.#queue.shift();
      this.#forward(head.chunk);
      if (this.#stopped) return;
      head = this.#queue[0];
    }
    if (head) this.#timer = setTimeout(() => this.#pump(), Math.max(0, head.releaseAt - now));
  }

  #forward(chunk: Buffer | null): void {
    if (this.#sink.destroyed) {
      // The other side is gone; the connection is being torn down by its close/error handlers.
      this.stop();
      return;
    }
    if (chunk === null) {
      this.#sink.end();
      this.#finished = true;
      this.#onFinish();
      return;
    }
    this.#queuedBytes -= chunk.length;
    if (!this.#sink.write(chunk)) this.#awaitingDrain = true;
    this.#onForward();
  }

  #updateReading(): void {
    if (this.#stopped || this.#sourceEnded || this.#source.destroyed) return;
    const read = !this.#held && !this.#awaitingDrain && this.#queuedBytes < QUEUE_HIGH_WATER_BYTES;
    if (read && this.#source.isPaused()) this.#source.resume();
    else if (!read && !this.#source.isPaused()) this.#source.pause();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
