// `migrascope results export NAME`: what an experiment or campaign measured, as CSV or JSON rows
// (per second and action its percentiles, per SLA window and action, per migration), from its
// results file (NAME in --results-dir, or the file's path) or from the operator that ran it (the
// URL of its report: status.reportPath on the controller's HTTP port).
import { CommanderError, type Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { InvalidInputError } from '../invalid/index.ts';
import { decodeResults, exportCsv, exportResults, locateResults, readResults, type ResultsDocument } from '../results/index.ts';
import { EXIT } from './exit-codes.ts';
import { printText } from './output.ts';

export const EXPORT_FORMATS = ['csv', 'json'] as const;

export interface ResultsSourceFlags {
  resultsDir: string;
  tokenFile?: string;
}

interface ExportFlags extends ResultsSourceFlags {
  format: string;
  output?: string;
}

export function defineResults(results: Command): void {
  results
    .command('export')
    .description('Per-second per-action percentiles, SLA windows and migrations of an experiment or campaign, as CSV or JSON')
    .argument('<name>', 'an experiment or campaign name (its file in --results-dir), a results file, or the URL of its report on the controller')
    .option('--format <format>', `${EXPORT_FORMATS.join(' or ')}`, 'csv')
    .option('--results-dir <dir>', 'where the results files are', 'migrascope-results')
    .option('--output <file>', 'write here instead of stdout')
    .option('--token-file <file>', "a bearer token for the controller's report URL (e.g. from `kubectl create token`)")
    .addHelpText(
      'after',
      '\nExamples:\n  migrascope results export demo --format csv > demo.csv\n  migrascope results export migrascope-results/demo.results.json.gz --format json\n' +
        '  migrascope results export https://localhost:8080/reports/lab/study --token-file token --format csv\n',
    )
    .action(async (name: string, flags: ExportFlags) => {
      const format = exportFormat(flags.format);
      const data = exportResults(await loadResults(name, flags));
      const text = format === 'csv' ? exportCsv(data) : `${JSON.stringify(data)}\n`;
      if (flags.output) await writeFile(flags.output, text);
      else printText(text);
    });
}

function exportFormat(text: string): (typeof EXPORT_FORMATS)[number] {
  const found = EXPORT_FORMATS.find((format) => format === text);
  if (!found) throw new InvalidInputError('--format', `unknown format "${text}": give ${EXPORT_FORMATS.join(' or ')}`);
  return found;
}

/** The results meant by `what`: a file, a name in the results directory, or a report URL. */
export async function loadResults(what: string, flags: ResultsSourceFlags): Promise<ResultsDocument> {
  if (/^https?:\/\//.test(what)) return fetchResults(what, flags.tokenFile);
  return readResults(await locateResults(what, flags.resultsDir));
}

/**
 * The results of an experiment or campaign the operator still has: its report URL with
 * ?format=results, which the controller builds from the status and Redis as it builds the page
 * (and from the results volume once the object is gone). A CA of the controller's own is given to
 * Node.js with NODE_EXTRA_CA_CERTS.
 */
async function fetchResults(url: string, tokenFile: string | undefined): Promise<ResultsDocument> {
  const target = new URL(url);
  target.searchParams.set('format', 'results');
  const headers: Record<string, string> = {};
  if (tokenFile) {
    const token = await readFile(tokenFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new InvalidInputError('--token-file', `cannot read "${tokenFile}": ${error.code ?? error.message}`);
    });
    headers.authorization = `Bearer ${token.trim()}`;
  }
  let response: Response;
  try {
    response = await fetch(target, { headers });
  } catch (error) {
    // Not bad input: the controller may be back in a moment (exit 1).
    const reason = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    process.stderr.write(`migrascope: ${url}: cannot reach the controller: ${reason}\n`);
    throw new CommanderError(EXIT.failure, 'migrascope.controllerUnreachable', reason);
  }
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? ' (give a token that may get the experiment with --token-file)' : '';
    throw new InvalidInputError(url, `the controller answered ${response.status}: ${(await response.text()).trim()}${hint}`);
  }
  return decodeResults(Buffer.from(await response.arrayBuffer()), url);
}
