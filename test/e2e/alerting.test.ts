// The whole alerting path, as kube-prometheus-stack runs it, on loopback: the operator on a real
// kube-apiserver runs a testbed experiment (one live migration) whose p99 SLA is broken on purpose;
// a real Prometheus (Debian's) scrapes the controller's and a worker's /metrics with the scrape
// configuration prometheus-operator generates from the shipped ServiceMonitor
// (test/support/service-monitor-scrape.ts), evaluates the shipped rules
// (deploy/prometheus/migrascope-rules.yaml) and sends alerts to a real Alertmanager (Debian's
// prometheus-alertmanager), which delivers them to a webhook receiver in this test. The SLA alert
// fires labelled and worded with the experiment's own namespace (not the operator's); after the
// run ends and the controller's series grace passes, the series are gone from Prometheus and the
// alert resolves, in Prometheus and at the webhook.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { clusterPoolResolver } from '../../src/controller/cluster-pool-credentials.ts';
import { startWorkers, type WorkerHost } from '../../src/engine/workers.ts';
import { MigrascopeMetrics, startMetricsServer, WorkerMetrics, type MetricsServer } from '../../src/metrics/index.ts';
import { find, readManifests, repoRoot } from '../support/manifests.ts';
import { freePort, startProcess, temporaryDirectory, waitFor, type RunningProcess } from '../support/processes.ts';
import { discoveredTarget, scrapeConfigOf, type ServiceMonitor } from '../support/service-monitor-scrape.ts';
import { at, experimentManifest, startClusterHarness, type ClusterHarness } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 150_000, hookTimeout: 180_000 });

const OPERATOR_NAMESPACE = 'migrascope-system';
const EXPERIMENT = 'breaks-p99';
/** The controller forgets a finished experiment's series after this (`--metrics-series-grace`; 60 s by default). */
const SERIES_GRACE_MS = 4_000;

type Sample = { metric: Record<string, string>; value: [number, string] };
interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface WebhookMessage {
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: WebhookAlert[];
}

const shipped = find(readManifests('deploy/monitoring/service_monitor.yaml'), 'ServiceMonitor', 'migrascope') as unknown as ServiceMonitor;
const services = readManifests('deploy/manager/metrics_service.yaml');

/**
 * The shipped monitor, scraped every second (instead of 30 s) so the test need not wait, and
 * plain: this test is about the alerts, and its controller and worker serve /metrics without a
 * token (as `migrascope controller` run by hand does). Scraping as shipped, over HTTPS with the
 * pod's bearer token, is test/e2e/controller-metrics-auth.test.ts's.
 */
function monitorEverySecond(): ServiceMonitor {
  const [shippedEndpoint] = shipped.spec.endpoints;
  if (!shippedEndpoint) throw new Error('the shipped ServiceMonitor has no endpoint');
  const { scheme: _scheme, bearerTokenFile: _token, tlsConfig: _tls, ...endpoint } = shippedEndpoint;
  return { ...shipped, spec: { ...shipped.spec, endpoints: [{ ...endpoint, interval: '1s', scrapeTimeout: '1s' }] } };
}

/**
 * The shipped rule file, with one change for the test's sake: MigrascopeSlaViolated's `for: 1m`
 * becomes 3 s (still several evaluations, so the alert is pending before it fires), or the test
 * would wait a minute per state. Everything else (expressions, labels, annotations) is as shipped.
 */
function rulesForTheTest(): string {
  const rules = parse(readFileSync(join(repoRoot, 'deploy/prometheus/migrascope-rules.yaml'), 'utf8')) as { groups: { rules: { alert: string; for?: string }[] }[] };
  const sla = rules.groups.flatMap((group) => group.rules).find((rule) => rule.alert === 'MigrascopeSlaViolated');
  if (sla?.for !== '1m') throw new Error(`MigrascopeSlaViolated's for: is ${String(sla?.for)}, not the 1m this test shortens`);
  sla.for = '3s';
  return stringify(rules);
}

