// The export as one CSV table (RFC 4180: a header line, comma-separated, fields with a comma, a
// quote or a line break quoted), long rather than wide: a `record` column says what a row is
// (second, window or migration) and the columns that do not apply to it stay empty, so one file
// holds a whole experiment or campaign and a filter on `record` gives each table back.
import type { ExperimentExport, ResultsExport } from './export.ts';

const FIXED = ['record', 'experiment', 'run', 'time', 'offset_s', 'stage', 'action', 'ok', 'errors'] as const;
const AFTER = ['threshold_s', 'violated', 'migration', 'state', 'source', 'destination', 'duration_s', 'downtime_s', 'model_downtime_s'] as const;

type Row = Partial<Record<string, string | number | undefined>>;

/** The column of a percentile: p90_s, p99.9_s. */
export function percentileColumn(percentile: number): string {
  return `p${percentile}_s`;
}

export function exportCsv(data: ResultsExport): string {
  const percentiles = [...new Set(data.experiments.flatMap((e) => e.percentiles))].sort((a, b) => a - b);
  const columns = [...FIXED, ...percentiles.map(percentileColumn), ...AFTER];
  const lines = [columns.join(',')];
  for (const experiment of data.experiments) for (const row of rowsOf(experiment)) lines.push(columns.map((column) => field(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function rowsOf(experiment: ExperimentExport): Row[] {
  const name = experiment.experiment;
  const percentileCells = (values: Record<string, number>): Row => Object.fromEntries(Object.entries(values).map(([p, seconds]) => [percentileColumn(Number(p)), seconds]));
  return [
    ...experiment.seconds.map((s): Row => ({ record: 'second', experiment: name, run: s.run, time: s.time, offset_s: s.offsetSeconds, stage: s.stage, action: s.action, ok: s.ok, errors: s.errors, ...percentileCells(s.percentiles) })),
    ...experiment.windows.map(
      (w): Row => ({
        record: 'window',
        experiment: name,
        run: w.run,
        time: w.time,
        offset_s: w.offsetSeconds,
        stage: 'steady',
        action: w.action,
        ok: w.samples,
        errors: w.failures,
        ...percentileCells(w.percentiles),
        threshold_s: w.thresholdSeconds,
        violated: w.violated.join(' '),
      }),
    ),
    ...experiment.migrations.map(
      (m): Row => ({
        record: 'migration',
        experiment: name,
        run: m.run,
        time: m.time,
        offset_s: m.offsetSeconds,
        migration: m.index,
        state: m.state,
        source: m.source,
        destination: m.destination,
        duration_s: m.durationSeconds,
        downtime_s: m.downtimeSeconds,
        model_downtime_s: m.modelDowntimeSeconds,
      }),
    ),
  ];
}

function field(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
