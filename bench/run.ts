// `npm run bench` (`make bench`): the performance figures of docs/performance.md, each printed
// with its peer measured in the same run, as ratios; all of them also go to .cache/bench.json.
//
//   node_modules/.bin/node bench/run.ts [--quick] [--boost] [--only throughput,memory,sla,accuracy,startup,controller]
//
// Loopback only, bounded in time (about 4 minutes, the controller section 80 s of it; --quick
// about 2), every server it starts is ended however it ends. This machine is shared: the load
// average is printed before and after, and the throughput figure is also given per second of the
// tool's own CPU time, which a busy neighbour does not bend as much. --boost (root) gives the servers and tools their cores at the
// expense of everything else running (children.ts says how).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureAccuracy, type AccuracyFigures } from './accuracy.ts';
import { measureControllerScale, type ControllerScaleFigures, type ControllerScaleSettings } from './controller-scale.ts';
import { boostPriority, runOk } from './children.ts';
import type { SlaFigures } from './sla-section.ts';
import { measureStartup, type StartupCase, type StartupFigures } from './startup.ts';
import { CLIENT_CORE, measureThroughput, type ThroughputFigures, type ToolFigures } from './throughput.ts';
import { measureUsersMemory, type UsersMemoryFigures } from './users-memory.ts';

const SECTIONS = ['sla', 'throughput', 'memory', 'accuracy', 'startup', 'controller'] as const;
type Section = (typeof SECTIONS)[number];

const TARGETS = {
  driverOverAutocannon: 1.5,
  driverOverWrk: 0.5,
  usersPerGib: 100_000,
  recordPerSecond: 5_000_000,
  /** `migrascope predict`, `analyze` (a small log) and `--help`: at most this long and this big. */
  startupMs: 250,
  startupMiB: 100,
};

interface Settings {
  throughput: { connections: number; seconds: number; warmup: number; rounds: number };
  memory: { users: number; thinkMs: number; rampMs: number; connections: number };
  sla: { samples: number; windowSamples: number[] };
  /** One accuracy run per user count: about half the driver's capacity against this server, and near all of it. */
  accuracy: { users: number[]; seconds: number; warmup: number; medianMs: number; sigma: number; seed: number };
  startup: { runs: number };
  controller: ControllerScaleSettings;
}

const FULL: Settings = {
  throughput: { connections: 50, seconds: 6, warmup: 1, rounds: 2 },
  memory: { users: 50_000, thinkMs: 60_000, rampMs: 10_000, connections: 1000 },
  sla: { samples: 10_000_000, windowSamples: [20, 1000, 10_000] },
  accuracy: { users: [100, 200], seconds: 8, warmup: 1, medianMs: 4, sigma: 0.5, seed: 42 },
  startup: { runs: 9 },
  controller: { objects: 1000, updates: 100, idleSeconds: 30 },
};

const QUICK: Settings = {
  throughput: { connections: 50, seconds: 3, warmup: 1, rounds: 1 },
  memory: { users: 20_000, thinkMs: 60_000, rampMs: 4000, connections: 1000 },
  sla: { samples: 2_000_000, windowSamples: [20, 1000] },
  accuracy: { users: [200], seconds: 3, warmup: 1, medianMs: 4, sigma: 0.5, seed: 42 },
  startup: { runs: 5 },
  controller: { objects: 1000, updates: 50, idleSeconds: 30 },
};

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const times = (ratio: number): string => `${ratio.toFixed(2)}x`;
const verdict = (value: number, target: number): string => {
  const shown = target >= 1000 ? int(target) : String(target);
  return value >= target ? `meets ≥ ${shown}` : `BELOW target ${shown}`;
};

