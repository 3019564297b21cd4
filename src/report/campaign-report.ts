// A campaign's report: the recommendation (capacity: the highest load meeting the SLA without
// migration; safeLoad: the highest load at which migrating keeps it), the levels x actions table
// of the study's Table 2 with cells over their threshold in red, the same figures as a chart,
// and, when given, each level's experiment in full.
import {
  SWEEP_FIELDS,
  describeLevel,
  durationMs,
  levelSettings,
  levelSuffix,
  migrationOffsetsMs,
  profileLabel,
  sweptFields,
  type ActionSummary,
  type CampaignLevel,
  type LevelValue,
  type MigrationCampaign,
  type Recommendation,
  type RunSummary,
  type SweepField,
  type SweepPoint,
} from '../api/v1alpha1/index.ts';
import { campaignGrid } from './campaign-grid.ts';
import { campaignSvg } from './campaign-chart.ts';
import { experimentBody } from './experiment-report.ts';
import { formatInstant, formatOffset, formatSeconds, percentileName } from './format.ts';
import { html, raw, type Markup } from './html.ts';
import type { CampaignLevelInput, CampaignReportInput } from './input.ts';
import { page } from './page.ts';
import { actionColor } from './palette.ts';
import { verdictBadge } from './tables.ts';

export function renderCampaignReport(input: CampaignReportInput): string {
  const { campaign } = input;
  const experiments = input.experiments ?? [];
  return page({
    title: `${qualifiedName(campaign)} · migrascope campaign report`,
    nav: [
      ['levels', 'Levels × actions'],
      ['chart', 'Chart'],
      ...(grid(input) ? [['grid', 'Grid'] as [string, string]] : []),
      ...input.levels.filter((level) => experiments.some((e) => e.experiment.metadata.name === level.experiment)).map((level): [string, string] => [levelAnchor(pointOf(level)), describeLevel(pointOf(level))]),
    ],
    charts: experiments.length > 0,
    body: html`${header(input)}
${levelsSection(input)}
${gridSection(input)}
${experiments.length ? html`<section class="card"><h2>The levels' experiments</h2><p class="subtitle">Each level's runs in full: open one to see its tables and charts.</p>${experiments.map(
      (experiment) => {
        const level = input.levels.find((l) => l.experiment === experiment.experiment.metadata.name);
        const point = level ? pointOf(level) : { users: experiment.experiment.spec.workload.users ?? 0 };
        const prefix = levelAnchor(point);
        return html`<details class="level" id="${prefix}"${isRecommended(input, point) ? ' open' : ''}><summary>${describeLevel(point)} · ${experiment.experiment.metadata.name}</summary>${experimentBody(experiment, `${prefix}-`)}</details>`;
      },
    )}</section>` : ''}`,
    generatedAt: input.generatedAt,
  });
}

/** `level-500` for users alone (as before campaigns swept more), else `level-sp2m`. */
function levelAnchor(point: SweepPoint): string {
  const fields = sweptFields(point);
  return fields.length === 1 && fields[0] === 'users' ? `level-${point.users}` : `level-${levelSuffix(point)}`;
}

function pointOf(level: CampaignLevelInput): SweepPoint {
  return level.settings ?? levelSettings(level);
}

/** The recommended levels: one for one field, one per row for a grid. */
function recommendedPoints(input: CampaignReportInput): SweepPoint[] {
  const recommendation = input.recommendation;
  if (!recommendation) return [];
  const points = [recommendation.level, ...(recommendation.rows ?? []).map((r) => r.level)].filter((p): p is SweepPoint => p !== undefined);
  return points.length === 0 && recommendation.users !== undefined ? [{ users: recommendation.users }] : points;
}

function isRecommended(input: CampaignReportInput, point: SweepPoint): boolean {
  return recommendedPoints(input).some((p) => sweptFields({ ...p, ...point }).every((f) => String(p[f]) === String(point[f])));
}

/** "users 100 → 500 by 100" or "spacing 1m, 5m, 10m". */
function describeRange(field: SweepField, range: { from?: LevelValue | undefined; to?: LevelValue | undefined; step?: LevelValue | undefined; values?: LevelValue[] | undefined }): string {
  const label = SWEEP_FIELDS[field].label;
  return range.values ? `${label} ${range.values.join(', ')}` : `${label} ${range.from} → ${range.to} by ${range.step}`;
}

function grid(input: CampaignReportInput) {
  const { spec } = input.campaign;
  return campaignGrid(spec.sweep, input.levels.map((level) => ({ settings: pointOf(level), verdict: level.verdict ?? level.summary?.verdicts?.find((v) => v.percentile === spec.judgePercentile)?.verdict, phase: level.phase, actions: level.summary?.actions })), spec.judgePercentile, recommendedPoints(input));
}

