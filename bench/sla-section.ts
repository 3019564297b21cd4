// The SLA engine's figures and their peers, measured in a process of their own (run.ts pins it to
// the load tools' core, boosted like them when asked) and printed as one JSON line.
//
//   node bench/sla-section.ts SAMPLES WINDOW_SAMPLES[,WINDOW_SAMPLES...]
import { measureLibraryRecordValue, measureRecording, measureWindowStep } from './sla-engine.ts';
import { measureArrayPush, measureWindowFromScratch } from './sla-peers.ts';

export interface SlaFigures {
  recordPerSecond: number;
  peers: { hdrJsRecordValuePerSecond: number; hdrWasmRecordValuePerSecond: number; arrayPushPerSecond: number };
  ratios: { overHdrJs: number; overHdrWasm: number; overArrayPush: number };
  /** By samples per action-second: one incremental window step and one recomputation, µs. */
  windowStep: Record<string, { incrementalUs: number; fromScratchUs: number; ratio: number }>;
}

export function measureSla(samples: number, windowSamples: readonly number[]): SlaFigures {
  const recorder = measureRecording(samples);
  const js = measureLibraryRecordValue(false, samples);
  const wasm = measureLibraryRecordValue(true, samples);
  const push = measureArrayPush(samples);
  const windowStep: SlaFigures['windowStep'] = {};
  for (const n of windowSamples) {
    const incrementalUs = measureWindowStep(n);
    const fromScratchUs = measureWindowFromScratch(n);
    windowStep[String(n)] = { incrementalUs, fromScratchUs, ratio: fromScratchUs / incrementalUs };
  }
  return {
    recordPerSecond: recorder,
    peers: { hdrJsRecordValuePerSecond: js, hdrWasmRecordValuePerSecond: wasm, arrayPushPerSecond: push },
    ratios: { overHdrJs: recorder / js, overHdrWasm: recorder / wasm, overArrayPush: recorder / push },
    windowStep,
  };
}

if (import.meta.main) {
  const [samples, windowSamples] = process.argv.slice(2);
  if (samples === undefined || windowSamples === undefined) {
    process.stderr.write('usage: sla-section.ts SAMPLES WINDOW_SAMPLES[,WINDOW_SAMPLES...]\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(measureSla(Number(samples), windowSamples.split(',').map(Number)))}\n`);
}
