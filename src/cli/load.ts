// `migrascope load`: drives a workload against an application (no migration) and reports, per
// action, what steady state cost the users (count, errors, mean and percentiles) and the SLA
// verdicts of the profile's actions over sliding windows. A progress bar on a terminal (or, with
// --trace, every request as it completes); a table or --json at the end.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { InvalidInputError } from '../invalid/index.ts';
import { parseRate, runLoad, type LoadProgress, type LoadResult, type RequestTrace, type RunPlan } from '../load/index.ts';
import { formatDuration, parseDuration, requireAtMost, requirePositive } from '../quantity/index.ts';
import {
  CLOUDSTONE_THRESHOLDS_MS,
  DEFAULT_WINDOW_MS,
  percentilesFrom,
  readSlaFile,
  SlidingWindowSla,
  thresholdsForActions,
  type ActionThresholds,
  type SlaResult,
  type SlaSpec,
} from '../sla/index.ts';
import { MAX_THINK_MEAN, negativeExponential, type Profile } from '../workloads/index.ts';
import { EXIT, exitWith } from './exit-codes.ts';
import { profileArgument } from './profile-file.ts';
import { printJson, printText, renderTable } from './output.ts';

export interface LoadCommandOptions {
  url: string;
  profile: string;
  users: string;
  rampUp: string;
  steady: string;
  rampDown: string;
  rate?: string;
  log?: string;
  probe?: string;
  probeInterval: string;
  param: string[];
  think?: string;
  seed?: string;
  sla?: string;
  defaultThreshold?: string;
  window?: string;
  step?: string;
  percentiles?: string;
  json?: boolean;
  progress: boolean;
  trace?: boolean;
}

