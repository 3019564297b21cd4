// The controller's /metrics and reports behind authentication and authorization, as kubebuilder's
// secure metrics: over HTTPS (a self-signed certificate, none being mounted), a caller's bearer
// token checked by the real kube-apiserver with a TokenReview and a SubjectAccessReview. The
// controller runs under the chart's own service account and RBAC (so the chart must let it create
// those reviews); the callers are service accounts bound the way a cluster admin binds Prometheus:
// to the chart's migrascope-metrics-reader ClusterRole, or, for reports, to the experiment viewer
// role in the experiment's namespace.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Operator } from '../../src/controller/operator.ts';
import { DECISION_TTL_MS, KubeClient } from '../../src/controller/runtime/index.ts';
import { find, readManifests } from '../support/manifests.ts';
import { freePort, startProcess, temporaryDirectory, waitFor, type RunningProcess } from '../support/processes.ts';
import { applyShippedRbac, type ShippedRbac } from '../support/rbac.ts';
import { discoveredTarget, scrapeConfigOf, type ServiceMonitor } from '../support/service-monitor-scrape.ts';
import { startClusterHarness, type ClusterHarness } from './controller-cluster.ts';

vi.setConfig({ testTimeout: 120_000 });

const OPERATOR_NAMESPACE = 'migrascope-system';
// The certificate is self-signed: the scraper skips verification, as the chart's ServiceMonitor does.
const insecure = new Agent({ connect: { rejectUnauthorized: false } });

let harness: ClusterHarness;
let rbac: ShippedRbac;
let operator: Operator;
let base: string;
const tokens: Record<'reader' | 'nobody' | 'viewer', string> = { reader: '', nobody: '', viewer: '' };

