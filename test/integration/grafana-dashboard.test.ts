// The Grafana dashboard and alert provisioning shipped in deploy/grafana: every PromQL expression
// they hold is sent to a real Prometheus, which must parse and evaluate it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, startProcess, temporaryDirectory, waitFor, type RunningProcess } from '../support/processes.ts';

const grafana = new URL('../../deploy/grafana/', import.meta.url).pathname;

/** Grafana's template variables, replaced by what Grafana itself would substitute. */
function substitute(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '1h')
    .replaceAll('$namespace', '.*')
    .replaceAll('$experiment', '.*');
}

function expressions(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => expressions(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'expr' && typeof value === 'string') found.push(value);
      else expressions(value, found);
    }
  }
  return found;
}

describe('given the shipped Grafana dashboard and alert rules', () => {
  let prometheus: RunningProcess;
  let url: string;

  beforeAll(async () => {
    const dir = await temporaryDirectory('prometheus-grafana');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await writeFile(join(dir, 'prometheus.yml'), 'global: { scrape_interval: 1m }\n');
    prometheus = startProcess(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { cleanup: [dir] },
    );
    await waitFor('Prometheus to be ready', async () => (await fetch(`${url}/-/ready`)).ok, 30_000, () => prometheus.output());
  });
  afterAll(async () => prometheus.stop());

  it('when Prometheus evaluates every dashboard and alert expression, then each one parses', async () => {
    const dashboard: unknown = JSON.parse(await readFile(join(grafana, 'dashboards/migrascope.json'), 'utf8'));
    const alerts: unknown = parse(await readFile(join(grafana, 'provisioning/alerting/migrascope-alerts.yaml'), 'utf8'));
    const all = [...expressions(dashboard), ...expressions(alerts)];
    expect(all.length).toBeGreaterThan(10);
    for (const expr of all) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(substitute(expr))}`);
      const body = (await response.json()) as { status: string; error?: string };
      expect({ expr, status: body.status, error: body.error }).toEqual({ expr, status: 'success', error: undefined });
    }
  });

  it('when a time series panel takes a rate or increase, then over $__rate_interval, never $__range (one number for the whole range at every point)', async () => {
    const dashboard = JSON.parse(await readFile(join(grafana, 'dashboards/migrascope.json'), 'utf8')) as { panels: { type: string; targets?: { expr?: string }[] }[] };
    const series = dashboard.panels.filter((panel) => panel.type === 'timeseries').flatMap((panel) => expressions(panel.targets));
    expect(series.filter((expr) => expr.includes('$__range'))).toEqual([]);
    expect(series.filter((expr) => /\b(rate|increase)\(/.test(expr)).length).toBeGreaterThan(5);
  });

  it('when the dashboard is read, then every panel has a unique id and a data source', async () => {
    const dashboard = JSON.parse(await readFile(join(grafana, 'dashboards/migrascope.json'), 'utf8')) as {
      panels: { id: number; type: string; datasource?: unknown }[];
    };
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.datasource).toBeDefined();
  });
});
