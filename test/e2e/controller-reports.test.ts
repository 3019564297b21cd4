// The reports the controller serves on its HTTP port, against a real kube-apiserver, the testbed and
// Redis: an experiment that Succeeded links its report from status.reportPath, the page names it
// and its actions and draws its charts from the run's data in Redis; without that data the page is
// still served, without charts, and says so; a campaign's report lists its levels; unknown names
// are 404s that say what is missing; the pages are read-only.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OLIO_ACTIONS } from '../../src/api/v1alpha1/index.ts';
import type { Operator } from '../../src/controller/operator.ts';
import { join } from 'node:path';
import { RunKeys } from '../../src/queue/run-keys.ts';
import type { MigrationExperimentStatus } from '../../src/api/v1alpha1/index.ts';
import { readResults } from '../../src/results/results-store.ts';
import { parseCsv } from '../../src/results/testing/csv.ts';
import { migrascopeInProcess } from '../support/cli.ts';
import { at, experimentManifest, startClusterHarness, type ClusterHarness, type Json } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 240_000 });

let harness: ClusterHarness;
let operator: Operator;
let base: string;

beforeAll(async () => {
  harness = await startClusterHarness();
  operator = await harness.startController({ metricsPort: 0 });
  base = operator.metricsUrl ?? '';
});
afterAll(async () => harness?.close());

async function finished(kind: 'MigrationExperiment' | 'MigrationCampaign', name: string): Promise<Json> {
  return harness.eventually(`${kind} ${name} Succeeded`, async () => {
    const read = await harness.get(kind, name);
    const phase = at(read, 'status', 'phase');
    if (phase === 'Failed' || phase === 'Aborted') throw new Error(`${name} ended ${String(phase)}: ${JSON.stringify(at(read, 'status', 'conditions'))}`);
    return phase === 'Succeeded' ? read : undefined;
  }, 200_000);
}

