// deploy/default built by the real kubectl (kustomize v5) and the plain deploy/install.yaml: the
// CRDs are those of crds/, the monitoring objects carry deploy/prometheus and deploy/grafana, the
// Secrets stay in the operator's namespace, and the plain manifests are the kustomize build
// without the Prometheus operator's kinds. deploy-apiserver.test.ts sends both to a kube-apiserver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KUBE_PROMETHEUS_STACK_RELEASE } from '../../scripts/sync-chart.ts';
import { buildKustomizationText, find, ofKind, parseManifests, readManifests, repoRoot, type KubeObject } from '../support/manifests.ts';

const NAMESPACE = 'migrascope-system';
const key = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const CLUSTER_KINDS = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);

describe('Given deploy/default', () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = parseManifests(await buildKustomizationText('deploy/default'));
  });

  describe('When kubectl kustomize builds it', () => {
    it('Then it holds the namespace, the CRDs, the operator, Redis and the monitoring objects, each once', () => {
      const kinds = new Map<string, number>();
      for (const object of objects) kinds.set(object.kind, (kinds.get(object.kind) ?? 0) + 1);
      expect(Object.fromEntries(kinds)).toEqual({
        Namespace: 1,
        CustomResourceDefinition: 5,
        ServiceAccount: 2,
        Role: 3,
        ClusterRole: 18,
        RoleBinding: 3,
        ClusterRoleBinding: 2,
        ConfigMap: 1,
        Service: 3,
        Deployment: 3,
        NetworkPolicy: 1,
        PrometheusRule: 1,
        ServiceMonitor: 1,
      });
      expect(new Set(objects.map(key)).size).toBe(objects.length);
    });

    it('Then every namespaced object is in migrascope-system, which enforces the restricted Pod Security Standard', () => {
      for (const object of objects.filter((o) => !CLUSTER_KINDS.has(o.kind))) expect(object.metadata.namespace, key(object)).toBe(NAMESPACE);
      expect(find(objects, 'Namespace', NAMESPACE).metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    });

    it('Then the CRDs are those of crds/', () => {
      for (const name of ['xenpools', 'migrationexperiments', 'migrationcampaigns', 'migrationschedules']) {
        const [crd] = readManifests(`crds/migrascope.io_${name}.yaml`);
        expect(find(objects, 'CustomResourceDefinition', `${name}.migrascope.io`)).toEqual(crd);
      }
    });

    it('Then the PrometheusRule and the dashboard carry deploy/prometheus and deploy/grafana as they are', () => {
      const ruleFile = parse(readFileSync(join(repoRoot, 'deploy/prometheus/migrascope-rules.yaml'), 'utf8')) as { groups: unknown[] };
      expect((find(objects, 'PrometheusRule', 'migrascope', NAMESPACE).spec as { groups: unknown[] }).groups).toEqual(ruleFile.groups);
      const dashboard = find(objects, 'ConfigMap', 'migrascope-dashboard', NAMESPACE);
      expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
      const json = (dashboard.data as Record<string, string>)['migrascope.json'] ?? '';
      expect(JSON.parse(json)).toEqual(JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/dashboards/migrascope.json'), 'utf8')));
    });

    it("Then the ServiceMonitor and the PrometheusRule carry the release label kube-prometheus-stack selects by default, and the ServiceMonitor honours the experiments' labels", () => {
      for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
        expect(ofKind(objects, kind)[0]?.metadata.labels?.release, kind).toBe(KUBE_PROMETHEUS_STACK_RELEASE);
      }
      const endpoints = (ofKind(objects, 'ServiceMonitor')[0]?.spec as { endpoints: { honorLabels?: boolean }[] }).endpoints;
      expect(endpoints.map((endpoint) => endpoint.honorLabels)).toEqual([true]);
    });

    it("Then Secrets are readable only in the operator's namespace, and by no ClusterRole", () => {
      const secretGrants = objects
        .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
        .filter((o) => (o.rules as { resources?: string[] }[]).some((rule) => rule.resources?.includes('secrets')))
        .map(key);
      expect(secretGrants).toEqual([`Role ${NAMESPACE}/migrascope-controller-secrets`, `Role ${NAMESPACE}/migrascope-worker`]);
    });

    it("Then none of Helm's bookkeeping labels is left on what kubectl applies", () => {
      for (const object of objects) {
        expect(object.metadata.labels?.['app.kubernetes.io/managed-by'], key(object)).not.toBe('Helm');
        expect(object.metadata.labels?.['helm.sh/chart'], key(object)).toBeUndefined();
      }
    });
  });

  describe('When compared with the plain deploy/install.yaml', () => {
    it("Then the plain manifests are the same objects, without the Prometheus operator's and the dashboard", () => {
      const plain = readManifests('deploy/install.yaml');
      const monitoring = new Set(['PrometheusRule', 'ServiceMonitor', 'ConfigMap']);
      const expected = objects.filter((o) => !monitoring.has(o.kind));
      expect(plain.map(key).sort()).toEqual(expected.map(key).sort());
      for (const object of plain) expect(object, key(object)).toEqual(expected.find((o) => key(o) === key(object)));
      expect(ofKind(plain, 'Namespace').length).toBe(1);
      expect(plain[0]?.kind, 'the namespace comes first').toBe('Namespace');
    });
  });
});
