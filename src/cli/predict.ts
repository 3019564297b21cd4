// `migrascope predict`: what the pre-copy model says a live migration will take, without running
// anything. Starts from a preset when asked; every flag given overrides it.

import type { Command } from 'commander';
import { InvalidInputError } from '../invalid/index.ts';
import { formatBytes, formatDuration, parseByteRate, parseBytes, parseDuration } from '../quantity/index.ts';
import {
  PRECOPY_DEFAULTS,
  predictPreCopy,
  validatePreCopyInput,
  type PreCopyFieldNames,
  type PreCopyInput,
  type PreCopyPrediction,
} from '../testbed/precopy-model.ts';
import { findPreCopyPreset, PRECOPY_PRESETS } from '../testbed/presets.ts';
import { printJson, printText, renderTable } from './output.ts';

export const PREDICT_FLAGS: PreCopyFieldNames = {
  memoryBytes: '--memory',
  bandwidthBytesPerSecond: '--bandwidth',
  dirtyRateBytesPerSecond: '--dirty-rate',
  writableWorkingSetBytes: '--wws',
  stopThresholdBytes: '--stop-threshold',
  maxIterations: '--max-iterations',
  maxFactor: '--max-factor',
  resumeOverheadMs: '--resume-overhead',
  setupMs: '--setup',
};

export interface PredictOptions {
  memory?: string;
  bandwidth?: string;
  dirtyRate?: string;
  wws?: string;
  stopThreshold?: string;
  maxIterations?: string;
  maxFactor?: string;
  resumeOverhead?: string;
  setup?: string;
  preset?: string;
  json?: boolean;
}

export function definePredict(command: Command): void {
  command
    .option('--memory <size>', 'guest memory M (B, KiB, MiB, GiB, KB, MB, GB), e.g. 2GiB')
    .option('--bandwidth <rate>', 'migration link bandwidth B, bytes or bits per second, e.g. 1Gbit/s, 100MB/s')
    .option('--dirty-rate <rate>', 'page dirty rate r of the guest, e.g. 200MB/s')
    .option('--wws <size>', 'writable working set W (at most the memory), e.g. 350MiB')
    .option('--stop-threshold <size>', `stop pre-copy once this little is left dirty (default ${formatBytes(PRECOPY_DEFAULTS.stopThresholdBytes)})`)
    .option('--max-iterations <n>', `stop after this many pre-copy rounds (default ${PRECOPY_DEFAULTS.maxIterations}, as Xen)`)
    .option('--max-factor <x>', `stop once more than x times the memory would be sent (default ${PRECOPY_DEFAULTS.maxFactor}, as Xen)`)
    .option('--resume-overhead <duration>', `time to resume the guest after the last copy (default ${PRECOPY_DEFAULTS.resumeOverheadMs}ms)`)
    .option('--setup <duration>', `time before the first byte moves (default ${PRECOPY_DEFAULTS.setupMs}ms)`)
    .option('--preset <name>', `start from a named scenario: ${PRECOPY_PRESETS.map((preset) => preset.name).join(', ')}`)
    .option('--json', 'print one JSON document instead of a table')
    .addHelpText(
      'after',
      '\nExamples:\n  migrascope predict --memory 2GiB --bandwidth 1Gbit/s --dirty-rate 200MB/s --wws 350MiB\n' +
        '  migrascope predict --preset study-web-vm --bandwidth 10Gbit/s --json\n\nModel: docs/migration-model.md',
    )
    .action((options: PredictOptions) => {
      const prediction = predictPreCopy(preCopyInputFrom(options));
      if (options.json) printJson(prediction);
      else printText(describePrediction(prediction));
    });
}

