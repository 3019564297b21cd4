// One load run, start to finish: a keep-alive connection pool sized to the users, the closed- or
// open-loop driver over the aligned timeline, every outcome recorded per action and per second,
// complete seconds handed on as they close (for the SLA windows, progress, and workers that ship
// them elsewhere), the optional request log and downtime probe, and a summary of steady state.
import { InvalidInputError } from '../invalid/index.ts';
import { logger, redactUrlPassword } from '../log/index.ts';
import { newWideHistogram, Recorder, RequestLogWriter, summarize, type ActionSecond, type ActionSummary, type ErrorKind, type SecondSnapshot, userKeyed } from '../recording/index.ts';
import { Random, type Profile } from '../workloads/index.ts';
import { ActionRunner, type RequestTrace } from './action-runner.ts';
import { ArrivalSchedule, type RateStep } from './arrival-schedule.ts';
import { now, sleepUntil } from './clock.ts';
import { ClosedLoop } from './closed-loop.ts';
import { connectionBudget, openFileLimit } from './connection-budget.ts';
import type { ActionFailure } from './exchange.ts';
import { OpenLoop } from './open-loop.ts';
import { Http1Pool } from './http1-pool.ts';
import { DowntimeProbe, type Gap } from './probe.ts';
import { PHASES, Timeline, type Phase, type RunPlan } from './timeline.ts';

export interface LoadOptions {
  /**
   * When ramp-up starts (epoch ms; default now): the workers of one run share it so their seconds
   * line up. A start in the past (a retried shard) joins the run where it is.
   */
  startAtMs?: number;
  /** The application's base URL; its path (if any) prefixes every request path. */
  url: string;
  profile: Profile;
  /** Closed loop: the users. Open loop: the most actions in flight at once. */
  users: number;
  /** The most connections to open; default one per user, capped by the open-file limit. */
  maxConnections?: number;
  plan: RunPlan;
  /** Open loop at these rates; closed loop without. */
  rate?: readonly RateStep[];
  /** Write every steady-state action to this JSON-lines file. */
  logPath?: string;
  /** Bytes of the log that may wait for a slow disk before lines are dropped (default 16 MiB). */
  logMaxBufferedBytes?: number;
  /** Probe the application's availability during the run. */
  probe?: { mode: 'http' | 'tcp'; path?: string; intervalMs?: number };
  seed?: number;
  /** Once the timeline is fixed, before the first user starts. */
  onStart?: (timeline: Timeline) => void;
  /** Each complete second, as it closes, with the phase it belongs to. */
  onSecond?: (snapshot: SecondSnapshot, phase: Phase) => void;
  /** About once a second. */
  onProgress?: (progress: LoadProgress) => void;
  /** Each request as it completes, every phase (a dry run's trace); leave out for a real run. */
  onRequest?: (trace: RequestTrace) => void;
  /** Ends the run early (in-flight actions finish within their timeout). */
  signal?: AbortSignal;
}

export interface LoadProgress {
  elapsedMs: number;
  totalMs: number;
  phase: Phase | 'starting';
  activeUsers: number;
  /** Actions started and not answered yet. */
  inFlight: number;
  /** Actions completed so far, all phases, and how many failed. */
  completed: number;
  errors: number;
  /** Open loop: arrivals waiting for a free user. */
  backlog: number;
}

export interface PhaseCounts {
  actions: number;
  errors: number;
}

export interface LoadResult {
  profile: string;
  url: string;
  mode: 'closed' | 'open';
  users: number;
  rate: readonly RateStep[] | undefined;
  /** ISO times; steady state is [steadyStart, steadyEnd). */
  start: string;
  steadyStart: string;
  steadyEnd: string;
  end: string;
  steadySeconds: { fromSecond: number; toSecond: number };
  /** Steady state only: every action started in it. */
  actions: Record<string, ActionSummary>;
  /** Every phase, for the record (only steady state counts). */
  phases: Record<Phase, PhaseCounts>;
  /** A few failure reasons per action, to tell a person what went wrong. */
  failureSamples: Record<string, string[]>;
  probe: ProbeReport | undefined;
  /** The request log, when one was kept: lines written, and lines dropped because the disk fell behind. */
  requestLog: { path: string; written: number; dropped: number } | undefined;
  stoppedEarly: boolean;
}

