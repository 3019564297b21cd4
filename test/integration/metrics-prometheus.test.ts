// The metrics endpoint as Prometheus sees it: promtool lints the exposition, and a real
// Prometheus server scrapes it and answers queries over what it scraped.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrascopeMetrics, startMetricsServer, type MetricsServer } from '../../src/metrics/index.ts';
import { freePort, startProcess, temporaryDirectory, waitFor, type RunningProcess } from '../support/processes.ts';

const run = promisify(execFile);

describe('given the metrics endpoint with experiment and controller metrics', () => {
  const metrics = new MigrascopeMetrics();
  let server: MetricsServer;
  let prometheus: RunningProcess | undefined;

  beforeAll(async () => {
    metrics.slaThreshold.set({ namespace: 'default', experiment: 'study', action: 'HomePage' }, 1);
    metrics.windowResponseTime.set({ namespace: 'default', experiment: 'study', action: 'HomePage', percentile: '99' }, 1.7);
    metrics.slaViolating.set({ namespace: 'default', experiment: 'study', action: 'HomePage', percentile: '99' }, 1);
    metrics.migrationDuration.observe({ namespace: 'default', experiment: 'study' }, 44);
    metrics.reconcileTotal.inc({ controller: 'migrationexperiment', result: 'success' });
    metrics.setPhase('default', 'study', 'Migrating', ['SteadyState', 'Migrating']);
    server = await startMetricsServer({ registry: metrics.registry, readiness: async () => 'redis unreachable' });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await server.close();
  });

  it('when promtool lints the exposition, then it finds no problem in ours', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    // prom-client's own Node.js gauges (nodejs_active_handles_total...) break the lint's suffix
    // rule; they are the library's names, which dashboards know, so only ours are linted.
    const ours = text
      .split('\n')
      .filter((line) => !/^(# (HELP|TYPE) )?nodejs_/.test(line))
      .join('\n');
    const dir = await temporaryDirectory('promtool');
    const file = join(dir, 'metrics.txt');
    await writeFile(file, ours);
    const { stdout, stderr } = await run('sh', ['-c', `promtool check metrics < ${file}`]);
    expect(`${stdout}${stderr}`.trim()).toBe('');
    expect(text).toContain('migrascope_sla_window_response_time_seconds{namespace="default",experiment="study",action="HomePage",percentile="99"} 1.7');
    expect(text).toContain('controller_runtime_reconcile_total{controller="migrationexperiment",result="success"} 1');
  });

  it('when probed, then /healthz is ok and /readyz says why it is not ready', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain('redis unreachable');
  });

  it('when a real Prometheus scrapes it, then the SLA gauges can be queried', async () => {
    const dir = await temporaryDirectory('prometheus');
    const port = await freePort();
    const config = join(dir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: migrascope',
        `    static_configs: [{ targets: ['127.0.0.1:${server.port}'] }]`,
      ].join('\n'),
    );
    prometheus = startProcess(
      'prometheus',
      [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { cleanup: [dir] },
    );
    const query = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('migrascope_sla_violating{action="HomePage"} == 1')}`;
    let result: unknown[] = [];
    await waitFor(
      'Prometheus to scrape migrascope_sla_violating',
      async () => {
        const body = (await (await fetch(query)).json()) as { data: { result: unknown[] } };
        result = body.data.result;
        return result.length === 1;
      },
      30_000,
      () => prometheus?.output() ?? '',
    );
    expect(result).toHaveLength(1);
  });
});