async function sla(settings: Settings['sla']): Promise<SlaFigures> {
  say('\n## SLA engine (one core: its own process on core 1)');
  const script = join(import.meta.dirname, 'sla-section.ts');
  const stdout = await runOk('taskset', ['-c', String(CLIENT_CORE), process.execPath, script, String(settings.samples), settings.windowSamples.join(',')], 170_000);
  const figures = JSON.parse(stdout) as SlaFigures;
  const { recordPerSecond: recorder, peers } = figures;
  say(`Recorder.record:                       ${(recorder / 1e6).toFixed(1)} million samples/s (${verdict(recorder, TARGETS.recordPerSecond)})`);
  say(`  hdr-histogram-js recordValue (JS):   ${(peers.hdrJsRecordValuePerSecond / 1e6).toFixed(1)} million/s  -> Recorder is ${times(figures.ratios.overHdrJs)}`);
  say(`  hdr-histogram-js recordValue (wasm): ${(peers.hdrWasmRecordValuePerSecond / 1e6).toFixed(1)} million/s  -> Recorder is ${times(figures.ratios.overHdrWasm)}`);
  say(`  plain array push:                    ${(peers.arrayPushPerSecond / 1e6).toFixed(1)} million/s  -> Recorder is ${times(figures.ratios.overArrayPush)}`);
  say('One window step (5 min window sliding by 1 s, 7 actions, p90 + p99) vs recomputing the window:');
  for (const [n, step] of Object.entries(figures.windowStep)) {
    say(`  ${n.padStart(6)} samples/action-second: step ${(step.incrementalUs / 1000).toFixed(3)} ms, from scratch ${(step.fromScratchUs / 1000).toFixed(2)} ms (${times(step.ratio)} the step)`);
  }
  return figures;
}

async function throughput(settings: Settings['throughput']): Promise<ThroughputFigures | { skipped: string }> {
  say(`\n## Requests per second from one core (nginx on core 0, each tool on core 1, ${settings.connections} connections, ${settings.rounds} x ${settings.seconds} s, interleaved)`);
  const figures = await measureThroughput({ ...settings, log });
  if ('skipped' in figures) {
    say(`skipped: ${figures.skipped}`);
    return figures;
  }
  say(`${'tool'.padEnd(22)}${'req/s'.padStart(10)}${'core used'.padStart(11)}${'req/CPU-s'.padStart(11)}`);
  for (const [name, entry] of Object.entries(figures.tools)) {
    if ('skipped' in entry) {
      say(`${name.padEnd(22)}skipped: ${entry.skipped}`);
      continue;
    }
    const best = (entry as ToolFigures).best;
    const share = best.coreShare === undefined ? '?' : `${Math.round(best.coreShare * 100)}%`;
    say(`${name.padEnd(22)}${int(best.perSecond).padStart(10)}${share.padStart(11)}${(best.perCpuSecond ? int(best.perCpuSecond) : '?').padStart(11)}`);
  }
  const ratio = (name: string): number | undefined => figures.ratios[name];
  for (const [peer, target] of [
    ['autocannon', TARGETS.driverOverAutocannon],
    ['wrk', TARGETS.driverOverWrk],
    ['undici Pool.request', undefined],
  ] as const) {
    const wall = ratio(`driver / ${peer}`);
    const cpu = ratio(`driver / ${peer} (per CPU-second)`);
    if (wall === undefined) continue;
    const judged = target === undefined ? '' : ` (${verdict(wall, target)})`;
    say(`driver / ${peer}: ${times(wall)}${judged}${cpu === undefined ? '' : `; per CPU-second ${times(cpu)}`}`);
  }
  return figures;
}

async function memory(settings: Settings['memory']): Promise<UsersMemoryFigures | { skipped: string }> {
  say(`\n## Closed-loop users held per GiB (${int(settings.users)} users, ${settings.thinkMs / 1000} s think time, joined over ${settings.rampMs / 1000} s, nginx on core 0)`);
  const figures = await measureUsersMemory({ ...settings, log });
  if ('skipped' in figures) {
    say(`skipped: ${figures.skipped}`);
    return figures;
  }
  const { driver, naive } = figures;
  say(`migrascope driver: ${int(driver.heapPerUser)} B heap/user (${int(driver.usersPerGibHeap)} users/GiB), ${int(driver.rssPerUser)} B resident/user (${int(driver.usersPerGibRss)} users/GiB, ${verdict(driver.usersPerGibRss, TARGETS.usersPerGib)})`);
  say(`naive promise loop: ${int(naive.heapPerUser)} B heap/user (${int(naive.usersPerGibHeap)} users/GiB), ${int(naive.rssPerUser)} B resident/user (${int(naive.usersPerGibRss)} users/GiB)`);
  say(`naive / driver bytes per user: heap ${times(figures.ratios.heap)}, resident ${times(figures.ratios.rss)}`);
  return figures;
}

async function accuracy(settings: Settings['accuracy']): Promise<AccuracyFigures[]> {
  const runs: AccuracyFigures[] = [];
  for (const users of settings.users) runs.push(await accuracyAt(users, settings));
  return runs;
}

