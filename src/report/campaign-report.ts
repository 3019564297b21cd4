// A campaign's report: the recommendation (capacity: the highest load meeting the SLA without
// migration; safeLoad: the highest load at which migrating keeps it), the levels x actions table
// of the study's Table 2 with cells over their threshold in red, the same figures as a chart,
// and, when given, each level's experiment in full.
import { durationMs, migrationOffsetsMs, profileLabel, type ActionSummary, type MigrationCampaign } from '../api/v1alpha1/index.ts';
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
      ...experiments.map((e): [string, string] => [levelAnchor(e.experiment.spec.workload.users ?? 0), `${e.experiment.spec.workload.users ?? '?'} users`]),
    ],
    charts: experiments.length > 0,
    body: html`${header(input)}
${levelsSection(input)}
${experiments.length ? html`<section class="card"><h2>The levels' experiments</h2><p class="subtitle">Each level's runs in full: open one to see its tables and charts.</p>${experiments.map(
      (experiment) => {
        const users = experiment.experiment.spec.workload.users ?? 0;
        const prefix = levelAnchor(users);
        return html`<details class="level" id="${prefix}"${users === input.recommendation?.users ? ' open' : ''}><summary>${users} users · ${experiment.experiment.metadata.name}</summary>${experimentBody(experiment, `${prefix}-`)}</details>`;
      },
    )}</section>` : ''}`,
    generatedAt: input.generatedAt,
  });
}

function levelAnchor(users: number): string {
  return `level-${users}`;
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
      : 'What is the highest load at which live-migrating the VM keeps the SLA?'
  }</dd></div>
<div><dt>Sweep</dt><dd><b>${spec.sweep.users.from} → ${spec.sweep.users.to} users</b> by ${spec.sweep.users.step} (${levels} ${levels === 1 ? 'level' : 'levels'}), ${spec.repetitions} ${spec.repetitions === 1 ? 'run' : 'runs'} each${spec.stopAfterFailure ? ', stopping after the first failing level' : ''}</dd></div>
<div><dt>Judged by</dt><dd><b>${percentileName(spec.judgePercentile)}</b> of every ${template.sla.window} window of steady state<div class="chips">${Object.entries(template.sla.thresholds).map(
    ([action, threshold]) => html`<span class="chip">${action} ${threshold}</span>`,
  )}</div></dd></div>
<div><dt>Each run</dt><dd>ramp-up ${template.workload.rampUp} · <b>steady state ${template.workload.steadyState}</b> · ramp-down ${template.workload.rampDown} · ${profileLabel(template.workload)} profile</dd></div>
<div><dt>Migrations</dt><dd>${offsets.length === 0 ? 'none' : html`${offsets.length === 1 ? 'one' : offsets.length} at <b>${offsets.map((ms) => formatOffset(ms / 1000)).join(', ')}</b> into steady state (${template.migrations?.destination.policy})`}</dd></div>
<div><dt>Target</dt><dd>VM <b>${template.target.vm.nameLabel ?? template.target.vm.uuid ?? '?'}</b> of pool ${template.poolRef.name}</dd></div>
</dl>
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
  if (users === undefined) {
    return html`<div class="recommendation none" data-users=""><div class="users">none</div><div><div class="what">${what} (${percentileName(spec.judgePercentile)})</div><div>${input.recommendation.reason}</div></div></div>`;
  }
  return html`<div class="recommendation" data-users="${users}"><div class="users">${users} <small>users</small></div><div><div class="what">${what} (${percentileName(spec.judgePercentile)})</div><div>${input.recommendation.reason}</div></div></div>`;
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
  const levels = [...input.levels].sort((a, b) => a.users - b.users);
  const recommended = input.recommendation?.users;
  const thresholdOf = (name: string) => thresholdSeconds(input, name);
  return html`<section class="card" id="levels">
<h2>Levels × actions</h2>
<p class="subtitle">Per level and action: the highest ${percentileName(judged)} over the ${spec.template.spec.sla.window} windows of steady state${
    spec.repetitions > 1 ? ` in any of the ${spec.repetitions} runs (the study's Table 2: the maximum recorded), with the mean over runs and its 95 % confidence interval beside it` : ''
  }${others.length ? html`; below it ${others.map(percentileName).join(', ')}` : ''}. Red: over the threshold in at least one window.</p>
<div class="table-scroll"><table class="level-table">
<thead><tr><th>Users</th><th>Verdict</th>${names.map((name) => html`<th>${name}<br><span class="subtitle">${formatSeconds(thresholdOf(name))}</span></th>`)}<th>Longest downtime</th><th>Mean migration</th></tr></thead>
<tbody>${levels.map((level) => levelRow(level, names, judged, others, level.users === recommended))}</tbody>
</table></div>
</section>
<section class="card" id="chart">
<h2>${percentileName(judged)} against the SLA, by load</h2>
<div class="legend">${names.map((name, index) => html`<span>${raw(`<svg width="26" height="10" aria-hidden="true"><line x1="1" x2="25" y1="5" y2="5" stroke="${actionColor(index)}" stroke-width="3"/></svg>`)}${name}</span>`)}${
    recommended === undefined ? '' : html`<span>${raw('<svg width="16" height="12" aria-hidden="true"><rect width="16" height="12" fill="#0b62a3" fill-opacity=".14"/></svg>')}recommended level</span>`
  }</div>
<figure class="wide">${raw(
    campaignSvg({
      users: levels.map((level) => level.users),
      actions: names.map((name) => ({
        action: name,
        thresholdSeconds: thresholdOf(name),
        seconds: levels.map((level) => percentileOf(level, name, judged)?.worstMaxSeconds),
      })),
      percentile: judged,
      ...(recommended === undefined ? {} : { recommended }),
    }),
  )}</figure>
</section>`;
}

function levelRow(level: CampaignLevelInput, names: readonly string[], judged: number, others: readonly number[], recommended: boolean): Markup {
  const verdict = level.verdict ?? level.summary?.verdicts?.find((v) => v.percentile === judged)?.verdict;
  const summary = level.summary;
  return html`<tr data-users="${level.users}" class="${recommended ? 'recommended' : ''}"><th scope="row">${level.users}${recommended ? html`<span class="recommended-tag">recommended</span>` : ''}</th><td>${
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
  })}<td>${formatSeconds(summary?.maxDowntimeSeconds)}</td><td>${formatSeconds(summary?.meanMigrationSeconds)}</td></tr>`;
}

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
