// The dashboard as Grafana would draw it after a real run, without Grafana: a short testbed
// experiment with one migration runs through the engine harness; the engine's metrics, a worker's
// (what `migrascope worker` serves) and a controller's work queue (the controller runtime
// reconciling the experiment's key) are scraped every second by a real Prometheus (Debian's, as
// the ServiceMonitor implies: honor_labels, so `namespace` stays the experiment's); then every
// panel's queries go to Prometheus's query_range with the dashboard variables substituted as
// Grafana substitutes them. test/integration/dashboard-prometheus.test.ts asserts on the result;
// scripts/render-dashboard.ts draws it (docs/dashboard.png).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { Controller } from '../../src/controller/runtime/index.ts';
import { ExperimentRunner } from '../../src/engine/experiment-runner.ts';
import { createLogger } from '../../src/log/index.ts';
import { buildDashboard, ROWS, type PanelQuery, type PanelSpec } from '../../src/metrics/dashboard.ts';
import { MigrascopeMetrics, startMetricsServer, WorkerMetrics, type MetricsServer } from '../../src/metrics/index.ts';
import { shortExperiment, startEngineHarness, type EngineHarness } from './engine.ts';
import { freePort, startProcess, temporaryDirectory, waitFor, type RunningProcess } from './processes.ts';

export const NAMESPACE = 'test';
export const EXPERIMENT = 'dashboard';
const SCRAPE_S = 1;

/** One series of a query_range answer: its labels and its [unix seconds, value] points. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface QueryData {
  query: PanelQuery;
  /** The PromQL as sent, variables substituted. */
  expr: string;
  series: RangeSeries[];
}

export interface PanelData {
  row: string;
  panel: PanelSpec;
  queries: QueryData[];
}

export interface DashboardRun {
  status: MigrationExperimentStatus;
  /** The time range, unix seconds, and the step (Grafana's $__interval). */
  from: number;
  to: number;
  step: number;
  variables: Record<string, string>;
  panels: PanelData[];
  /** The dashboard's annotation queries, evaluated the same way. */
  annotations: QueryData[];
  close(): Promise<void>;
}

/**
 * Grafana's substitution: $__interval is the step; $__rate_interval is max($__interval + scrape
 * interval, 4 x scrape interval); $__range the range in seconds; a single-valued $namespace and
 * $experiment go in as they are (regex-escaped: these names have nothing to escape).
 */
export function grafanaVariables(fromS: number, toS: number, stepS: number, scrapeS: number, namespace: string, experiment: string): Record<string, string> {
  return {
    $__rate_interval: `${Math.max(stepS + scrapeS, 4 * scrapeS)}s`,
    $__interval: `${stepS}s`,
    $__range: `${Math.round(toS - fromS)}s`,
    $namespace: namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    $experiment: experiment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  };
}

export function substitute(expr: string, variables: Record<string, string>): string {
  let out = expr;
  // Longest names first: $__rate_interval before $__range.
  for (const name of Object.keys(variables).sort((a, b) => b.length - a.length)) out = out.replaceAll(name, variables[name] ?? '');
  return out;
}