async function accuracyAt(users: number, settings: Settings['accuracy']): Promise<AccuracyFigures> {
  say(`\n## Accuracy at ${users} users (lognormal delays, median ${settings.medianMs} ms, sigma ${settings.sigma}, Node server on core 0; driver on core 1, closed loop without think time)`);
  const figures = await measureAccuracy({ ...settings, users, log });
  const { trip } = figures;
  say(`${int(figures.requestsPerSecond)} req/s; ${int(figures.driverRequests)} requests measured by the driver, ${int(figures.serverRequests)} by the server; mean ${figures.mean.driverMs?.toFixed(3)} ms vs truth ${figures.mean.truthMs.toFixed(3)} ms`);
  say(`trip alone (zero delay, ${trip.users} users, ${int(trip.requestsPerSecond)} req/s): mean ${trip.mean?.toFixed(3)} ms, p50 ${trip.p50} ms, p99 ${trip.p99} ms`);
  say(`${'pct'.padEnd(5)}${'driver'.padStart(9)}${'truth'.padStart(9)}${'raw error'.padStart(22)}${'truth+trip'.padStart(12)}${'error'.padStart(22)}`);
  const signed = (ms: number, share: number): string => `${ms >= 0 ? '+' : ''}${ms.toFixed(3)} ms (${ms >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%)`;
  for (const [percentile, check] of Object.entries(figures.percentiles)) {
    const raw = `${signed(check.rawErrorMs, check.rawErrorMs / check.truthMs)}${check.rawWithin ? '' : '!'}`;
    const corrected = `${signed(check.errorMs, check.errorShare)}${check.within ? '' : '!'}`;
    say(`p${percentile.padEnd(4)}${check.driverMs.toFixed(3).padStart(9)}${check.truthMs.toFixed(3).padStart(9)}${raw.padStart(22)}${check.expectedMs.toFixed(3).padStart(12)}${corrected.padStart(22)}`);
  }
  const all = Object.values(figures.percentiles);
  say(`within 1% or 1 ms of the truth: ${all.every((check) => check.rawWithin) ? 'yes' : 'NO (! marks)'}, trip included; ${all.every((check) => check.within) ? 'yes' : 'NO (! marks)'}, trip removed`);
  return figures;
}

async function startup(settings: Settings['startup']): Promise<StartupFigures | { skipped: string }> {
  say(`\n## Start-up: wall time, CPU time and peak resident memory through bin/migrascope, beside node -e 0 (median of ${settings.runs}, interleaved)`);
  const figures = await measureStartup({ ...settings, log });
  if ('skipped' in figures) {
    say(`skipped: ${figures.skipped}`);
    return figures;
  }
  const row = (entry: StartupCase, judged: boolean): string => {
    const within = entry.wallMs < TARGETS.startupMs && entry.peakMiB < TARGETS.startupMiB;
    const verdict = judged ? (within ? `  meets < ${TARGETS.startupMs} ms, < ${TARGETS.startupMiB} MiB` : `  OVER target ${TARGETS.startupMs} ms / ${TARGETS.startupMiB} MiB`) : '';
    return `${entry.name.padEnd(54)}${`${entry.wallMs.toFixed(0)} ms`.padStart(9)}${times(entry.overNode.wall).padStart(8)}${`${entry.cpuMs.toFixed(0)} ms`.padStart(9)}${times(entry.overNode.cpu).padStart(8)}${`${entry.peakMiB.toFixed(0)} MiB`.padStart(9)}${times(entry.overNode.peak).padStart(8)}${verdict}`;
  };
  for (const [cache, cases] of [['warm', figures.warm], ['cold', figures.cold]] as const) {
    say(`${cache === 'warm' ? 'compile cache warm (every run but the first after a change)' : 'compile cache empty (the first run after a change)'}:`);
    say(`${'command'.padEnd(54)}${'wall'.padStart(9)}${'/node'.padStart(8)}${'CPU'.padStart(9)}${'/node'.padStart(8)}${'peak'.padStart(9)}${'/node'.padStart(8)}`);
    cases.forEach((entry, i) => say(row(entry, i > 0)));
  }
  return figures;
}