/** Two swept fields: rows one field, columns the other; each cell a level's verdict and its worst action's share of the SLA. */
function gridSection(input: CampaignReportInput): Markup | string {
  const cells = grid(input);
  if (!cells) return '';
  const judged = percentileName(input.campaign.spec.judgePercentile);
  return html`<section class="card" id="grid">
<h2>${SWEEP_FIELDS[cells.row].label} × ${SWEEP_FIELDS[cells.column].label}</h2>
<p class="subtitle">Per level: its verdict and the worst action's highest windowed ${judged} as a share of that action's threshold (100 % = the SLA). Outlined: the recommended level of each row.</p>
<div class="table-scroll"><table class="grid-table">
<thead><tr><th>${SWEEP_FIELDS[cells.row].label} \\ ${SWEEP_FIELDS[cells.column].label}</th>${cells.columns.map((c) => html`<th>${String(c)}</th>`)}</tr></thead>
<tbody>${cells.rows.map((r, i) => html`<tr data-row="${String(r)}"><th scope="row">${String(r)}</th>${(cells.cells[i] ?? []).map((cell) => {
    const verdict = cell.level?.verdict;
    const share = cell.worstShare === undefined ? '' : ` ${Math.round(cell.worstShare * 100)} %`;
    return html`<td class="${verdict === 'Fail' ? 'over' : verdict === 'Pass' ? 'under' : ''}${cell.recommended ? ' recommended' : ''}">${cell.level ? html`${verdict ?? cell.level.phase ?? '–'}${share}` : '–'}</td>`;
  })}</tr>`)}</tbody>
</table></div>
</section>`;
}

