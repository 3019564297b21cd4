// `migrascope compare A B`: two experiments (or two campaigns, level by level) side by side, from
// their results files or the controller: per action and percentile the windowed maxima, the means
// with their 95 % intervals, the difference B - A and whether it exceeds the runs' spread; the
// migrations' time and downtime; the verdicts. A table, JSON with --json, an HTML page with --report.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidInputError } from '../invalid/index.ts';
import { formatSeconds, percentileName } from '../report/format.ts';
import { compareResults, ComparisonKindError, meanText, renderComparisonReport, type Comparison, type ExperimentComparison, type FigureComparison } from '../results/index.ts';
import { loadResults, type ResultsSourceFlags } from './results.ts';
import { printJson, printText, renderTable } from './output.ts';

interface CompareFlags extends ResultsSourceFlags {
  report?: string;
  json?: boolean;
}

export function defineCompare(command: Command): void {
  command
    .argument('<a>', 'A: an experiment or campaign name (its file in --results-dir), a results file, or the URL of its report on the controller')
    .argument('<b>', 'B: the same forms; differences are B - A')
    .option('--results-dir <dir>', 'where the results files are', 'migrascope-results')
    .option('--report <file.html>', 'also write the comparison as an HTML page')
    .option('--json', 'print one JSON document instead of a table')
    .option('--token-file <file>', "a bearer token for the controller's report URLs")
    .addHelpText(
      'after',
      "\nExamples:\n  migrascope compare before after\n  migrascope compare runs/a.results.json.gz runs/b.results.json.gz --report compare.html\n\n" +
        'Exceeds spread: the 95 % confidence intervals of the two means do not overlap; unknown with a single run (docs/report.md).\n',
    )
    .action(async (a: string, b: string, flags: CompareFlags) => {
      const [left, right] = [await loadResults(a, flags), await loadResults(b, flags)];
      let comparison: Comparison;
      try {
        comparison = compareResults(left, right);
      } catch (error) {
        if (error instanceof ComparisonKindError) throw new InvalidInputError(`${a} ${b}`, error.message);
        throw error;
      }
      if (flags.report) {
        await writeFile(flags.report, renderComparisonReport(comparison, new Date())).catch((error: NodeJS.ErrnoException) => {
          throw new InvalidInputError('--report', `cannot write "${flags.report}": ${error.code ?? error.message}`);
        });
      }
      if (flags.json) printJson(comparison);
      else printText(describeComparison(comparison));
      if (flags.report && !flags.json) printText(`report: ${flags.report}`);
    });
}

export function describeComparison(comparison: Comparison): string {
  if (comparison.kind === 'MigrationExperiment') return describeExperiments(comparison.experiments);
  const lines = [`A: campaign ${comparison.a.name} (${comparison.a.phase ?? 'not run'})   B: campaign ${comparison.b.name} (${comparison.b.phase ?? 'not run'})`];
  for (const level of comparison.levels) lines.push('', `== ${level.label}`, describeExperiments(level.comparison));
  lines.push('', `recommendation A: ${comparison.recommendation.a ?? '-'}`, `recommendation B: ${comparison.recommendation.b ?? '-'}`);
  return lines.join('\n');
}

const seconds = (value: number | undefined): string => (value === undefined ? '-' : formatSeconds(value).replace(' ', ''));
const signed = (value: number | undefined): string => (value === undefined ? '-' : `${value > 0 ? '+' : value < 0 ? '-' : '±'}${seconds(Math.abs(value))}`);

function figureColumns<Row extends FigureComparison>() {
  return [
    { header: 'max A', value: (r: Row) => seconds(r.a.worst), align: 'right' as const },
    { header: 'max B', value: (r: Row) => seconds(r.b.worst), align: 'right' as const },
    { header: 'B-A', value: (r: Row) => signed(r.worstDifference), align: 'right' as const },
    { header: 'mean A ±95%', value: (r: Row) => meanText(r.a).replaceAll(' s', 's'), align: 'right' as const },
    { header: 'mean B ±95%', value: (r: Row) => meanText(r.b).replaceAll(' s', 's'), align: 'right' as const },
    { header: 'B-A (mean)', value: (r: Row) => signed(r.meanDifference), align: 'right' as const },
    { header: 'exceeds spread', value: (r: Row) => r.exceeds },
  ];
}

function describeExperiments(comparison: ExperimentComparison): string {
  const { a, b } = comparison;
  const lines = [`A: ${a.name} (${a.phase ?? 'not run'}, ${a.runs} run(s))   B: ${b.name} (${b.phase ?? 'not run'}, ${b.runs} run(s))`, ''];
  lines.push(
    comparison.actions.length === 0
      ? '(no action was measured on either side)'
      : renderTable(comparison.actions, [
          { header: 'action', value: (r) => r.action },
          { header: 'pct', value: (r) => percentileName(r.percentile) },
          { header: 'threshold', value: (r) => seconds(r.thresholdSeconds), align: 'right' },
          ...figureColumns<(typeof comparison.actions)[number]>(),
          { header: 'verdict A -> B', value: (r) => `${r.verdictA ?? '-'} -> ${r.verdictB ?? '-'}` },
        ]),
  );
  const migrations = [
    { figure: 'migration time', ...comparison.migrationSeconds },
    { figure: 'downtime (clients)', ...comparison.downtimeSeconds },
  ];
  lines.push('', renderTable(migrations, [{ header: 'migrations', value: (r) => r.figure }, ...figureColumns<(typeof migrations)[number]>()]));
  lines.push('', `verdicts: ${comparison.verdicts.map((v) => `${percentileName(v.percentile)} ${v.a ?? '-'} -> ${v.b ?? '-'}`).join(', ') || 'none judged'}`);
  return lines.join('\n');
}