async function controller(settings: Settings['controller']): Promise<ControllerScaleFigures> {
  say(`\n## Controller at scale: ${int(settings.objects)} MigrationExperiments (waiting for a missing XenPool) on a real kube-apiserver, \`migrascope controller\` as its own process`);
  const figures = await measureControllerScale(settings, log);
  const ms = (value: number | undefined): string => (value === undefined ? '-' : `${value.toFixed(value < 10 ? 1 : 0)} ms`);
  const latency = (name: string, entry: ControllerScaleFigures['burst'] | ControllerScaleFigures['paced']): string =>
    `${name.padEnd(52)} p50 ${ms(entry.latency.p50Ms).padStart(9)}  p99 ${ms(entry.latency.p99Ms).padStart(9)}  (queue wait p50/p99 ${ms(entry.queueP50Ms)}/${ms(entry.queueP99Ms)}, reconcile p50/p99 ${ms(entry.reconcileP50Ms)}/${ms(entry.reconcileP99Ms)})`;
  say(latency(`event to reconcile, burst (${int(figures.objects)} created, ${figures.burst.wallSeconds.toFixed(1)} s)`, figures.burst));
  say(latency(`event to reconcile, paced (${figures.paced.latency.count} updates, 10/s)`, figures.paced));
  const { before, after } = figures.memory;
  say(`controller memory: heap used ${before.heapUsedMiB.toFixed(1)} -> ${after.heapUsedMiB.toFixed(1)} MiB (${figures.memory.heapPerObjectKiB.toFixed(1)} KiB per object), RSS ${before.rssMiB.toFixed(1)} -> ${after.rssMiB.toFixed(1)} MiB (${figures.memory.rssPerObjectKiB.toFixed(1)} KiB per object)`);
  const table = (counts: Record<string, number>, digits = 0): string => Object.entries(counts).map(([key, count]) => `${key} ${count.toFixed(digits)}`).join(', ') || 'none';
  say(`API server requests from the controller, burst (${figures.reconciles.burst} reconciles): ${table(figures.requests.burst)}`);
  say(`API server requests from the controller, paced: ${table(figures.requests.paced)}`);
  say(`API server requests per second, quiet ${figures.idleSeconds} s with ${int(figures.objects)} held (${figures.reconciles.idle} reconciles): ${table(figures.requests.idlePerSecond, 2)}`);
  say(`watches the controller holds open: ${table(figures.watches)}`);
  return figures;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, boost: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } } });
  if (values.boost) boostPriority();
  const only = (values.only ?? []).flatMap((value) => value.split(','));
  for (const name of only) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only ${name}: unknown section (sections: ${SECTIONS.join(', ')})`);
  }
  const chosen = SECTIONS.filter((section) => only.length === 0 || only.includes(section));
  const settings = values.quick ? QUICK : FULL;
  const commit = await runOk('git', ['rev-parse', '--short', 'HEAD'], 5000, { cwd: import.meta.dirname }).catch(() => 'unknown');
  const started = Date.now();
  const loadBefore = loadavg();
  say(`# migrascope bench${values.quick ? ' (quick)' : ''}: ${new Date().toISOString()}, commit ${commit.trim()}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}`);
  say(`load average before: ${loadBefore.map((n) => n.toFixed(2)).join(' ')}${values.boost ? '; servers and tools boosted (own autogroup, nice -20)' : ''}`);
  if (!values.boost && (loadBefore[0] ?? 0) > cpus().length) say(`the machine is busy (load ${loadBefore[0]?.toFixed(1)} on ${cpus().length} cores): figures will be low and uneven; --boost (as root) gives the servers and tools their cores`);
  const results: Partial<Record<Section, object>> = {};
  const runners: Record<Section, () => Promise<object>> = {
    sla: () => sla(settings.sla),
    throughput: () => throughput(settings.throughput),
    memory: () => memory(settings.memory),
    accuracy: () => accuracy(settings.accuracy),
    startup: () => startup(settings.startup),
    controller: () => controller(settings.controller),
  };
  for (const section of chosen) results[section] = await runners[section]();
  const loadAfter = loadavg();
  const seconds = (Date.now() - started) / 1000;
  say(`\nload average after: ${loadAfter.map((n) => n.toFixed(2)).join(' ')}; ${seconds.toFixed(0)} s`);
  const output = join(import.meta.dirname, '..', '.cache', 'bench.json');
  mkdirSync(join(output, '..'), { recursive: true });
  const document = { date: new Date(started).toISOString(), commit: commit.trim(), node: process.version, cpus: cpus().length, quick: values.quick, boost: values.boost, seconds, loadAverage: { before: loadBefore, after: loadAfter }, settings, targets: TARGETS, results };
  writeFileSync(output, `${JSON.stringify(document, null, 2)}\n`);
  say(`figures written to ${output}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
