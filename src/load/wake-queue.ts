// When each thinking user wakes up. One binary min-heap of (due time, user index) in typed arrays
// and ONE timer armed for the earliest: 100 000 thinking users cost two numbers each, not 100 000
// Node timers, and scheduling a wake-up allocates nothing.
import { timerDelay } from '../quantity/index.ts';
import { now } from './clock.ts';

export class WakeQueue {
  #due: Float64Array;
  #who: Int32Array;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  #stopped = false;
  #firing = false;
  readonly #wake: (index: number, due: number) => void;

  /** `wake(index, due)` is called for each user whose time has come, in due order. */
  constructor(capacity: number, wake: (index: number, due: number) => void) {
    this.#due = new Float64Array(Math.max(1, capacity));
    this.#who = new Int32Array(Math.max(1, capacity));
    this.#wake = wake;
  }

  get size(): number {
    return this.#size;
  }

  /** Wakes user `index` at epoch ms `due`. */
  schedule(index: number, due: number): void {
    if (this.#stopped) return;
    if (this.#size === this.#due.length) this.#grow();
    let i = this.#size;
    this.#size += 1;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.#due[parent] as number) <= due) break;
      this.#due[i] = this.#due[parent] as number;
      this.#who[i] = this.#who[parent] as number;
      i = parent;
    }
    this.#due[i] = due;
    this.#who[i] = index;
    // While firing, the timer is re-armed once at the end rather than for every wake-up.
    if (due < this.#armedFor && !this.#firing) this.#arm(due);
  }

  /** No more wake-ups; pending ones are dropped. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#size = 0;
  }

  #arm(due: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedFor = due;
    const delay = due - now();
    // A delay beyond a timer's range fires early, finds no one due and arms again.
    this.#timer = setTimeout(() => this.#fire(), timerDelay(delay));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    // Node timers fire on whole milliseconds; a user due within the next half millisecond wakes now
    // rather than costing another timer.
    const horizon = now() + 0.5;
    this.#firing = true;
    try {
      while (this.#size > 0 && (this.#due[0] as number) <= horizon && !this.#stopped) {
        const due = this.#due[0] as number;
        const index = this.#who[0] as number;
        this.#pop();
        this.#wake(index, due);
      }
    } finally {
      this.#firing = false;
    }
    if (this.#size > 0 && !this.#stopped) this.#arm(this.#due[0] as number);
  }

  #pop(): void {
    this.#size -= 1;
    const size = this.#size;
    if (size === 0) return;
    const due = this.#due[size] as number;
    const who = this.#who[size] as number;
    let i = 0;
    // Sift down.
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && (this.#due[right] as number) < (this.#due[left] as number) ? right : left;
      if ((this.#due[child] as number) >= due) break;
      this.#due[i] = this.#due[child] as number;
      this.#who[i] = this.#who[child] as number;
      i = child;
    }
    this.#due[i] = due;
    this.#who[i] = who;
  }

  #grow(): void {
    const due = new Float64Array(this.#due.length * 2);
    const who = new Int32Array(this.#who.length * 2);
    due.set(this.#due);
    who.set(this.#who);
    this.#due = due;
    this.#who = who;
  }
}