export async function runDashboardExperiment(options: { steady?: string; users?: number } = {}): Promise<DashboardRun> {
  // A grace far longer than the queries take: the finished experiment's series stay to be read.
  const engineMetrics = new MigrascopeMetrics({ defaultMetrics: false, seriesGraceMs: 600_000 });
  const workerRegistry = new MigrascopeMetrics({ defaultMetrics: false });
  const workerMetrics = new WorkerMetrics(workerRegistry.registry);
  const opened: { harness?: EngineHarness; servers: MetricsServer[]; prometheus?: RunningProcess; stop?: AbortController } = { servers: [] };
  const close = async (): Promise<void> => {
    opened.stop?.abort();
    await opened.prometheus?.stop();
    await opened.harness?.close();
    for (const server of opened.servers) await server.close();
    workerMetrics.close();
  };
  try {
    const harness = await startEngineHarness({ workerMetrics });
    opened.harness = harness;
    harness.deps.metrics = engineMetrics;
    const engineServer = await startMetricsServer({ registry: engineMetrics.registry });
    const workerServer = await startMetricsServer({ registry: workerRegistry.registry });
    opened.servers.push(engineServer, workerServer);
    const prometheusUrl = await startPrometheus([engineServer.port, workerServer.port], opened);

    // The controller runtime reconciling the experiment's key while it runs: its work queue and
    // reconcile metrics are real (one failed reconcile first, as a conflict would give).
    const stop = new AbortController();
    opened.stop = stop;
    let calls = 0;
    const controller = new Controller({
      name: 'migrationexperiment',
      metrics: engineMetrics,
      log: createLogger({ level: 'silent', pretty: false }),
      reconciler: {
        reconcile: async () => {
          calls += 1;
          if (calls === 1) throw new Error('the object has been modified; please apply your changes to the latest version');
          return { requeueAfterMs: 1000 };
        },
      },
    });
    const controllerDone = controller.start(stop.signal);
    controller.enqueue({ namespace: NAMESPACE, name: EXPERIMENT });

    // With a baseline run first, so that the panels comparing with it have their series.
    const short = shortExperiment(harness, { name: EXPERIMENT, users: options.users ?? 10, steady: options.steady ?? '20s' });
    const experiment = { ...short, spec: { ...short.spec, baseline: { enabled: true } } };
    const from = Date.now() / 1000 - 5;
    const status = await new ExperimentRunner(experiment, { uid: 'exp-dashboard', namespace: NAMESPACE, name: EXPERIMENT }, harness.deps).run();
    if (status.phase !== 'Succeeded') throw new Error(`the dashboard's experiment ended ${status.phase}: ${JSON.stringify(status.conditions)}`);
    // The final values scraped (the last scrape after the run's end), and a few more seconds for the rate windows.
    await waitFor(
      'Prometheus to scrape the ended migration and the comparison with the baseline run',
      async () =>
        (await instant(prometheusUrl, `migrascope_migrations_total{experiment="${EXPERIMENT}",result="succeeded"} == 1`)).length === 1 &&
        (await instant(prometheusUrl, `migrascope_baseline_slowdown_ratio{experiment="${EXPERIMENT}"}`)).length > 0,
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    stop.abort();
    await controllerDone;

    const to = Date.now() / 1000;
    const step = 1;
    const variables = grafanaVariables(from, to, step, SCRAPE_S, NAMESPACE, EXPERIMENT);
    const ask = async (query: PanelQuery): Promise<QueryData> => {
      const expr = substitute(query.expr, variables);
      return { query, expr, series: await range(prometheusUrl, expr, from, to, step) };
    };
    const panels: PanelData[] = [];
    for (const row of ROWS) {
      for (const panel of row.panels) panels.push({ row: row.title, panel, queries: await Promise.all(panel.queries.map(ask)) });
    }
    const annotationExprs = (buildDashboard().annotations?.list ?? []).map((annotation) => (annotation as { expr?: string }).expr).filter((expr): expr is string => typeof expr === 'string');
    const annotations = await Promise.all(annotationExprs.map((expr) => ask({ expr, legend: '' })));
    return { status, from, to, step, variables, panels, annotations, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function startPrometheus(ports: number[], opened: { prometheus?: RunningProcess }): Promise<string> {
  const dir = await temporaryDirectory('prometheus-dashboard');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      `global: { scrape_interval: ${SCRAPE_S}s, evaluation_interval: ${SCRAPE_S}s }`,
      'scrape_configs:',
      ...ports.flatMap((target, i) => [`  - job_name: migrascope-${i}`, '    honor_labels: true', `    static_configs: [{ targets: ['127.0.0.1:${target}'] }]`]),
    ].join('\n'),
  );
  const prometheus = startProcess('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { cleanup: [dir] });
  opened.prometheus = prometheus;
  await waitFor('Prometheus to scrape every target', async () => (await instant(url, 'up == 1').catch(() => [])).length === ports.length, 60_000, () => prometheus.output());
  return url;
}

async function instant(url: string, expr: string): Promise<unknown[]> {
  const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data?: { result: unknown[] } };
  return body.data?.result ?? [];
}

async function range(url: string, expr: string, from: number, to: number, step: number): Promise<RangeSeries[]> {
  const params = new URLSearchParams({ query: expr, start: String(from), end: String(to), step: String(step) });
  const body = (await (await fetch(`${url}/api/v1/query_range?${params}`)).json()) as { status: string; error?: string; data?: { result: RangeSeries[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error ?? body.status}`);
  return body.data?.result ?? [];
}
