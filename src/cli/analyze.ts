// `migrascope analyze LOG.jsonl`: judges a request log again, against the Cloudstone SLA or any
// other (--sla FILE, --window, --step, --percentiles), over its whole span or a steady state
// given with --start/--end. Settings come from the defaults, then the SLA file, then the flags.
import type { Command } from 'commander';
import { InvalidInputError } from '../invalid/index.ts';
import { logger } from '../log/index.ts';
import { formatDuration, parseDuration } from '../quantity/index.ts';
// The SLA modules this command uses, not the sla index: the index also brings recovery times and
// run spreads (jstat) and, through them, recording's index with the wire format (zod); a short
// command should not load them (lazy-command.test.ts checks).
import { userKeyed } from '../recording/user-keyed.ts';
import { analyzeRequestLog, type LogAnalysis, type LogAnalysisOptions, type TimeSpec } from '../sla/request-log-analysis.ts';
import { percentilesFrom, readSlaFile, wholeSeconds, type SlaSpec } from '../sla/thresholds.ts';
import { EXIT, exitWith } from './exit-codes.ts';
import { printJson, printText, renderTable } from './output.ts';

export interface AnalyzeFlags {
  sla?: string;
  window?: string;
  step?: string;
  start?: string;
  end?: string;
  percentiles?: string;
  json?: boolean;
}

export function defineAnalyze(command: Command): void {
  command
    .argument('<log>', 'request log written by `migrascope load --log FILE` (one JSON object per line)')
    .option('--sla <file>', 'YAML SLA: thresholds: {HomePage: 1s, ...}; optional window, step, percentiles (default: the Cloudstone SLA)')
    .option('--window <duration>', 'window length, whole seconds (default 5m)')
    .option('--step <duration>', 'how far windows slide, whole seconds (default 1s)')
    .option('--start <time>', 'steady-state start: an offset into the log (2m), an ISO time, or epoch ms (default: the log start)')
    .option('--end <time>', 'steady-state end, exclusive; same forms as --start (default: the end of the log’s last second)')
    .option('--percentiles <list>', 'percentiles to judge, e.g. 90,99 (default 90,99)')
    .option('--json', 'print one JSON document instead of a table')
    .addHelpText(
      'after',
      '\nExamples:\n  migrascope analyze run.jsonl\n  migrascope analyze run.jsonl --start 2m --end 22m --percentiles 90,99,99.9 --json\n' +
        '  migrascope analyze run.jsonl --sla my-sla.yaml --window 1m\n\nWhat is counted and how: docs/sla.md',
    )
    .action(async (log: string, flags: AnalyzeFlags) => {
      const options = await analysisOptionsFrom(flags);
      const analysis = await analyzeRequestLog(log, {
        ...options,
        onCorrupt: (line, reason) => logger().warn({ file: log, line, reason }, `${log}:${line}: corrupt line skipped: ${reason}`),
      });
      if (analysis.corruptLines > 0) logger().warn({ file: log, corruptLines: analysis.corruptLines }, `${analysis.corruptLines} corrupt line(s) skipped`);
      if (analysis.windows === 0) {
        logger().warn(
          { steadyStateMs: analysis.end - analysis.start, windowMs: analysis.window },
          'steady state is shorter than one window: no window was judged, so no violation could be found',
        );
      }
      if (flags.json) printJson(analysisJson(analysis));
      else printText(describeAnalysis(analysis));
      // A verdict over no successful action is no verdict: the log does not show the SLA was met.
      if (analysis.noData.length > 0) exitWith(EXIT.failure);
    });
}

export async function analysisOptionsFrom(flags: AnalyzeFlags): Promise<Omit<LogAnalysisOptions, 'onCorrupt'>> {
  const file: SlaSpec = flags.sla === undefined ? {} : await readSlaFile(flags.sla);
  return {
    thresholds: file.thresholds,
    defaultThreshold: file.defaultThreshold,
    window: flags.window === undefined ? file.window : wholeSeconds('--window', parseDuration('--window', flags.window)),
    step: flags.step === undefined ? file.step : wholeSeconds('--step', parseDuration('--step', flags.step)),
    percentiles: flags.percentiles === undefined ? file.percentiles : percentilesFrom('--percentiles', flags.percentiles),
    start: flags.start === undefined ? undefined : timeFrom('--start', flags.start),
    end: flags.end === undefined ? undefined : timeFrom('--end', flags.end),
  };
}

