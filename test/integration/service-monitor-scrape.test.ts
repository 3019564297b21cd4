// The shipped ServiceMonitor as kube-prometheus-stack runs it: the scrape configuration
// prometheus-operator generates from deploy/monitoring/service_monitor.yaml (relabelings
// included, test/support/service-monitor-scrape.ts) loaded into a real Prometheus, which scrapes
// a real /metrics (MigrascopeMetrics) exposing an experiment of namespace lab-a from an operator
// running in migrascope-system. With the shipped honorLabels the experiment keeps its namespace;
// the same ServiceMonitor without it shows the defect it fixes (namespace overwritten by the
// operator's, the experiment's renamed exported_namespace).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ALERT_GROUPS } from '../../src/metrics/alert-rules.ts';
import { MigrascopeMetrics, startMetricsServer, type MetricsServer } from '../../src/metrics/index.ts';
import { find, readManifests } from '../support/manifests.ts';
import { freePort, startProcess, temporaryDirectory, waitFor, type RunningProcess } from '../support/processes.ts';
import { discoveredTarget, scrapeConfigOf, type ServiceMonitor } from '../support/service-monitor-scrape.ts';

type Sample = { metric: Record<string, string>; value: [number, string] };

const OPERATOR_NAMESPACE = 'migrascope-system';
const shipped = find(readManifests('deploy/monitoring/service_monitor.yaml'), 'ServiceMonitor', 'migrascope') as unknown as ServiceMonitor;
const service = find(readManifests('deploy/manager/metrics_service.yaml'), 'Service', 'migrascope-controller-metrics');

/**
 * The shipped monitor, scraped every second so the test need not wait 30 s; honorLabels as shipped
 * unless given. Scraped plain: this test is about labels, and its /metrics asks no token (the
 * shipped HTTPS and bearer token are scraped by test/e2e/controller-metrics-auth.test.ts).
 */
function monitorWith(honorLabels: boolean | undefined): ServiceMonitor {
  const [shippedEndpoint] = shipped.spec.endpoints;
  if (!shippedEndpoint) throw new Error('the shipped ServiceMonitor has no endpoint');
  const { scheme: _scheme, bearerTokenFile: _token, tlsConfig: _tls, ...endpoint } = shippedEndpoint;
  return { ...shipped, spec: { ...shipped.spec, endpoints: [{ ...endpoint, interval: '1s', honorLabels: honorLabels ?? endpoint.honorLabels }] } };
}

describe('Given the shipped ServiceMonitor and a controller in migrascope-system exporting an experiment of lab-a', () => {
  const metrics = new MigrascopeMetrics();
  const servers: MetricsServer[] = [];
  let prometheus: RunningProcess | undefined;
  let url: string;

  async function query(expr: string): Promise<Sample[]> {
    const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: Sample[] } };
    return body.data.result;
  }

  beforeAll(async () => {
    expect(shipped.spec.endpoints[0]?.honorLabels).toBe(true);
    metrics.slaViolating.set({ namespace: 'lab-a', experiment: 'study', action: 'HomePage', percentile: '99' }, 1);
    metrics.migrations.inc({ namespace: 'lab-a', experiment: 'study', result: 'failed' });
    // Two pods of the same Service: one scraped as shipped, one as without honorLabels.
    servers.push(await startMetricsServer({ registry: metrics.registry, host: '127.0.0.1', port: 0 }));
    servers.push(await startMetricsServer({ registry: metrics.registry, host: '127.0.0.1', port: 0 }));
    const dir = await temporaryDirectory('prometheus-service-monitor');
    const target = (server: MetricsServer, pod: string) =>
      discoveredTarget({
        address: `127.0.0.1:${server.port}`,
        namespace: OPERATOR_NAMESPACE,
        service: service.metadata.name,
        serviceLabels: service.metadata.labels ?? {},
        port: 'metrics',
        pod,
        container: 'controller',
      });
    await writeFile(join(dir, 'honoured.json'), JSON.stringify([target(servers[0]!, 'controller-honoured')]));
    await writeFile(join(dir, 'overwritten.json'), JSON.stringify([target(servers[1]!, 'controller-overwritten')]));
    const honoured = scrapeConfigOf(monitorWith(undefined), 0, { file_sd_configs: [{ files: [join(dir, 'honoured.json')] }] });
    const overwritten = scrapeConfigOf(monitorWith(false), 0, { file_sd_configs: [{ files: [join(dir, 'overwritten.json')] }] });
    overwritten.job_name = `${String(overwritten.job_name)}-without-honor-labels`;
    await writeFile(join(dir, 'prometheus.yml'), stringify({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, scrape_configs: [honoured, overwritten] }));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    prometheus = startProcess('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      cleanup: [dir],
    });
    await waitFor('Prometheus to scrape both pods', async () => (await query('migrascope_sla_violating').catch(() => [])).length === 2, 30_000, () => prometheus?.output() ?? '');
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (const server of servers) await server.close();
  });

  it("then the series scraped as shipped keep the experiment's namespace, and the target's labels are the operator's", async () => {
    const [sample] = await query('migrascope_sla_violating{pod="controller-honoured"}');
    expect(sample?.metric).toMatchObject({ namespace: 'lab-a', experiment: 'study', job: 'migrascope-controller-metrics', service: 'migrascope-controller-metrics', endpoint: 'metrics' });
    expect(sample?.metric.exported_namespace).toBeUndefined();
    const [up] = await query('up{pod="controller-honoured"}');
    expect(up?.metric.namespace).toBe(OPERATOR_NAMESPACE);
  });

  it('then without honorLabels the operator would overwrite it: the defect the shipped value fixes', async () => {
    const [sample] = await query('migrascope_sla_violating{pod="controller-overwritten"}');
    expect(sample?.metric).toMatchObject({ namespace: OPERATOR_NAMESPACE, exported_namespace: 'lab-a' });
  });

  it("then the alerts' expressions name the experiment's namespace, and the controller-down alert sees the controller up", async () => {
    const rule = (name: string) => ALERT_GROUPS.flatMap((group) => group.rules).find((r) => r.alert === name)?.expr ?? '';
    const honoured = (expr: string) => expr.replaceAll('migrascope_sla_violating', 'migrascope_sla_violating{pod="controller-honoured"}');
    expect((await query(honoured(rule('MigrascopeSlaViolated')))).map((s) => s.metric.namespace)).toEqual(['lab-a']);
    const failing = (await query(rule('MigrascopeMigrationsFailing').replaceAll('result="failed"', 'result="failed",pod="controller-honoured"'))).map((s) => s.metric);
    expect(failing).toEqual([{ namespace: 'lab-a', experiment: 'study' }]);
    expect(await query(rule('MigrascopeControllerDown'))).toEqual([]);
  });
});
