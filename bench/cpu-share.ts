// How much of its core a process actually got. This machine is shared (other test runs come and
// go), so a tool pinned to core 1 may get only part of it; its requests per second of CPU time
// stays comparable when its requests per second of wall time does not. Sampled from
// /proc/PID/stat (user + system time of all its threads, in clock ticks of 10 ms).
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface Sample {
  atMs: number;
  cpuSeconds: number;
}

function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export class CpuShare {
  readonly #pid: number;
  readonly #samples: Sample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(pid: number, everyMs = 100) {
    this.#pid = pid;
    this.#timer = setInterval(() => this.#sample(), everyMs);
    this.#sample();
  }

  #sample(): void {
    const cpuSeconds = cpuSecondsOf(this.#pid);
    if (cpuSeconds !== undefined) this.#samples.push({ atMs: performance.now(), cpuSeconds });
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * The share of one core the process used between `skipMs` after the first sample and the last
   * sample (taken before it exited); undefined when too few samples fall in that stretch.
   */
  share(skipMs: number): number | undefined {
    const first = this.#samples[0];
    if (first === undefined) return undefined;
    const from = this.#samples.find((sample) => sample.atMs >= first.atMs + skipMs);
    const to = this.#samples.at(-1);
    if (from === undefined || to === undefined || to.atMs - from.atMs < 1000) return undefined;
    return (to.cpuSeconds - from.cpuSeconds) / ((to.atMs - from.atMs) / 1000);
  }
}