export function defineLoad(command: Command): void {
  command
    .requiredOption('--url <url>', 'the application, e.g. http://127.0.0.1:8080')
    .option('--profile <olio|file>', 'the built-in Olio profile or a YAML profile (docs/workload.md)', 'olio')
    .requiredOption('--users <n>', 'closed loop: simulated users; open loop (--rate): the most actions in flight')
    .option('--ramp-up <duration>', 'users join spread over this (nothing counts)', '0s')
    .requiredOption('--steady <duration>', 'steady state: the only part that counts (whole seconds)')
    .option('--ramp-down <duration>', 'load goes on, nothing counts', '0s')
    .option('--rate <rate>', 'open loop: actions per second, 200 or steps 100,200,300 or 100:30s,200:1m')
    .option('--log <file>', 'write every steady-state action as a JSON line {"t","action","ms","ok"}')
    .option('--probe <path|tcp>', 'probe availability every --probe-interval: GET this path (e.g. /healthz) or "tcp" connects')
    .option('--probe-interval <duration>', 'time between probes', '20ms')
    .option('--param <name=value>', 'a profile parameter (repeatable); olio: scale (the app\'s seeded users, default 500), tags', collect, [])
    .option('--think <duration>', "override the profile's mean think time (its cap becomes 5 x this)")
    .option('--seed <n>', 'seed the random walk, think times and generated values (reproducible runs)')
    .option('--sla <file>', 'SLA thresholds (YAML: thresholds, defaultThreshold, window, step, percentiles); olio: default the Cloudstone SLA')
    .option('--default-threshold <duration>', 'the SLA threshold of every action without one (e.g. 2s); a custom profile has none otherwise')
    .option('--window <duration>', 'SLA window (default 5m, shortened to steady state when longer)')
    .option('--step <duration>', 'SLA window step (default 1s)')
    .option('--percentiles <list>', 'SLA percentiles (default 90,99)')
    .option('--no-progress', 'no progress bar')
    .option('--trace', 'print each request as it completes on stderr (action, method, path, status, ms, why it failed): a dry run of a profile')
    .option('--json', 'print one JSON document instead of tables')
    .addHelpText(
      'after',
      '\nExamples:\n  migrascope load --url http://127.0.0.1:8080 --users 100 --ramp-up 30s --steady 5m --ramp-down 10s --probe /healthz\n' +
        '  migrascope load --url http://127.0.0.1:8080 --profile shop.yaml --users 50 --steady 1m --rate 100,200 --json\n' +
        '  migrascope load --url http://127.0.0.1:8080 --profile shop.yaml --users 1 --steady 10s --trace   # a dry run: every request\n\n' +
        'Profiles and the Olio workload: docs/workload.md',
    )
    .action(async (options: LoadCommandOptions) => {
      const report = await loadCommand(options);
      if (options.json) printJson(report);
      else printText(describeLoad(report));
      // A verdict over no successful action is no verdict: the run failed to show the SLA was met.
      if (report.noData.length > 0) exitWith(EXIT.failure);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface LoadReport extends LoadResult {
  sla: SlaResult;
  /** Set when the SLA window was longer than steady state and had to be shortened. */
  slaWindowShortened: boolean;
  /** The profile's actions without a threshold: measured, not judged. */
  unjudgedActions: string[];
  /**
   * Judged actions that never succeeded in steady state (every one failed: an app unreachable, a
   * certificate not trusted; or none was tried): their percentiles judge nothing, so their
   * verdicts are null and the SLA is not met (sla.met false); the command exits 1.
   */
  noData: string[];
}

export async function loadCommand(options: LoadCommandOptions): Promise<LoadReport> {
  const profile = profileFrom(options);
  const users = wholeNumber('--users', options.users, MAX_USERS);
  const plan: RunPlan = {
    rampUpMs: requireAtMost('--ramp-up', parseDuration('--ramp-up', options.rampUp), MAX_STAGE),
    steadyMs: requireAtMost('--steady', requirePositive('--steady', parseDuration('--steady', options.steady)), MAX_STAGE),
    rampDownMs: requireAtMost('--ramp-down', parseDuration('--ramp-down', options.rampDown), MAX_STAGE),
  };
  const rate = options.rate === undefined ? undefined : parseRate('--rate', options.rate);
  const spec: SlaSpec = options.sla === undefined ? {} : await readSlaFile(options.sla);
  const judged = judgedActions(profile, options, spec);
  const window = options.window === undefined ? spec.window : parseDuration('--window', options.window);
  const step = options.step === undefined ? spec.step : parseDuration('--step', options.step);
  const percentiles = options.percentiles === undefined ? spec.percentiles : percentilesFrom('--percentiles', options.percentiles);
  const probe = probeFrom(options);

  let sla: SlidingWindowSla | undefined;
  let slaWindowShortened = false;
  // The trace's lines and a progress bar would overwrite each other on a terminal.
  const bar = options.progress && process.stderr.isTTY && !options.json && !options.trace ? new ProgressBar() : undefined;
  const result = await runLoad({
    url: options.url,
    profile,
    users,
    plan,
    rate,
    logPath: options.log,
    probe,
    seed: options.seed === undefined ? undefined : wholeNumber('--seed', options.seed),
    onProgress: (progress) => bar?.update(progress),
    onRequest: options.trace ? printTrace : undefined,
    onStart: (timeline) => {
      // The windows cover steady state; one longer than it would never be judged, so it shrinks.
      const steadyMs = timeline.steadyEnd - timeline.steadyStart;
      const wanted = window ?? DEFAULT_WINDOW_MS;
      slaWindowShortened = wanted > steadyMs;
      sla = new SlidingWindowSla({
        window: Math.min(wanted, steadyMs),
        step,
        percentiles,
        thresholds: judged.thresholds,
        actions: profile.actions.map((action) => action.name),
        start: timeline.steadyStart,
        end: timeline.steadyEnd,
      });
    },
    onSecond: (snapshot, phase) => {
      if (phase === 'steady') sla?.add(snapshot);
    },
  }).finally(() => bar?.stop());

  if (sla === undefined) throw new Error('load: the run ended before its timeline was fixed');
  sla.finish();
  return withNoData({ ...result, sla: sla.result(), slaWindowShortened, unjudgedActions: judged.unjudged, noData: [] });
}

/** The judged actions the SLA engine found no success of (ActionVerdict.noData): listed, and the command exits 1. */
function withNoData(report: LoadReport): LoadReport {
  return { ...report, noData: Object.entries(report.sla.actions).flatMap(([action, verdict]) => (verdict.noData ? [action] : [])) };
}

/**
 * The profile's actions and their thresholds: the built-in Olio profile is judged by the
 * Cloudstone SLA unless the SLA file says otherwise; a profile of one's own only by what the file
 * or --default-threshold give it.
 */
function judgedActions(profile: Profile, options: LoadCommandOptions, spec: SlaSpec): ActionThresholds {
  return thresholdsForActions(
    profile.actions.map((action) => action.name),
    {
      workload: profile.name,
      spec,
      source: options.sla ?? '--sla',
      builtIn: options.profile === 'olio' ? CLOUDSTONE_THRESHOLDS_MS : undefined,
      defaultThreshold: options.defaultThreshold === undefined ? undefined : requirePositive('--default-threshold', parseDuration('--default-threshold', options.defaultThreshold)),
    },
  );
}

/** One line per request on stderr, as it completes: what a person writing a profile needs to see. */
function printTrace(trace: RequestTrace): void {
  const status = trace.status === undefined ? '-' : String(trace.status);
  const failure = trace.failure === undefined ? '' : ` FAILED ${trace.failure}`;
  process.stderr.write(`trace ${trace.action} ${trace.method} ${trace.path} ${status} ${trace.ms.toFixed(1)} ms${failure}\n`);
}

function profileFrom(options: LoadCommandOptions): Profile {
  const params: Record<string, string> = {};
  for (const text of options.param) {
    const equals = text.indexOf('=');
    if (equals <= 0) throw new InvalidInputError('--param', `expected name=value (got "${text}")`);
    params[text.slice(0, equals)] = text.slice(equals + 1);
  }
  const profile = profileArgument(options.profile, params);
  if (options.think === undefined) return profile;
  const meanMs = requireAtMost('--think', requirePositive('--think', parseDuration('--think', options.think)), MAX_THINK_MEAN);
  return { ...profile, think: negativeExponential(meanMs, profile.think.mode) };
}

function probeFrom(options: LoadCommandOptions): { mode: 'http' | 'tcp'; path?: string; intervalMs: number } | undefined {
  if (options.probe === undefined) return undefined;
  // setInterval takes a delay over 2^31-1 ms as 1 ms: an absurd interval would flood the app.
  const intervalMs = requireAtMost('--probe-interval', requirePositive('--probe-interval', parseDuration('--probe-interval', options.probeInterval)), '1h');
  if (options.probe === 'tcp') return { mode: 'tcp', intervalMs };
  if (!options.probe.startsWith('/')) throw new InvalidInputError('--probe', `give a path starting with / (e.g. /healthz) or "tcp" (got "${options.probe}")`);
  return { mode: 'http', path: options.probe, intervalMs };
}

/** As the resources: spec.workload.users is at most 100,000, a stage at most 24h. */
const MAX_USERS = 100_000;
const MAX_STAGE = '24h';

function wholeNumber(flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) throw new InvalidInputError(flag, `expected a whole number of 1 or more (got "${text}")`);
  if (Number(text) > max) throw new InvalidInputError(flag, `must be at most ${max} (got ${text.trim()})`);
  return Number(text);
}

const PHASE_NAMES: Record<LoadProgress['phase'], string> = { starting: 'starting', rampUp: 'ramp-up', steady: 'steady', rampDown: 'ramp-down' };

/** The progress bar on stderr: the run's time, its phase, the users and actions so far. */
class ProgressBar {
  readonly #bar = new cliProgress.SingleBar(
    {
      format: '{bar} {percentage}% | {phase} | {elapsed}/{duration} | users {users} | actions {completed} | errors {errors}{backlog}',
      hideCursor: true,
      stream: process.stderr,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  #started = false;

  update(progress: LoadProgress): void {
    const payload = {
      phase: PHASE_NAMES[progress.phase],
      elapsed: formatDuration(progress.elapsedMs),
      duration: formatDuration(progress.totalMs),
      users: progress.activeUsers,
      completed: progress.completed,
      errors: progress.errors,
      backlog: progress.backlog > 0 ? ` | waiting ${progress.backlog}` : '',
    };
    const total = Math.max(1, Math.round(progress.totalMs / 1000));
    const value = Math.min(total, Math.round(progress.elapsedMs / 1000));
    if (!this.#started) {
      this.#bar.start(total, value, payload);
      this.#started = true;
    } else this.#bar.update(value, payload);
  }

  stop(): void {
    if (this.#started) this.#bar.stop();
  }
}

const ms = (value: number | null | undefined): string => (value === null || value === undefined ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1));

/** The tables a person reads: per action, then the SLA, the phases and the probe. */
export function describeLoad(report: LoadReport): string {
  const rows = Object.entries(report.actions).map(([action, summary]) => ({ action, ...summary }));
  const kinds = (errors: Partial<Record<string, number>>): string =>
    Object.entries(errors)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
  const actions = renderTable(rows, [
    { header: 'action', value: (row) => row.action },
    { header: 'count', value: (row) => row.count, align: 'right' },
    { header: 'errors', value: (row) => (row.errors === 0 ? '0' : `${row.errors} (${kinds(row.errorsByKind)})`), align: 'right' },
    { header: 'mean ms', value: (row) => ms(row.mean), align: 'right' },
    { header: 'p50 ms', value: (row) => ms(row.p50), align: 'right' },
    { header: 'p90 ms', value: (row) => ms(row.p90), align: 'right' },
    { header: 'p99 ms', value: (row) => ms(row.p99), align: 'right' },
    { header: 'max ms', value: (row) => ms(row.max), align: 'right' },
  ]);
  const sla = report.sla;
  const keys = sla.percentiles.map(String);
  const verdicts = renderTable(Object.entries(sla.actions), [
    { header: 'action', value: ([action]) => action },
    { header: 'threshold', value: ([, verdict]) => (verdict.thresholdMs === null ? '-' : formatDuration(verdict.thresholdMs)), align: 'right' },
    ...keys.flatMap((key) => [
      { header: `max p${key} ms`, value: ([, verdict]: [string, SlaResult['actions'][string]]) => ms(verdict.percentiles[key]?.maxMs), align: 'right' as const },
      {
        header: `p${key}`,
        value: ([action, verdict]: [string, SlaResult['actions'][string]]) => {
          const record = verdict.percentiles[key];
          if (verdict.thresholdMs !== null && report.noData.includes(action)) return 'NO DATA (none succeeded)';
          if (!record || record.met === null) return 'not judged';
          return record.met ? 'met' : `VIOLATED in ${record.violations} window(s)`;
        },
      },
    ]),
  ]);
  const judgedAny = Object.values(sla.actions).some((verdict) => verdict.thresholdMs !== null);
  const overall = !judgedAny
    ? 'no action has a threshold'
    : report.noData.length > 0
      ? `NOT MET: no data, no ${report.noData.join(', ')} action succeeded (see the errors)`
      : keys.map((key) => `p${key} ${sla.met[key] ? 'met' : 'VIOLATED'}`).join(', ');
  const failed = Object.values(report.actions).reduce((sum, summary) => sum + summary.errors, 0);
  const started = Object.values(report.actions).reduce((sum, summary) => sum + summary.count, 0);
  const lines = [
    `${report.profile} profile against ${report.url}: ${report.mode === 'open' ? `open loop at ${report.rate?.map((step) => step.perSecond).join(', ')}/s, up to` : 'closed loop,'} ${report.users} users`,
    `steady state ${report.steadyStart} .. ${report.steadyEnd}${report.stoppedEarly ? ' (stopped early)' : ''}`,
    '',
    actions,
    '',
    `SLA: ${sla.windows} window(s) of ${formatDuration(sla.window)} sliding by ${formatDuration(sla.step)}${report.slaWindowShortened ? ' (window shortened to the steady state)' : ''}: ${overall}`,
    verdicts,
    ...(report.unjudgedActions.length > 0 ? [unjudgedNote(report.unjudgedActions)] : []),
    // Percentiles are over the successful actions; failures count against the verdicts by their share.
    ...(failed > 0
      ? [`note: ${failed} of ${started} steady-state actions failed; the percentiles are those of the others, and a window where over 10% (1%) of an action failed breaks its p90 (p99)`]
      : []),
    '',
    `phases: ${Object.entries(report.phases)
      .map(([phase, counts]) => `${PHASE_NAMES[phase as keyof typeof PHASE_NAMES]} ${counts.actions} actions (${counts.errors} errors)`)
      .join(', ')}; only steady state counts`,
  ];
  if (report.probe) {
    const gap = report.probe.longestGap;
    lines.push(
      `probe (${report.probe.mode} ${report.probe.url} every ${formatDuration(report.probe.intervalMs)}): ${report.probe.answered}/${report.probe.sent} answered; ` +
        `longest gap in steady state ${formatDuration(gap.durationMs)}${report.probe.gaps.length > 0 ? `; ${report.probe.gaps.length} gap(s) over ${formatDuration(5 * report.probe.intervalMs)} in the run` : ''}`,
    );
  }
  if (report.requestLog) {
    const { path, written, dropped } = report.requestLog;
    lines.push(
      `request log ${path}: ${written} lines` +
        (dropped > 0 ? `; ${dropped} lines DROPPED, the disk being too slow (the results above count them; only the log lacks them)` : ''),
    );
  }
  const failures = Object.entries(report.failureSamples);
  if (failures.length > 0) {
    lines.push('', 'failures (samples):');
    for (const [action, samples] of failures) for (const sample of samples) lines.push(`  ${action}: ${sample}`);
  }
  return lines.join('\n');
}

/** Which actions have no verdict, and the two ways to give them one. */
function unjudgedNote(actions: readonly string[]): string {
  const example = actions[0] ?? 'Action';
  return `note: not judged (no threshold): ${actions.join(', ')}; give thresholds in --sla FILE (thresholds: {${example}: 2s}, or defaultThreshold: 2s) or with --default-threshold 2s`;
}