async function get(path: string, token?: string): Promise<{ status: number; body: string }> {
  const response = await request(`${base}${path}`, { dispatcher: insecure, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.statusCode, body: await response.body.text() };
}

beforeAll(async () => {
  harness = await startClusterHarness();
  rbac = await applyShippedRbac(harness.plane, OPERATOR_NAMESPACE, { secretNamespaces: [harness.namespace] });
  const admin = KubeClient.for(harness.admin);
  const callers = `callers-${harness.namespace}`;
  await admin.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: callers } });
  const reader = rbac.objects.find((object) => object.kind === 'ClusterRole' && object.metadata.name === 'migrascope-metrics-reader');
  expect(reader, 'the chart ships the migrascope-metrics-reader ClusterRole').toBeDefined();
  await admin.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${callers}-prometheus` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'migrascope-metrics-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: callers }],
  });
  await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${harness.namespace}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'experiment-viewer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'migrascope-migrationexperiment-viewer' },
    subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: callers }],
  });
  tokens.reader = await harness.plane.serviceAccountToken(callers, 'prometheus');
  tokens.nobody = await harness.plane.serviceAccountToken(callers, 'nobody');
  tokens.viewer = await harness.plane.serviceAccountToken(callers, 'viewer');
  operator = await harness.startController({ kubeConfig: rbac.controller.kubeConfig, metricsPort: 0, secureMetrics: {} });
  base = operator.metricsUrl ?? '';
});
afterAll(async () => {
  await insecure.close();
  await harness?.close();
});

describe('Given the controller started with secure metrics, under the shipped RBAC', () => {
  it('then it serves HTTPS, and plain HTTP on the port gets no metrics', async () => {
    expect(base).toMatch(/^https:\/\//);
    const plain = await fetch(base.replace(/^https:/, 'http:') + '/metrics').then(
      (response) => response.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  it('when a token bound to migrascope-metrics-reader scrapes /metrics, then it gets the metrics (200)', async () => {
    const answer = await get('/metrics', tokens.reader);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('controller_runtime_reconcile_total');
  });

  it('when a valid token of an account without the role scrapes /metrics, then 403 names the user and what was refused', async () => {
    const answer = await get('/metrics', tokens.nobody);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(`user "system:serviceaccount:callers-${harness.namespace}:nobody" may not get /metrics`);
    expect(answer.body).not.toContain('controller_runtime');
  });

  it('when /metrics is asked without a token or with one the API server does not know, then 401 says to send a bearer token', async () => {
    const none = await get('/metrics');
    expect(none.status).toBe(401);
    expect(none.body).toContain('send a bearer token');
    const forged = await get('/metrics', 'not-a-token-the-apiserver-issued');
    expect(forged.status).toBe(401);
    expect(forged.body).toContain('the token is not valid');
  });

  it("when reports are asked for, then the experiment's viewers in its namespace pass (404 for one not there), the metrics reader and others get 403, no token 401", async () => {
    const path = `/reports/${harness.namespace}/not-run`;
    const viewer = await get(path, tokens.viewer);
    expect(viewer.status).toBe(404);
    expect(viewer.body).toContain(`no MigrationExperiment or MigrationCampaign "not-run" in namespace "${harness.namespace}"`);
    const reader = await get(path, tokens.reader);
    expect(reader.status).toBe(403);
    expect(reader.body).toContain(`may not get migrationexperiments "not-run" in namespace "${harness.namespace}"`);
    expect((await get(path, tokens.nobody)).status).toBe(403);
    expect((await get(`/reports/elsewhere/not-run`, tokens.viewer)).status).toBe(403);
    expect((await get(path)).status).toBe(401);
  });

  it('then the kubelet probes stay open: /healthz answers without a token', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe('Given a real Prometheus scraping the controller with the shipped ServiceMonitor (HTTPS, its bearer token file, insecureSkipVerify)', () => {
  let prometheus: RunningProcess | undefined;
  let url: string;

  async function up(): Promise<Record<string, string>> {
    const body = (await (await fetch(`${url}/api/v1/query?query=up`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    return Object.fromEntries(body.data.result.map((sample) => [sample.metric.pod ?? '', sample.value[1]]));
  }

  beforeAll(async () => {
    const shipped = find(readManifests('deploy/monitoring/service_monitor.yaml'), 'ServiceMonitor', 'migrascope') as unknown as ServiceMonitor;
    const service = find(readManifests('deploy/manager/metrics_service.yaml'), 'Service', 'migrascope-controller-metrics');
    const [endpoint] = shipped.spec.endpoints;
    expect(endpoint).toMatchObject({ scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', tlsConfig: { insecureSkipVerify: true } });
    const dir = await temporaryDirectory('prometheus-secure-metrics');
    const port = new URL(base).port;
    // Two Prometheus service accounts: the token file is the pod's; one is bound to the reader role, one is not.
    const jobs = [];
    for (const [pod, token] of [['scraped-as-reader', tokens.reader], ['scraped-as-nobody', tokens.nobody]] as const) {
      await writeFile(join(dir, `${pod}.token`), token);
      await writeFile(join(dir, `${pod}.json`), JSON.stringify([discoveredTarget({ address: `127.0.0.1:${port}`, namespace: OPERATOR_NAMESPACE, service: service.metadata.name, serviceLabels: service.metadata.labels ?? {}, port: 'metrics', pod, container: 'controller' })]));
      const monitor: ServiceMonitor = { ...shipped, spec: { ...shipped.spec, endpoints: [{ ...endpoint!, interval: '1s', bearerTokenFile: join(dir, `${pod}.token`) }] } };
      const job = scrapeConfigOf(monitor, 0, { file_sd_configs: [{ files: [join(dir, `${pod}.json`)] }] });
      job.job_name = `${String(job.job_name)}-${pod}`;
      jobs.push(job);
    }
    await writeFile(join(dir, 'prometheus.yml'), stringify({ global: { scrape_interval: '1s' }, scrape_configs: jobs }));
    const promPort = await freePort();
    url = `http://127.0.0.1:${promPort}`;
    prometheus = startProcess('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { cleanup: [dir] });
    await waitFor('Prometheus to scrape both targets', async () => Object.keys(await up().catch(() => ({}))).length === 2, 30_000, () => prometheus?.output() ?? '');
  });
  afterAll(async () => prometheus?.stop());

  it('then the account bound to migrascope-metrics-reader scrapes the controller (up 1, its metrics stored), and the other is refused (up 0)', async () => {
    await waitFor('both verdicts', async () => {
      const seen = await up();
      return seen['scraped-as-reader'] === '1' && seen['scraped-as-nobody'] === '0';
    }, 30_000, () => prometheus?.output() ?? '');
    const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count(controller_runtime_reconcile_total{pod="scraped-as-reader"})')}`)).json()) as { data: { result: unknown[] } };
    expect(body.data.result.length).toBe(1);
  });
});

describe('Given the reader scraped /metrics a moment ago', () => {
  it('when its ClusterRoleBinding is deleted, then it is refused (403) within the 10 s the decisions are cached', async () => {
    expect((await get('/metrics', tokens.reader)).status).toBe(200);
    await KubeClient.for(harness.admin).request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/callers-${harness.namespace}-prometheus`);
    const revoked = Date.now();
    await harness.eventually('the revoked reader refused', async () => ((await get('/metrics', tokens.reader)).status === 403 ? true : undefined), 20_000);
    expect(Date.now() - revoked).toBeLessThan(DECISION_TTL_MS + 2_000);
  });
});
