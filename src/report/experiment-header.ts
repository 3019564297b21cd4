// The top of an experiment report: what was measured (target, workload, stages, SLA, migration
// schedule), when, and the verdict per percentile in large badges: the study's "p99 broken, p90
// kept" at a glance, with the actions that broke it.
import { migrationOffsetsMs, profileLabel, vmIdentifier, type MigrationExperiment, type PercentileVerdict } from '../api/v1alpha1/index.ts';
import { formatInstant, formatOffset, percentileName } from './format.ts';
import { html, type Markup } from './html.ts';

/** Per percentile, the actions that broke it and in how many windows (over all runs), or with no data. */
export type Breaches = Map<number, { action: string; violations: number; noData: boolean }[]>;

export function verdictBadges(verdicts: readonly PercentileVerdict[], breaches: Breaches, size: 'large' | 'small' = 'large'): Markup {
  if (verdicts.length === 0) {
    return html`<div class="verdicts"><div class="big-verdict none"><div class="what">SLA</div><div class="result">No verdict</div><div class="why">No steady-state window was judged.</div></div></div>`;
  }
  return html`<div class="verdicts">${verdicts.map((verdict) => {
    const kept = verdict.verdict === 'Pass';
    const broken = breaches.get(verdict.percentile) ?? [];
    const why = kept ? 'every window of every action under its threshold' : broken.map((b) => `${b.action} (${b.noData ? 'no data: never succeeded' : `${b.violations} ${b.violations === 1 ? 'window' : 'windows'}`})`).join(', ');
    return html`<div class="big-verdict ${kept ? 'pass' : 'fail'}" data-percentile="${verdict.percentile}"><div class="what">${percentileName(verdict.percentile)} SLA${strictness(verdict.percentile)}</div><div class="result">${kept ? '✓ kept' : '✗ broken'}</div>${size === 'large' ? html`<div class="why">${why}</div>` : ''}</div>`;
  })}</div>`;
}

/**
 * Per percentile, the actions whose verdict at it is Fail or NoData, with their violating windows;
 * an action listed several times (once per run) is named once, its windows added up.
 */
export function breachesOf(actions: readonly { action: string; percentiles: readonly { percentile: number; violations: number; verdict: string }[] }[]): Breaches {
  const breaches: Breaches = new Map();
  for (const action of actions) {
    for (const result of action.percentiles) {
      if (result.verdict === 'Pass') continue;
      const list = breaches.get(result.percentile) ?? [];
      const known = list.find((breach) => breach.action === action.action);
      const noData = result.verdict === 'NoData';
      if (known) {
        known.violations += result.violations;
        known.noData ||= noData;
      } else list.push({ action: action.action, violations: result.violations, noData });
      breaches.set(result.percentile, list);
    }
  }
  return breaches;
}

function strictness(percentile: number): string {
  return percentile === 90 ? ' · relaxed' : percentile === 99 ? ' · strict' : '';
}

export function experimentFacts(experiment: MigrationExperiment, when: { from?: number; to?: number }): Markup {
  const { spec } = experiment;
  const { workload, sla } = spec;
  const load = workload.users !== undefined ? `${workload.users} users (closed loop)` : `${workload.rate} actions/s (open loop)`;
  const think = workload.thinkTime;
  const offsets = migrationOffsetsMs(spec.migrations);
  const destination = spec.migrations?.destination;
  const vm = spec.target.vm.nameLabel ?? spec.target.vm.uuid ?? '?';
  return html`<dl class="facts">
<div><dt>Target</dt><dd>VM <b>${vm}</b> of pool ${spec.poolRef.name}<br><span class="subtitle">${spec.target.applicationUrl}</span></dd></div>
<div><dt>Workload</dt><dd><b>${load}</b> · ${profileLabel(workload)} profile · ${workload.drivers} ${workload.drivers === 1 ? 'driver' : 'drivers'}<br><span class="subtitle">think time ${thinkTimeText(think)}</span></dd></div>
<div><dt>Stages</dt><dd>ramp-up ${workload.rampUp} · <b>steady state ${workload.steadyState}</b> · ramp-down ${workload.rampDown}</dd></div>
<div><dt>SLA</dt><dd>${sla.percentiles.map(percentileName).join(' and ')} of every <b>${sla.window}</b> window of steady state, sliding by ${sla.step}<div class="chips">${Object.entries(
    sla.thresholds,
  ).map(([action, threshold]) => html`<span class="chip">${action} ${threshold}</span>`)}</div></dd></div>
<div><dt>Migrations</dt><dd>${
    offsets.length === 0
      ? 'none (the load alone)'
      : html`${offsets.length === 1 ? 'one' : offsets.length} at <b>${offsets.map((ms) => formatOffset(ms / 1000)).join(', ')}</b> into steady state${movedVms(spec.migrations)}<br><span class="subtitle">destination: ${destination?.policy === 'host' ? `host ${destination.host ?? '?'}` : destination?.policy}, timeout ${spec.migrations?.timeout}</span>`
  }</dd></div>
<div><dt>Runs</dt><dd>${spec.repetitions} ${spec.repetitions === 1 ? 'run' : `runs, ${spec.pauseBetweenRuns} apart`}${spec.baseline?.enabled ? ', after a baseline run without migration' : ''}${spec.abort.onViolation === 'none' ? '' : html` · stops at the first ${spec.abort.onViolation} violation`}</dd></div>
<div><dt>When</dt><dd>${when.from === undefined ? 'not started' : html`${formatInstant(when.from)}${when.to === undefined ? '' : html` – ${formatInstant(when.to).slice(11)}`}`}</dd></div>
</dl>`;
}

function thinkTimeText(think: MigrationExperiment['spec']['workload']['thinkTime']): string {
  if (!think) return "the profile's own";
  const distribution = { negativeExponential: 'negative exponential', fixed: 'fixed', uniform: 'uniform' }[think.distribution];
  const cycle = think.cycleType === 'cycleTime' ? 'cycle time (start to start)' : 'after each response';
  const truncated = think.distribution === 'negativeExponential' ? `, truncated at ${think.maxMultiple}×` : '';
  return `${distribution}, mean ${think.mean} ${cycle}${truncated}`;
}

/** ", VMs web then db" or ", VMs web and db together"; nothing when the target alone moves. */
function movedVms(migrations: MigrationExperiment['spec']['migrations']): string {
  const names = (migrations?.vms ?? []).map(vmIdentifier);
  if (names.length === 0) return '';
  return migrations?.mode === 'together' ? `, VMs ${names.join(' and ')} together` : `, VMs ${names.join(' then ')}`;
}
