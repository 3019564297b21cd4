// The SLA engine's two figures: outcomes recorded per second on one core (Recorder.record, the
// load driver's hot path; target 5 million) and the cost of one window step (one second in, one
// out, every action's percentiles judged) with a 5-minute window of 7 actions. Also the raw
// recordValue rate of hdr-histogram-js's JS and WebAssembly builds, the reason for bucket-counts.
// Run: node_modules/.bin/node bench/sla-engine.ts
import * as hdr from 'hdr-histogram-js';
import { Recorder, type ActionOutcome, type SecondSnapshot } from '../src/recording/index.ts';
import { SlidingWindowSla } from '../src/sla/index.ts';

const ACTIONS = ['HomePage', 'Login', 'TagSearch', 'EventDetail', 'PersonDetail', 'AddPerson', 'AddEvent'];
const S0 = 1_700_000_000;

/** Response times with a heavy tail: mostly tens of ms, some seconds. */
function durationsUs(n: number): Float64Array {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = Math.floor(-Math.log(1 - Math.random()) * 50_000 * (Math.random() < 0.01 ? 40 : 1));
  return values;
}

function best(rounds: number, run: () => number): number {
  let top = 0;
  for (let i = 0; i < rounds; i++) top = Math.max(top, run());
  return top;
}

export interface SlaEngineFigures {
  recordPerSecond: number;
  libraryJsRecordValuePerSecond: number;
  libraryWasmRecordValuePerSecond: number;
  /** One window step, µs, by samples per action per second. */
  windowStepUs: Record<string, number>;
}

export function measureRecording(samples = 10_000_000): number {
  const values = durationsUs(1 << 16);
  const outcomes: ActionOutcome[] = Array.from({ length: 1 << 16 }, (_, i) => ({
    action: ACTIONS[i % ACTIONS.length]!,
    startMs: 0,
    durationUs: values[i]!,
    ok: true,
  }));
  const recorder = new Recorder();
  let round = 0;
  return best(5, () => {
    const base = (S0 + round++ * 100) * 1000;
    const started = performance.now();
    for (let i = 0; i < samples; i++) {
      const outcome = outcomes[i & 0xffff]!;
      outcome.startMs = base + ((i / 10_000) | 0); // a new second every 10 million samples
      recorder.record(outcome);
    }
    const rate = samples / ((performance.now() - started) / 1000);
    recorder.drain(Number.POSITIVE_INFINITY);
    return rate;
  });
}

export function measureLibraryRecordValue(useWebAssembly: boolean, samples = 10_000_000): number {
  if (useWebAssembly) hdr.initWebAssemblySync();
  const values = durationsUs(1 << 16);
  return best(3, () => {
    const histograms = ACTIONS.map(() => hdr.build({ useWebAssembly }));
    const started = performance.now();
    for (let i = 0; i < samples; i++) histograms[i % ACTIONS.length]!.recordValue(values[i & 0xffff]!);
    const rate = samples / ((performance.now() - started) / 1000);
    for (const histogram of histograms) histogram.destroy();
    return rate;
  });
}

/** Mean cost of one window step, once the 5-minute window is full, in µs. */
export function measureWindowStep(samplesPerActionSecond: number, steps = 300): number {
  const windowSeconds = 300;
  const seconds: SecondSnapshot[] = [];
  const recorder = new Recorder();
  const values = durationsUs(samplesPerActionSecond);
  for (let s = 0; s < windowSeconds + steps; s++) {
    for (const action of ACTIONS) {
      for (let i = 0; i < samplesPerActionSecond; i++) recorder.record({ action, startMs: (S0 + s) * 1000 + (i % 1000), durationUs: values[i]!, ok: true });
    }
    seconds.push(...recorder.drain(S0 + s + 1));
  }
  const sla = new SlidingWindowSla({ start: S0 * 1000 });
  for (const second of seconds.slice(0, windowSeconds)) sla.add(second);
  const started = performance.now();
  let judged = 0;
  for (const second of seconds.slice(windowSeconds)) judged += sla.add(second).length;
  const elapsedUs = (performance.now() - started) * 1000;
  if (judged !== steps) throw new Error(`expected ${steps} windows, judged ${judged}`);
  return elapsedUs / steps;
}

export function measureSlaEngine(): SlaEngineFigures {
  return {
    recordPerSecond: measureRecording(),
    libraryJsRecordValuePerSecond: measureLibraryRecordValue(false),
    libraryWasmRecordValuePerSecond: measureLibraryRecordValue(true),
    windowStepUs: Object.fromEntries([20, 1000, 10_000].map((n) => [String(n), measureWindowStep(n)])),
  };
}

if (import.meta.main) {
  const figures = measureSlaEngine();
  const millions = (rate: number): string => `${(rate / 1e6).toFixed(1)} million/s`;
  process.stdout.write(
    [
      `Recorder.record (one core, 7 actions):          ${millions(figures.recordPerSecond)} (target 5 million/s)`,
      `  hdr-histogram-js recordValue, JS build:       ${millions(figures.libraryJsRecordValuePerSecond)}`,
      `  hdr-histogram-js recordValue, WebAssembly:    ${millions(figures.libraryWasmRecordValuePerSecond)}`,
      'One window step (5 min window, 1 s step, 7 actions, p90 + p99):',
      ...Object.entries(figures.windowStepUs).map(
        ([n, us]) => `  ${n.padStart(6)} samples per action-second:   ${(us / 1000).toFixed(3)} ms`,
      ),
    ].join('\n') + '\n',
  );
}
