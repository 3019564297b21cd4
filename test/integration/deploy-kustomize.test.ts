// deploy/default built by the real kubectl (kustomize v5) and the plain deploy/install.yaml: the
// CRDs are those of crds/, the monitoring objects carry deploy/prometheus and deploy/grafana, the
// Secrets stay in the operator's namespace, and the plain manifests are the kustomize build
// without the Prometheus operator's kinds. deploy-apiserver.test.ts sends both to a kube-apiserver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KUBE_PROMETHEUS_STACK_RELEASE } from '../../scripts/sync-chart.ts';
import { buildKustomizationText, buildOverlayText, find, ofKind, parseManifests, readManifests, renderChart, repoRoot, type KubeObject } from '../support/manifests.ts';

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

// The overlay of docs/deploy.md "An external Redis with kustomize", held to the chart's rendering
// of the same choice: the controller and the workers are told the same things, from the same Secret.
describe('Given deploy/default with deploy/components/external-redis (and -ca), as docs/deploy.md overlays it', () => {
  const EXTERNAL = ['deploy/components/external-redis', 'deploy/components/external-redis-ca'];
  const SECRET = 'migrascope-redis';
  let objects: KubeObject[];
  let chart: KubeObject[];
  beforeAll(async () => {
    objects = parseManifests(await buildOverlayText({ resources: ['deploy/default'], components: EXTERNAL }));
    chart = await renderChart({
      namespace: NAMESPACE,
      values: {
        redis: {
          internal: { enabled: false },
          external: {
            existingSecret: SECRET,
            existingSecretKey: 'url',
            passwordSecret: SECRET,
            passwordSecretKey: 'password',
            sentinelPasswordSecret: SECRET,
            sentinelPasswordSecretKey: 'sentinel-password',
            caSecret: SECRET,
            caSecretKey: 'ca.crt',
          },
        },
      },
    });
  });

  it("Then the operator's own Redis is gone (its Deployment, Service and NetworkPolicy) and nothing else", async () => {
    const plain = parseManifests(await buildKustomizationText('deploy/default'));
    const redis = ['Deployment', 'Service', 'NetworkPolicy'].map((kind) => `${kind} ${NAMESPACE}/migrascope-redis`);
    expect(objects.map(key).sort()).toEqual(plain.map(key).filter((k) => !redis.includes(k)).sort());
  });

  it.each(['controller', 'worker'])("Then the %s's Redis settings, files and volumes are the chart's with an external Redis from that Secret", (component) => {
    const ours = podParts(find(objects, 'Deployment', `migrascope-${component}`, NAMESPACE));
    const theirs = podParts(find(chart, 'Deployment', `migrascope-${component}`, NAMESPACE));
    // Where they differ, by design: the passwords are optional (a Redis without AUTH needs no key),
    // and only ca.crt is mounted from the Secret (its URL and passwords are not files too).
    const optional = ours.env.filter((variable) => JSON.stringify(variable).includes('"optional":true')).map((variable) => variable.name);
    expect(optional).toEqual(['MIGRASCOPE_REDIS_PASSWORD', 'MIGRASCOPE_REDIS_SENTINEL_PASSWORD']);
    expect(ours.volumes.find((volume) => volume.name === 'redis-ca')).toEqual({ name: 'redis-ca', secret: { secretName: SECRET, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    expect(withoutDesignedDifferences(ours)).toEqual(withoutDesignedDifferences(theirs));
  });

  it('Then without the -ca component, TLS checks against the system CAs: no CA file, no volume', async () => {
    const withoutCa = parseManifests(await buildOverlayText({ resources: ['deploy/default'], components: [EXTERNAL[0]!] }));
    for (const component of ['controller', 'worker']) {
      const parts = podParts(find(withoutCa, 'Deployment', `migrascope-${component}`, NAMESPACE));
      expect(parts.env.map((variable) => variable.name)).not.toContain('MIGRASCOPE_REDIS_CA_FILE');
      expect(parts.volumes.map((volume) => volume.name)).not.toContain('redis-ca');
      expect(parts.env.find((variable) => variable.name === 'MIGRASCOPE_REDIS_URL')).toEqual({ name: 'MIGRASCOPE_REDIS_URL', valueFrom: { secretKeyRef: { name: SECRET, key: 'url' } } });
    }
  });
});

interface PodParts {
  env: { name: string; [field: string]: unknown }[];
  volumeMounts: { name: string; [field: string]: unknown }[];
  volumes: { name: string; [field: string]: unknown }[];
}

/** What a Deployment's one container is told and given: env, mounts and the pod's volumes, by name. */
function podParts(deployment: KubeObject): PodParts {
  const pod = (deployment.spec as { template: { spec: { containers: PodParts[]; volumes?: PodParts['volumes'] } } }).template.spec;
  const [container] = pod.containers;
  const byName = <T extends { name: string }>(list: T[] = []) => [...list].sort((a, b) => a.name.localeCompare(b.name));
  return { env: byName(container?.env), volumeMounts: byName(container?.volumeMounts), volumes: byName(pod.volumes) };
}

function withoutDesignedDifferences(parts: PodParts): unknown {
  return JSON.parse(JSON.stringify(parts, (field, value: unknown) => (field === 'optional' || field === 'items' ? undefined : value)));
}