function qualifiedName(campaign: MigrationCampaign): string {
  const { name, namespace } = campaign.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

function header(input: CampaignReportInput): Markup {
  const { campaign } = input;
  const { spec } = campaign;
  const template = spec.template.spec;
  const levels = input.levels.length;
  const offsets = migrationOffsetsMs(template.migrations);
  return html`<section class="card">
<div class="headline"><div><span class="kind">MigrationCampaign</span><h1>${qualifiedName(campaign)}</h1>
<div class="subtitle">${campaign.status?.phase ?? 'not run'} · ${spec.mode === 'capacity' ? 'capacity: no migration' : 'safe load: with migrations'} · generated ${formatInstant(input.generatedAt)}</div></div>
${recommendationBox(input)}</div>
<dl class="facts">
<div><dt>Question</dt><dd>${
    spec.mode === 'capacity'
      ? 'What is the highest load at which the application meets the SLA without migration?'
      : sweptFields(spec.sweep).some((f) => f === 'users' || f === 'rate')
        ? 'What is the highest load at which live-migrating the VM keeps the SLA?'
        : `How far can ${sweptFields(spec.sweep).map((f) => SWEEP_FIELDS[f].label).join(' and ')} go while live-migrating the VM keeps the SLA?`
  }</dd></div>
<div><dt>Sweep</dt><dd><b>${sweptFields(spec.sweep).map((field) => describeRange(field, spec.sweep[field]!)).join(' × ')}</b> (${levels} ${levels === 1 ? 'level' : 'levels'}), ${spec.repetitions} ${spec.repetitions === 1 ? 'run' : 'runs'} each${spec.stopAfterFailure ? ', stopping after the first failing level' : ''}</dd></div>
<div><dt>Judged by</dt><dd><b>${percentileName(spec.judgePercentile)}</b> of every ${template.sla.window} window of steady state<div class="chips">${Object.entries(template.sla.thresholds).map(
    ([action, threshold]) => html`<span class="chip">${action} ${threshold}</span>`,
  )}</div></dd></div>
<div><dt>Each run</dt><dd>ramp-up ${template.workload.rampUp} · <b>steady state ${template.workload.steadyState}</b> · ramp-down ${template.workload.rampDown} · ${profileLabel(template.workload)} profile</dd></div>
<div><dt>Migrations</dt><dd>${offsets.length === 0 ? 'none' : html`${offsets.length === 1 ? 'one' : offsets.length} at <b>${offsets.map((ms) => formatOffset(ms / 1000)).join(', ')}</b> into steady state (${template.migrations?.destination.policy})`}</dd></div>
<div><dt>Target</dt><dd>VM <b>${template.target.vm.nameLabel ?? template.target.vm.uuid ?? '?'}</b> of pool ${template.poolRef.name}</dd></div>
</dl>
${input.notice ? html`<p class="message notice">${input.notice}</p>` : ''}
${input.csvHref ? html`<p class="subtitle">Data: <a href="${input.csvHref}" download>every level's per-second percentiles, windows and migrations (CSV)</a></p>` : ''}
</section>`;
}

function recommendationBox(input: CampaignReportInput): Markup {
  const { spec } = input.campaign;
  const what = spec.mode === 'capacity' ? 'Capacity' : 'Safe load for migrating';
  const users = input.recommendation?.users;
  if (input.recommendation === undefined) {
    return html`<div class="recommendation none"><div><div class="what">${what}</div><div>No recommendation yet.</div></div></div>`;
  }
  const level = input.recommendation.level;
  const field = level ? sweptFields(level)[0] : undefined;
  if (users === undefined && (field === undefined || field === 'users')) {
    const headline = input.recommendation.rows?.length ? 'by row' : 'none';
    return html`<div class="recommendation none" data-users=""><div class="users">${headline}</div><div><div class="what">${what} (${percentileName(spec.judgePercentile)})</div><div>${input.recommendation.reason}</div></div></div>`;
  }
  const [figure, unit] = users !== undefined ? [String(users), 'users'] : [String(level![field!]), SWEEP_FIELDS[field!].label];
  return html`<div class="recommendation" data-users="${users ?? ''}"><div class="users">${figure} <small>${unit}</small></div><div><div class="what">${what} (${percentileName(spec.judgePercentile)})</div><div>${input.recommendation.reason}</div></div></div>`;
}

/** The actions in the order the levels judged them: their profile's order. */
function actionNames(input: CampaignReportInput): string[] {
  return [...new Set(input.levels.flatMap((level) => (level.summary?.actions ?? []).map((a) => a.action)))];
}

function levelsSection(input: CampaignReportInput): Markup {
  const { spec } = input.campaign;
  const judged = spec.judgePercentile;
  const others = [...spec.template.spec.sla.percentiles].filter((p) => p !== judged).sort((a, b) => a - b);
  const names = actionNames(input);
  const levels = input.levels;
  const fields = sweptFields(spec.sweep);
  const recommendedIndexes = levels.flatMap((level, index) => (isRecommended(input, pointOf(level)) ? [index] : []));
  const thresholdOf = (name: string) => thresholdSeconds(input, name);
  return html`<section class="card" id="levels">
<h2>Levels × actions</h2>
<p class="subtitle">Per level and action: the highest ${percentileName(judged)} over the ${spec.template.spec.sla.window} windows of steady state${
    spec.repetitions > 1 ? ` in any of the ${spec.repetitions} runs (the study's Table 2: the maximum recorded), with the mean over runs and its 95 % confidence interval beside it` : ''
  }${others.length ? html`; below it ${others.map(percentileName).join(', ')}` : ''}. Red: over the threshold in at least one window.</p>
<div class="table-scroll"><table class="level-table">
<thead><tr>${fields.map((field) => html`<th>${field === 'users' ? 'Users' : SWEEP_FIELDS[field].label}</th>`)}<th>Verdict</th>${names.map((name) => html`<th>${name}<br><span class="subtitle">${formatSeconds(thresholdOf(name))}</span></th>`)}<th>Longest downtime</th><th>Mean migration</th><th title="${LEVEL_RECOVERY}">Longest recovery (p90 / SLA)</th></tr></thead>
<tbody>${levels.map((level, index) => levelRow(level, fields, names, judged, others, recommendedIndexes.includes(index)))}</tbody>
</table></div>
</section>
<section class="card" id="chart">
<h2>${percentileName(judged)} against the SLA, by ${fields.map((f) => SWEEP_FIELDS[f].label).join(' and ')}</h2>
<div class="legend">${names.map((name, index) => html`<span>${raw(`<svg width="26" height="10" aria-hidden="true"><line x1="1" x2="25" y1="5" y2="5" stroke="${actionColor(index)}" stroke-width="3"/></svg>`)}${name}</span>`)}${
    recommendedIndexes.length === 0 ? '' : html`<span>${raw('<svg width="16" height="12" aria-hidden="true"><rect width="16" height="12" fill="#0b62a3" fill-opacity=".14"/></svg>')}recommended level</span>`
  }</div>
<figure class="wide">${raw(
    campaignSvg({
      labels: levels.map((level) => fields.map((f) => String(pointOf(level)[f] ?? '?')).join(' / ')),
      titles: levels.map((level) => describeLevel(pointOf(level))),
      axisTitle: fields.map((f) => SWEEP_FIELDS[f].label).join(' / '),
      actions: names.map((name) => ({
        action: name,
        thresholdSeconds: thresholdOf(name),
        seconds: levels.map((level) => percentileOf(level, name, judged)?.worstMaxSeconds),
      })),
      percentile: judged,
      recommended: recommendedIndexes,
    }),
  )}</figure>
</section>`;
}

function levelRow(level: CampaignLevelInput, fields: readonly SweepField[], names: readonly string[], judged: number, others: readonly number[], recommended: boolean): Markup {
  const verdict = level.verdict ?? level.summary?.verdicts?.find((v) => v.percentile === judged)?.verdict;
  const summary = level.summary;
  const point = pointOf(level);
  return html`<tr data-users="${level.users ?? ''}" data-level="${levelSuffix(point)}" class="${recommended ? 'recommended' : ''}">${fields.map(
    (field, index) => html`<th scope="row">${String(point[field] ?? '–')}${recommended && index === fields.length - 1 ? html`<span class="recommended-tag">recommended</span>` : ''}</th>`,
  )}<td>${
    summary === undefined && verdict === undefined ? html`<span class="verdict none">${level.phase ?? 'not run'}</span>` : verdictBadge(verdict)
  }</td>${names.map((name) => {
    const action = summary?.actions?.find((a) => a.action === name);
    const main = action?.percentiles.find((p) => p.percentile === judged);
    if (!action || !main) return html`<td>–</td>`;
    const ci = main.ci95MaxSeconds;
    // Table 2's figure is the worst run's; the mean and its spread sit beside it, not in a tooltip.
    const mean = (main.runsMeasured ?? 1) > 1 ? html`<span class="second">mean ${formatSeconds(main.meanMaxSeconds)}${ci === undefined ? '' : ` ± ${formatSeconds((ci.high - ci.low) / 2)}`}</span>` : '';
    return html`<td class="${main.verdict === 'Fail' ? 'over' : 'under'}" data-action="${name}" title="${main.violations} violating windows">${formatSeconds(main.worstMaxSeconds)}${mean}${others.map((p) => {
      const other = action.percentiles.find((q) => q.percentile === p);
      return html`<span class="second">${percentileName(p)} ${formatSeconds(other?.worstMaxSeconds)}${other?.verdict === 'Fail' ? ' ✗' : ''}</span>`;
    })}</td>`;
  })}<td>${formatSeconds(summary?.maxDowntimeSeconds)}</td><td>${formatSeconds(summary?.meanMigrationSeconds)}</td><td>${formatSeconds(summary?.maxRecoverySeconds)} / ${formatSeconds(summary?.maxSlaRecoverySeconds)}</td></tr>`;
}

const LEVEL_RECOVERY =
  "Over the level's migrations, the longest time from the end of stop-and-copy until every action's per-second p90 was back within 10 % of before / its SLA windows back under threshold (docs/sla.md), over the migrations that were back before the next one or the end of steady state";

function percentileOf(level: CampaignLevelInput, name: string, percentile: number) {
  return level.summary?.actions?.find((a: ActionSummary) => a.action === name)?.percentiles.find((p) => p.percentile === percentile);
}

/** As the levels judged it, else as the template's SLA states it. */
function thresholdSeconds(input: CampaignReportInput, name: string): number {
  for (const level of input.levels) {
    const judged = level.summary?.actions?.find((a) => a.action === name)?.thresholdSeconds;
    if (judged !== undefined && judged > 0) return judged;
  }
  const stated = (input.campaign.spec.template.spec.sla.thresholds as Record<string, string | undefined>)[name];
  return stated === undefined ? 0 : durationMs(stated) / 1000;
}

/** The report's levels from a campaign's status, each with its experiment's summary when known. */
export function levelInputs(levels: readonly CampaignLevel[], summaryOf: (experiment: string) => RunSummary | undefined): CampaignLevelInput[] {
  return levels.map((level) => {
    const summary = summaryOf(level.experiment);
    return {
      ...(level.users === undefined ? {} : { users: level.users }),
      settings: levelSettings(level),
      experiment: level.experiment,
      ...(level.phase ? { phase: level.phase } : {}),
      ...(summary ? { summary } : {}),
      ...(level.verdict ? { verdict: level.verdict } : {}),
    };
  });
}

export function recommendationInput(recommendation: Recommendation): NonNullable<CampaignReportInput['recommendation']> {
  return {
    reason: recommendation.message,
    ...(recommendation.users === undefined ? {} : { users: recommendation.users }),
    ...(recommendation.level ? { level: recommendation.level } : {}),
    ...(recommendation.rows ? { rows: recommendation.rows.map((r) => ({ row: r.row, ...(r.level ? { level: r.level } : {}) })) } : {}),
  };
}
