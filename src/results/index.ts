// Results people keep and compare: the versioned results file a finished experiment or campaign
// leaves (per-second histograms, status whole), where such files live, their CSV/JSON export, the
// comparison of two with its spread rule, and the HTML of both.
export type { ExperimentResults, ResultsDocument, RunResults } from './results-file.ts';
export { decodeResults, encodeResults, experimentResults, reportInputOf, RESULTS_FORMAT, RESULTS_VERSION } from './results-file.ts';
export { locateResults, readResults, resultsFileName, writeResults } from './results-store.ts';
export type { ExperimentExport, ResultsExport } from './export.ts';
export { exportResults } from './export.ts';
export { exportCsv } from './export-csv.ts';
export type { Comparison, ExperimentComparison, Exceeds, FigureComparison } from './comparison.ts';
export { compareResults, ComparisonKindError, exceedsSpread } from './comparison.ts';
export { meanText, renderComparisonReport } from './comparison-report.ts';
export { renderResults } from './results-report.ts';
