// The HTML report of a results document: the same page `migrascope run --report` writes and the
// controller serves, rebuilt from the results file alone (after the objects are gone, or on
// another machine). A campaign's report carries its levels' experiments in full.
import { levelInputs, recommendationInput, renderCampaignReport, renderExperimentReport } from '../report/index.ts';
import { reportInputOf, type ResultsDocument } from './results-file.ts';

export interface ResultsReportOptions {
  generatedAt: Date;
  /** Where the report links its CSV (relative to the report). */
  csvHref?: string | undefined;
  /** Shown under the title: what the report lacks and why. */
  notice?: string | undefined;
}

export function renderResults(document: ResultsDocument, options: ResultsReportOptions): string {
  const { generatedAt, csvHref, notice } = options;
  if (document.kind === 'MigrationExperiment') {
    return renderExperimentReport({ ...reportInputOf(document.experiment, generatedAt, csvHref), ...(notice === undefined ? {} : { notice }) });
  }
  const { campaign, experiments } = document;
  const status = campaign.status;
  const summaryOf = (name: string) => experiments.find((e) => e.experiment.metadata.name === name)?.experiment.status?.summary;
  return renderCampaignReport({
    campaign,
    levels: levelInputs(status.levels ?? [], summaryOf),
    ...(status.recommendation ? { recommendation: recommendationInput(status.recommendation) } : {}),
    generatedAt,
    experiments: experiments.map((results) => reportInputOf(results, generatedAt)),
    ...(csvHref === undefined ? {} : { csvHref }),
    ...(notice === undefined ? {} : { notice }),
  });
}