/** The model's input from the flags, on top of the preset if one is named; refuses naming the flag. */
export function preCopyInputFrom(options: PredictOptions): PreCopyInput {
  const base: Partial<PreCopyInput> = options.preset === undefined ? {} : { ...findPreCopyPreset(options.preset).input };
  const given = <T>(text: string | undefined, parse: (text: string) => T): T | undefined => (text === undefined ? undefined : parse(text));
  const overrides: Partial<PreCopyInput> = {
    memoryBytes: given(options.memory, (text) => parseBytes('--memory', text)),
    bandwidthBytesPerSecond: given(options.bandwidth, (text) => parseByteRate('--bandwidth', text)),
    dirtyRateBytesPerSecond: given(options.dirtyRate, (text) => parseByteRate('--dirty-rate', text)),
    writableWorkingSetBytes: given(options.wws, (text) => parseBytes('--wws', text)),
    stopThresholdBytes: given(options.stopThreshold, (text) => parseBytes('--stop-threshold', text)),
    maxIterations: given(options.maxIterations, (text) => parsePlainNumber('--max-iterations', text)),
    maxFactor: given(options.maxFactor, (text) => parsePlainNumber('--max-factor', text)),
    resumeOverheadMs: given(options.resumeOverhead, (text) => parseDuration('--resume-overhead', text)),
    setupMs: given(options.setup, (text) => parseDuration('--setup', text)),
  };
  const input = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) Object.assign(input, { [key]: value });
  }
  const required = ['memoryBytes', 'bandwidthBytesPerSecond', 'dirtyRateBytesPerSecond', 'writableWorkingSetBytes'] as const;
  for (const key of required) {
    if (input[key] === undefined) throw new InvalidInputError(PREDICT_FLAGS[key], 'is required (or start from a scenario with --preset NAME)');
  }
  validatePreCopyInput(input as PreCopyInput, PREDICT_FLAGS);
  return input as PreCopyInput;
}

function parsePlainNumber(flag: string, text: string): number {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text)) throw new InvalidInputError(flag, `cannot read "${text}" (expected a plain number, e.g. 29 or 2.5)`);
  return Number(text);
}

const STOP_REASONS: Record<PreCopyPrediction['stoppedBy'], string> = {
  threshold: 'converged: little enough left dirty',
  maxIterations: 'did not converge: hit the round cap',
  maxFactor: 'did not converge: the next round would pass the byte cap',
};

/** A table of the rounds, then the summary a person asks about: how long, how long down, how much. */
export function describePrediction(prediction: PreCopyPrediction): string {
  let elapsed = 0;
  const rows = prediction.rounds.map((round, i) => {
    elapsed += round.seconds;
    return { round: String(i + 1), ...round, elapsed };
  });
  rows.push({ round: 'paused', bytes: prediction.stopAndCopyBytes, seconds: prediction.downtimeSeconds, elapsed: elapsed + prediction.downtimeSeconds });
  const table = renderTable(rows, [
    { header: 'round', value: (row) => row.round, align: 'right' },
    { header: 'bytes', value: (row) => formatBytes(row.bytes), align: 'right' },
    { header: 'time', value: (row) => formatDuration(row.seconds * 1000), align: 'right' },
    { header: 'elapsed', value: (row) => formatDuration(row.elapsed * 1000), align: 'right' },
  ]);
  const memory = prediction.rounds[0]?.bytes ?? Number.NaN;
  const summary: [string, string][] = [
    ['setup', formatDuration(prediction.setupSeconds * 1000)],
    ['pre-copy', `${formatDuration(prediction.precopySeconds * 1000)} in ${prediction.rounds.length} rounds (${STOP_REASONS[prediction.stoppedBy]})`],
    ['downtime', `${formatDuration(prediction.downtimeSeconds * 1000)} (${formatBytes(prediction.stopAndCopyBytes)} copied while paused, then resume)`],
    ['total', formatDuration(prediction.totalSeconds * 1000)],
    ['bytes sent', `${formatBytes(prediction.bytesSent)} (${(prediction.bytesSent / memory).toFixed(2)} x memory)`],
  ];
  const width = Math.max(...summary.map(([label]) => label.length));
  const lines = summary.map(([label, text]) => `${label.padEnd(width)}  ${text}`);
  return `${table}\n\n${lines.join('\n')}`;
}