describe('Given the operator, a worker, Prometheus scraping them as the shipped ServiceMonitor says, the shipped rules and an Alertmanager with a webhook', () => {
  let harness: ClusterHarness;
  let prometheusUrl: string;
  const opened: { prometheus?: RunningProcess; alertmanager?: RunningProcess; webhook?: Server; workerServer?: MetricsServer; workers?: WorkerHost; redis: Redis[]; workerMetrics?: WorkerMetrics } = {
    redis: [],
  };
  /** What the webhook received, in order, with when. */
  const received: { at: number; message: WebhookMessage }[] = [];
  let finishedAt = 0;

  async function query(expr: string): Promise<Sample[]> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? body.status}`);
    return body.data.result;
  }

  /** The SLA alerts of our experiment the webhook received with `status`. */
  function delivered(status: 'firing' | 'resolved'): { at: number; alert: WebhookAlert }[] {
    return received.flatMap(({ at: when, message }) =>
      message.alerts.filter((alert) => alert.status === status && alert.labels.alertname === 'MigrascopeSlaViolated' && alert.labels.experiment === EXPERIMENT).map((alert) => ({ at: when, alert })),
    );
  }

  const explain = () => `--- prometheus\n${opened.prometheus?.output().slice(-3000) ?? ''}\n--- alertmanager\n${opened.alertmanager?.output().slice(-3000) ?? ''}\n--- webhook\n${JSON.stringify(received).slice(-3000)}`;

  beforeAll(async () => {
    harness = await startClusterHarness();

    // The webhook receiver: Alertmanager POSTs its notifications here.
    const webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        try {
          received.push({ at: Date.now(), message: JSON.parse(body) as WebhookMessage });
        } catch {
          // not a notification: ignored
        }
        response.writeHead(200).end();
      });
    });
    opened.webhook = webhook;
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const webhookPort = (webhook.address() as { port: number }).port;

    // The controller: leader, engine and controller-runtime metrics, a short series grace.
    const operator = await harness.startController({ metricsPort: 0, metricsHost: '127.0.0.1', metrics: new MigrascopeMetrics({ seriesGraceMs: SERIES_GRACE_MS }) });
    const controllerPort = Number(new URL(operator.metricsUrl ?? '').port);

    // A worker as `migrascope worker --metrics-port` runs one: the harness's in-process workers
    // make way for workers exporting what they do on their own /metrics.
    await harness.stopWorkers();
    const workerRegistry = new MigrascopeMetrics();
    const workerMetrics = new WorkerMetrics(workerRegistry.registry);
    opened.workerMetrics = workerMetrics;
    const [connection, redis] = [new Redis(harness.redis.url, { maxRetriesPerRequest: null }), new Redis(harness.redis.url, { maxRetriesPerRequest: null })];
    opened.redis.push(connection, redis);
    opened.workers = startWorkers({ connection, redis, prefix: harness.prefix, resolvePool: clusterPoolResolver(harness.admin), log: harness.log, metrics: workerMetrics });
    opened.workerServer = await startMetricsServer({ registry: workerRegistry.registry, host: '127.0.0.1', port: 0 });

    // Alertmanager: one route grouping by experiment, notifications at once, resolved ones too.
    // One directory for both servers' files, removed when the last of them (Alertmanager) stops.
    const dir = await temporaryDirectory('alerting');
    const alertmanagerPort = await freePort();
    await writeFile(
      join(dir, 'alertmanager.yml'),
      stringify({
        route: { receiver: 'webhook', group_by: ['alertname', 'namespace', 'experiment'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
        receivers: [{ name: 'webhook', webhook_configs: [{ url: `http://127.0.0.1:${webhookPort}/alerts`, send_resolved: true }] }],
      }),
    );
    opened.alertmanager = startProcess(
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
        // No gossip with peers: nothing listens beyond loopback.
        '--cluster.listen-address=',
      ],
      { cleanup: [dir] },
    );
    await waitFor('Alertmanager to be ready', async () => (await fetch(`http://127.0.0.1:${alertmanagerPort}/-/ready`)).ok, 30_000, explain);

    // Prometheus: the controller and the worker as kubernetes_sd would discover them behind the
    // shipped Services in the operator's namespace, relabelled as prometheus-operator does.
    const target = (service: string, port: number, component: string) => {
      const labels = find(services, 'Service', service).metadata.labels ?? {};
      return discoveredTarget({ address: `127.0.0.1:${port}`, namespace: OPERATOR_NAMESPACE, service, serviceLabels: labels, port: 'metrics', pod: `${component}-0`, container: component });
    };
    await writeFile(
      join(dir, 'targets.json'),
      JSON.stringify([target('migrascope-controller-metrics', controllerPort, 'controller'), target('migrascope-worker-metrics', opened.workerServer.port, 'worker')]),
    );
    await writeFile(join(dir, 'rules.yaml'), rulesForTheTest());
    await writeFile(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'rules.yaml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
        scrape_configs: [scrapeConfigOf(monitorEverySecond(), 0, { file_sd_configs: [{ files: [join(dir, 'targets.json')], refresh_interval: '1s' }] })],
      }),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    opened.prometheus = startProcess('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // A resolved or changed alert goes to Alertmanager at once; this bounds the resends of firing ones.
      '--rules.alert.resend-delay=1s',
    ]);
    await waitFor('Prometheus to scrape the controller and the worker', async () => (await query('up == 1')).length === 2, 60_000, explain);

    // The experiment: judged on p99 only, HomePage's threshold 1 ms (every window breaks it, the
    // migration's downtime above all), so the alert holds until the run's series go.
    const manifest = experimentManifest(harness, EXPERIMENT, { steady: '15s' });
    const spec = manifest.spec as Record<string, unknown>;
    spec.sla = { ...(spec.sla as Record<string, unknown>), percentiles: [99], thresholds: { HomePage: '1ms' } };
    await harness.create('MigrationExperiment', manifest);
  });

  afterAll(async () => {
    await opened.prometheus?.stop();
    await opened.alertmanager?.stop();
    await new Promise((resolve) => (opened.webhook ? opened.webhook.close(resolve) : resolve(undefined)));
    await opened.workers?.close(true);
    for (const client of opened.redis) client.disconnect();
    await opened.workerServer?.close();
    opened.workerMetrics?.close();
    await harness?.close();
  });

  it("when the run breaks its p99 SLA, then MigrascopeSlaViolated fires in Prometheus with the experiment's namespace and name, and the controller and worker are up", async () => {
    const firing = await harness.eventually(
      'MigrascopeSlaViolated firing in Prometheus',
      async () => {
        const alerts = await query(`ALERTS{alertname="MigrascopeSlaViolated",alertstate="firing",experiment="${EXPERIMENT}"}`);
        return alerts.length > 0 ? alerts : undefined;
      },
      90_000,
    );
    expect(firing.map((sample) => sample.metric)).toEqual([
      expect.objectContaining({ namespace: harness.namespace, experiment: EXPERIMENT, action: 'HomePage', percentile: '99', severity: 'info' }),
    ]);
    expect(await query('ALERTS{alertname=~"MigrascopeControllerDown|MigrascopeWorkersDown"}')).toEqual([]);
    // The worker's own series reached Prometheus too, as the worker-metrics job.
    expect((await query('migrascope_worker_actions_total')).map((s) => s.metric.job)).toContain('migrascope-worker-metrics');
  });

  it('when Alertmanager delivers it, then the webhook gets it firing, labelled and worded with the namespace and experiment, with its runbook', async () => {
    await waitFor('the webhook to receive MigrascopeSlaViolated firing', async () => delivered('firing').length > 0, 60_000, explain);
    const [{ alert } = { alert: undefined }] = delivered('firing');
    expect(alert?.labels).toMatchObject({ alertname: 'MigrascopeSlaViolated', namespace: harness.namespace, experiment: EXPERIMENT, action: 'HomePage', percentile: '99', severity: 'info' });
    expect(alert?.labels.namespace).not.toBe(OPERATOR_NAMESPACE);
    expect(alert?.annotations.summary).toBe(`SLA broken: HomePage p99 in ${harness.namespace}/${EXPERIMENT}`);
    expect(alert?.annotations.description).toContain(`kubectl describe mexp -n ${harness.namespace} ${EXPERIMENT}`);
    expect(alert?.annotations.runbook_url).toMatch(/docs\/runbooks\.md#migrascopeslaviolated$/);
  });

  it('when the run has ended and the series grace passed, then its series are gone from Prometheus and the alert resolves there and at the webhook', async () => {
    await harness.eventually(
      `${EXPERIMENT} Succeeded`,
      async () => {
        const read = await harness.get('MigrationExperiment', EXPERIMENT);
        const phase = at(read, 'status', 'phase');
        if (phase === 'Failed' || phase === 'Aborted') throw new Error(`${EXPERIMENT} ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
        return phase === 'Succeeded' ? true : undefined;
      },
      120_000,
    );
    finishedAt = Date.now();
    expect(harness.migrations).toHaveLength(1);
    await waitFor('the experiment\'s series to go from Prometheus', async () => (await query(`{experiment="${EXPERIMENT}"}`)).length === 0, 60_000, explain);
    // Gone no sooner than the grace allows (so the last scrapes saw the final values).
    expect(Date.now() - finishedAt).toBeGreaterThanOrEqual(SERIES_GRACE_MS - 1_000);
    expect(await query(`ALERTS{alertname="MigrascopeSlaViolated",experiment="${EXPERIMENT}"}`)).toEqual([]);
    await waitFor('the webhook to receive MigrascopeSlaViolated resolved', async () => delivered('resolved').length > 0, 60_000, explain);
    const [resolved] = delivered('resolved');
    expect(resolved?.alert.labels).toMatchObject({ namespace: harness.namespace, experiment: EXPERIMENT });
    expect(resolved?.at).toBeGreaterThan(delivered('firing')[0]?.at ?? Infinity);
    // No firing notification after the resolution.
    expect(delivered('firing').filter((firing) => firing.at > (resolved?.at ?? 0))).toEqual([]);
  });
});