export interface ProbeReport {
  mode: 'http' | 'tcp';
  url: string;
  intervalMs: number;
  sent: number;
  answered: number;
  /** The longest stretch without an answer during steady state. */
  longestGap: Gap;
  /** Every stretch without an answer longer than 5 probe intervals, in the whole run. */
  gaps: Gap[];
}

const FAILURE_SAMPLES = 3;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const log = logger();
  const url = parseUrl(options.url);
  if (!(Number.isInteger(options.users) && options.users >= 1)) throw new InvalidInputError('--users', `must be a whole number of 1 or more (got ${options.users})`);
  const timeline = Timeline.aligned(options.startAtMs ?? now(), options.plan);
  const random = new Random(options.seed);
  const connections = options.maxConnections ?? connectionBudget(options.users, openFileLimit());
  if (connections < options.users) {
    log.info({ users: options.users, connections }, 'more users than this process may open connections: users share the pool (raise `ulimit -n` for one connection per user)');
  }
  // Idle connections close after 4 s unless the server announces longer (as a browser's do after
  // the server's keep-alive timeout): thinking users do not pin a socket each. The action
  // timeouts bound connecting and waiting (the population's sweep aborts what runs past them).
  const pool = new Http1Pool(url.origin, { connections });
  const runner = new ActionRunner(pool, options.profile, url.pathname, options.onRequest);
  const recorder = new Recorder();
  const requestLog = options.logPath === undefined ? undefined : new RequestLogWriter(options.logPath, { maxBufferedBytes: options.logMaxBufferedBytes });
  const phases = Object.fromEntries(PHASES.map((phase) => [phase, { actions: 0, errors: 0 }])) as Record<Phase, PhaseCounts>;
  const failureSamples: Record<string, string[]> = userKeyed();
  // Steady state summed per action as its seconds close: a long run does not keep every second
  // (a histogram a second per action) just to summarise them at the end. onSecond streams them.
  const steadyTotals: Record<string, ActionSecond> = userKeyed();
  let completed = 0;
  let errors = 0;

  const onOutcome = (outcome: Parameters<typeof recorder.record>[0], phase: Phase, failure: ActionFailure | undefined): void => {
    recorder.record(outcome);
    completed += 1;
    phases[phase].actions += 1;
    if (!outcome.ok) {
      errors += 1;
      phases[phase].errors += 1;
      const samples = (failureSamples[outcome.action] ??= []);
      const reason = `${outcome.errorKind}: ${failure?.message ?? 'failed'}`;
      if (samples.length < FAILURE_SAMPLES && !samples.includes(reason)) samples.push(reason);
    }
    if (phase === 'steady') writeToLog(outcome);
  };
  // A request log that cannot be written (no such directory, a full disk) ends the run: its
  // close() below then rejects with the path and the reason. Thrown from onOutcome, the error
  // would escape the driver's promise chain and leave that user unfinished, so the run would
  // never end (or the process would die of an unhandled rejection).
  let logFailed = false;
  const writeToLog = (outcome: Parameters<RequestLogWriter['write']>[0]): void => {
    if (requestLog === undefined || logFailed) return;
    try {
      requestLog.write(outcome);
    } catch {
      logFailed = true;
      driver.stop();
    }
  };
  const onError = (error: unknown): void => log.error({ err: error }, 'load driver failure (a bug: please report it)');

  const driver = options.rate
    ? new OpenLoop({ profile: options.profile, runner, users: options.users, timeline, schedule: new ArrivalSchedule(timeline, options.rate), random, onOutcome, onError })
    : new ClosedLoop({ profile: options.profile, runner, users: options.users, timeline, random, onOutcome, onError });

  const probeUrl = options.probe ? new URL(options.probe.path ?? '/', url).href : '';
  const probe = options.probe ? new DowntimeProbe({ mode: options.probe.mode, url: probeUrl, intervalMs: options.probe.intervalMs }) : undefined;
  const hand = (snapshots: SecondSnapshot[]): void => {
    for (const snapshot of snapshots) {
      const phase = timeline.phaseAt(snapshot.second * 1000);
      if (phase === 'steady') addInto(steadyTotals, snapshot);
      options.onSecond?.(snapshot, phase);
    }
  };
  const progress = (): void => {
    const at = now();
    options.onProgress?.({
      elapsedMs: Math.max(0, at - timeline.start),
      totalMs: timeline.durationMs,
      phase: at < timeline.start ? 'starting' : timeline.phaseAt(at),
      activeUsers: driver.activeUsers,
      inFlight: driver.population.inFlight,
      completed,
      errors,
      backlog: driver instanceof OpenLoop ? driver.backlog : 0,
    });
  };
  // A second is complete when it is over and no action that started in it is still pending.
  const tick = setInterval(() => {
    hand(recorder.drain(Math.floor(Math.min(now(), driver.oldestPending()) / 1000)));
    progress();
  }, 1000);
  let stoppedEarly = false;
  const abort = (): void => {
    stoppedEarly = true;
    driver.stop();
  };
  options.signal?.addEventListener('abort', abort, { once: true });

  log.debug({ profile: options.profile.name, url: redactUrlPassword(url.href), users: options.users, start: new Date(timeline.start).toISOString() }, 'load run starting');
  try {
    options.onStart?.(timeline);
    probe?.start();
    progress();
    await sleepUntil(timeline.start);
    if (!options.signal?.aborted) await driver.run();
  } finally {
    clearInterval(tick);
    options.signal?.removeEventListener('abort', abort);
    await probe?.stop();
    await pool.close();
    await requestLog?.close();
  }
  hand(recorder.drain(Number.POSITIVE_INFINITY));
  progress();

  const steadySeconds = timeline.steadySeconds;
  return {
    profile: options.profile.name,
    url: redactUrlPassword(url.href),
    mode: options.rate ? 'open' : 'closed',
    users: options.users,
    rate: options.rate,
    start: new Date(timeline.start).toISOString(),
    steadyStart: new Date(timeline.steadyStart).toISOString(),
    steadyEnd: new Date(timeline.steadyEnd).toISOString(),
    end: new Date(timeline.end).toISOString(),
    steadySeconds,
    actions: summarize([{ second: steadySeconds.fromSecond, actions: steadyTotals }]),
    phases,
    failureSamples,
    probe: probe && options.probe ? probeReport(probe, options.probe.mode, redactUrlPassword(probeUrl), timeline) : undefined,
    requestLog: requestLog && { path: requestLog.path, written: requestLog.written, dropped: requestLog.dropped },
    stoppedEarly,
  };
}

function addInto(totals: Record<string, ActionSecond>, snapshot: SecondSnapshot): void {
  for (const [action, part] of Object.entries(snapshot.actions)) {
    const total = (totals[action] ??= { histogram: newWideHistogram(), ok: 0, errors: {} });
    total.histogram.add(part.histogram);
    total.ok += part.ok;
    for (const [kind, count] of Object.entries(part.errors) as [ErrorKind, number][]) total.errors[kind] = (total.errors[kind] ?? 0) + count;
  }
}

function probeReport(probe: DowntimeProbe, mode: 'http' | 'tcp', url: string, timeline: Timeline): ProbeReport {
  return {
    mode,
    url,
    intervalMs: probe.intervalMs,
    sent: probe.sent,
    answered: probe.answered,
    longestGap: probe.longestGap(timeline.steadyStart, timeline.steadyEnd),
    gaps: probe.gaps(5 * probe.intervalMs),
  };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError('--url', `"${redactUrlPassword(text)}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInputError('--url', `"${redactUrlPassword(text)}" must be http:// or https://`);
  return url;
}