/** Epoch ms before 1973 are surely a forgotten unit, not a time. */
const SMALLEST_EPOCH_MS = 1e11;

/** "2m" (an offset into the log), "2024-05-01T10:00:00Z", or epoch ms "1714557600000"; whole seconds. */
export function timeFrom(flag: string, text: string): TimeSpec {
  const spec = timeSpecFrom(flag, text);
  const ms = 'at' in spec ? spec.at : spec.afterLogStart;
  if (ms % 1000 !== 0) throw new InvalidInputError(flag, `must fall on a whole second: the log is judged by the second (got "${text}")`);
  return spec;
}

function timeSpecFrom(flag: string, text: string): TimeSpec {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const ms = Number(trimmed);
    if (ms < SMALLEST_EPOCH_MS) {
      throw new InvalidInputError(flag, `"${text}" reads as epoch ms before 1973; for an offset into the log give a unit, e.g. ${trimmed}s`);
    }
    return { at: ms };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (!Number.isFinite(ms)) throw new InvalidInputError(flag, `cannot read "${text}" as an ISO time (e.g. 2024-05-01T10:00:00Z)`);
    return { at: ms };
  }
  return { afterLogStart: parseDuration(flag, trimmed) };
}

/** The JSON document: {"windows", "actions": {A: {count, errors, threshold, p90Max, violations, met}}}. */
export function analysisJson(analysis: LogAnalysis): Record<string, unknown> {
  const actions: Record<string, Record<string, unknown>> = userKeyed();
  for (const [action, result] of Object.entries(analysis.actions)) {
    const entry: Record<string, unknown> = { count: result.count, errors: result.errors, threshold: result.threshold };
    for (const percentile of analysis.percentiles.map(String)) entry[`p${percentile}Max`] = result.max[percentile] ?? null;
    entry.violations = result.violations;
    entry.met = result.met;
    entry.firstViolation = result.firstViolationAt;
    actions[action] = entry;
  }
  return {
    windows: analysis.windows,
    start: analysis.start,
    end: analysis.end,
    window: analysis.window,
    step: analysis.step,
    percentiles: analysis.percentiles,
    lines: analysis.lines,
    corruptLines: analysis.corruptLines,
    met: analysis.met,
    noData: analysis.noData,
    actions,
  };
}

export function describeAnalysis(analysis: LogAnalysis): string {
  const keys = analysis.percentiles.map(String);
  const rows = Object.entries(analysis.actions).map(([action, result]) => ({ action, ...result }));
  const ms = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : formatDuration(value));
  const verdict = (met: boolean | null | undefined): string => (met === null || met === undefined ? '-' : met ? 'met' : 'VIOLATED');
  const table = renderTable(rows, [
    { header: 'action', value: (row) => row.action },
    { header: 'count', value: (row) => row.count, align: 'right' },
    { header: 'errors', value: (row) => row.errors, align: 'right' },
    { header: 'threshold', value: (row) => ms(row.threshold), align: 'right' },
    ...keys.map((key) => ({ header: `p${key} max`, value: (row: (typeof rows)[number]) => ms(row.max[key]), align: 'right' as const })),
    ...keys.map((key) => ({ header: `p${key} violations`, value: (row: (typeof rows)[number]) => row.violations[key] ?? 0, align: 'right' as const })),
    ...keys.map((key) => ({ header: `p${key}`, value: (row: (typeof rows)[number]) => (analysis.noData.includes(row.action) ? 'NO DATA' : verdict(row.met[key])) })),
  ]);
  const span = `${new Date(analysis.start).toISOString()} to ${new Date(analysis.end).toISOString()} (${formatDuration(analysis.end - analysis.start)})`;
  const header = `steady state ${span}: ${analysis.windows} windows of ${formatDuration(analysis.window)} every ${formatDuration(analysis.step)}`;
  const overall =
    analysis.noData.length > 0
      ? `NOT MET: no data, every ${analysis.noData.join(', ')} action failed (see errors)`
      : keys.map((key) => `p${key} ${analysis.met[key] ? 'met' : 'VIOLATED'}`).join(', ');
  const notes = [
    analysis.windows === 0 ? 'no window judged: steady state is shorter than one window' : `SLA: ${overall}`,
    ...(analysis.corruptLines > 0 ? [`${analysis.corruptLines} corrupt line(s) skipped (see the warnings above)`] : []),
  ];
  return `${header}\n\n${table}\n\n${notes.join('\n')}`;
}
