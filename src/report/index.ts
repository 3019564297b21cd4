// The report: one self-contained HTML file per experiment or campaign, for a person to read.
export type { CampaignLevelInput, CampaignReportInput, ExperimentReportInput, MigrationInstants, RunReportInput, RunTimetable } from './input.ts';
export { migrationInstants } from './input.ts';
export { renderExperimentReport } from './experiment-report.ts';
export { levelInputs, recommendationInput, renderCampaignReport } from './campaign-report.ts';