describe('Given an experiment the controller ran to Succeeded', () => {
  let experiment: Json;

  beforeAll(async () => {
    await harness.create('MigrationExperiment', experimentManifest(harness, 'reported', { steady: '8s', migrations: { offsets: ['3s'], destination: { policy: 'roundRobin' }, timeout: '1m' } }));
    experiment = await finished('MigrationExperiment', 'reported');
  });

  it('when its status.reportPath is fetched from the controller, then it is the HTML report naming the experiment and its actions, with charts', async () => {
    const path = at(experiment, 'status', 'reportPath');
    expect(path).toBe(`/reports/${harness.namespace}/reported`);
    const response = await fetch(`${base}${String(path)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain(`${harness.namespace}/reported`);
    const actions = ((at(experiment, 'status', 'runs', 0, 'actions') as { action: string }[] | undefined) ?? []).map((a) => a.action);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(page).toContain(action);
    expect(page).toContain('<svg');
    expect(page).not.toContain('Charts unavailable');
  });

  it('when its per-second data is gone from Redis, then the report is still served, without charts, and says why', async () => {
    const client = new Redis(harness.redis.url);
    try {
      const keys = new RunKeys(harness.prefix, { uid: at(experiment, 'metadata', 'uid') as string, namespace: harness.namespace, name: 'reported' }, 1);
      await client.del(keys.seconds);
    } finally {
      client.disconnect();
    }
    const response = await fetch(`${base}/reports/${harness.namespace}/reported`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Charts unavailable');
    expect(page).toContain('run 1: its per-second data is no longer in Redis');
    expect(page).toContain('No per-second data was recorded for this run.');
    expect(page).toContain(`${harness.namespace}/reported`);
  });

  it('when an unknown name or namespace is asked for, then the answer is a 404 naming what is missing', async () => {
    const unknown = await fetch(`${base}/reports/${harness.namespace}/no-such-experiment`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain(`no MigrationExperiment or MigrationCampaign "no-such-experiment" in namespace "${harness.namespace}"`);
    const elsewhere = await fetch(`${base}/reports/elsewhere/reported`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toContain('in namespace "elsewhere"');
    const malformed = await fetch(`${base}/reports/${harness.namespace}`);
    expect(malformed.status).toBe(404);
    expect(await malformed.text()).toContain('reports are at /reports/<namespace>/<name>');
  });

  it('when something other than GET or HEAD is sent, then it is refused: the reports are read-only', async () => {
    const response = await fetch(`${base}/reports/${harness.namespace}/reported`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('Given a one-level campaign the controller ran to Succeeded', () => {
  let campaign: Json;

  beforeAll(async () => {
    const { spec } = experimentManifest(harness, 'template', { steady: '6s', migrations: { offsets: ['2s'], destination: { policy: 'roundRobin' }, timeout: '1m' } }) as { spec: Json };
    const { workload, ...template } = spec;
    const { users: _users, ...withoutUsers } = workload as Json;
    const thresholds = Object.fromEntries(OLIO_ACTIONS.map((action) => [action, '60s']));
    await harness.create('MigrationCampaign', {
      metadata: { name: 'swept' },
      spec: { mode: 'safeLoad', template: { spec: { ...template, workload: withoutUsers, sla: { ...(template.sla as Json), thresholds } } }, sweep: { users: { from: 10, to: 10, step: 10 } } },
    });
    campaign = await finished('MigrationCampaign', 'swept');
  });

  it('when its results are exported from the controller, then the rows are those of its level experiment', async () => {
    const exported = await migrascopeInProcess('results', 'export', `${base}${String(at(campaign, 'status', 'reportPath'))}`, '--format', 'csv');
    expect(exported.code).toBe(0);
    const level = String(at(campaign, 'status', 'levels', 0, 'experiment'));
    const rows = parseCsv(exported.stdout);
    expect(new Set(rows.map((r) => r.experiment))).toEqual(new Set([level]));
    expect(rows.filter((r) => r.record === 'migration').map((r) => r.state)).toEqual(['Succeeded']);
  });

  it('when its status.reportPath is fetched, then it is the campaign report with its level and the level experiment in full', async () => {
    const path = String(at(campaign, 'status', 'reportPath'));
    expect(path).toBe(`/reports/${harness.namespace}/swept?kind=campaign`);
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    const level = String(at(campaign, 'status', 'levels', 0, 'experiment'));
    expect(page).toContain('swept');
    expect(page).toContain(level);
    expect(page).toContain('<svg');
  });

  it('when the campaign is deleted, then its report is rebuilt from the results file the controller kept at its finish, its level in full', async () => {
    const file = join(harness.redis.dataDir, 'results', harness.namespace, 'swept.campaign.results.json.gz');
    const kept = await harness.eventually('the campaign results file', async () => readResults(file).catch(() => undefined), 30_000);
    const level = String(at(campaign, 'status', 'levels', 0, 'experiment'));
    expect(kept.kind === 'MigrationCampaign' && kept.campaign.metadata.uid).toBe(at(campaign, 'metadata', 'uid'));
    expect(kept.kind === 'MigrationCampaign' && kept.experiments.map((e) => e.experiment.metadata.name)).toEqual([level]);

    await harness.remove('MigrationCampaign', 'swept');
    // Once the controller's informer has seen the deletion, the page comes from the file.
    const page = await harness.eventually('the report rebuilt from the file', async () => {
      const response = await fetch(`${base}/reports/${harness.namespace}/swept?kind=campaign`);
      expect(response.status).toBe(200);
      const text = await response.text();
      return text.includes('The MigrationCampaign is gone; this report is rebuilt from its results file') ? text : undefined;
    }, 30_000);
    expect(page).toContain(level);
    expect(page).toContain('<svg');
  });
});

describe('Given an experiment with ttlSecondsAfterFinished: 1', () => {
  let uid: string;

  beforeAll(async () => {
    const created = await harness.create('MigrationExperiment', experimentManifest(harness, 'short-lived', { steady: '6s', migrations: null, spec: { ttlSecondsAfterFinished: 1 } }));
    uid = String(at(created, 'metadata', 'uid'));
    await harness.eventually('short-lived deleted by its TTL', async () => ((await harness.get('MigrationExperiment', 'short-lived')) === undefined ? true : undefined), 120_000);
  });

  it('when its TTL deleted it, then its results file is on the results volume with its per-second histograms and final status', async () => {
    const document = await readResults(join(harness.redis.dataDir, 'results', harness.namespace, 'short-lived.results.json.gz'));
    if (document.kind !== 'MigrationExperiment') throw new Error(`expected an experiment's results, got ${document.kind}`);
    expect(document.experiment.experiment.metadata.uid).toBe(uid);
    expect(document.experiment.experiment.status?.phase).toBe('Succeeded');
    expect(document.experiment.runs).toHaveLength(1);
    const counted = document.experiment.runs[0]!.seconds.reduce((sum, second) => sum + Object.values(second.actions).reduce((n, part) => n + part.ok, 0), 0);
    expect(counted).toBeGreaterThan(0);
  });

  it('when its report is fetched after it is gone, then it is rebuilt from the file, with charts, and its CSV matches the status it finished with', async () => {
    const response = await fetch(`${base}/reports/${harness.namespace}/short-lived`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('The MigrationExperiment is gone; this report is rebuilt from its results file');
    expect(page).toContain('<svg');
    const exported = await migrascopeInProcess('results', 'export', `${base}/reports/${harness.namespace}/short-lived`, '--format', 'csv');
    expect(exported.code).toBe(0);
    const document = await readResults(join(harness.redis.dataDir, 'results', harness.namespace, 'short-lived.results.json.gz'));
    const status = (document.kind === 'MigrationExperiment' ? document.experiment.experiment.status : undefined) as MigrationExperimentStatus;
    const rows = parseCsv(exported.stdout);
    for (const action of status.runs![0]!.actions!) {
      const p90 = action.percentiles.find((p) => p.percentile === 90)?.maxSeconds;
      const windows = rows.filter((r) => r.record === 'window' && r.action === action.action).map((r) => Number(r.p90_s));
      if (p90 !== undefined) expect(Math.max(...windows)).toBeCloseTo(p90, 9);
    }
  });
});
