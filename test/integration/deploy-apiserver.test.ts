// Everything a person installs, sent to a real kube-apiserver (test/controlplane): the chart
// installed for real with `helm install` (which applies its CRDs first) and uninstalled, then every
// object of the chart (default and non-default values), of deploy/default and of
// deploy/install.yaml applied with `kubectl apply --server-side --dry-run=server`, which runs the
// server's defaulting, validation and admission (Pod Security included) without storing. No
// kube-controller-manager or kubelet runs here: Deployments are stored, no pod starts.
//
// Stand-ins: no Prometheus operator is here, so its CRDs are replaced by minimal ones that accept
// any spec (monitoring.coreos.com/v1 PrometheusRule and ServiceMonitor); they check that those
// objects reach the API as well-formed objects of the right kinds, not their fields (which
// deploy-helm.test.ts checks against deploy/prometheus and deploy/grafana).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeTools, runTool, tool } from '../../scripts/kube-tools.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/index.ts';
import { buildKustomizationText, buildOverlayText, CHART_DIR, parseManifests, readManifests, renderChartText, repoRoot } from '../support/manifests.ts';

const MONITORING_STAND_INS = ['PrometheusRule:prometheusrules', 'ServiceMonitor:servicemonitors']
  .map((entry) => {
    const [kind, plural] = entry.split(':') as [string, string];
    return `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  names: { kind: ${kind}, listKind: ${kind}List, plural: ${plural}, singular: ${kind.toLowerCase()} }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;
  })
  .join('');

/** Namespaces the renders install into, labelled like deploy/default's so Pod Security warns about any pod that breaks "restricted". */
const NAMESPACES = ['ops', 'lab-a', 'lab-b', 'pools', 'monitoring'];

let plane: ControlPlane;
let installOutput: string;

async function kubectl(args: string[], input?: string): Promise<string> {
  return tool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, ...args], input === undefined ? {} : { input });
}

/** Server-side dry-run apply of a manifest stream: what kubectl printed (stdout, stderr). */
async function dryRun(manifests: string): Promise<{ stdout: string; stderr: string }> {
  const run = await runTool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, 'apply', '--server-side', '--dry-run=server', '--field-manager=migrascope-test', '-f', '-'], {
    input: manifests,
  });
  expect(run.code, run.stderr).toBe(0);
  return run;
}

beforeAll(async () => {
  plane = await startControlPlane();
  await kubectl(['apply', '--server-side', '--field-manager=migrascope-test', '-f', '-'], MONITORING_STAND_INS);
  const namespaces = NAMESPACES.map(
    (name) => `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/warn: restricted\n`,
  ).join('');
  // deploy/default's own namespace object, for real: the objects in it need it to exist.
  const namespaceFile = readFileSync(join(repoRoot, 'deploy/default/namespace.yaml'), 'utf8');
  await kubectl(['apply', '--server-side', '--field-manager=migrascope-test', '-f', '-'], namespaces + '---\n' + namespaceFile);
  // As a person would: Helm applies the chart's crds/ first, then the release.
  installOutput = await tool(kubeTools().helm, ['--kubeconfig', plane.adminKubeconfig, 'install', 'installed', CHART_DIR, '--namespace', 'helm-install', '--create-namespace']);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
});

afterAll(async () => {
  await plane?.stop();
});

describe('Given a kube-apiserver where the chart was installed with helm install', () => {
  it('Then the release is deployed with its objects', async () => {
    expect(installOutput).toContain('STATUS: deployed');
    const deployments = await kubectl(['get', 'deployments', '-n', 'helm-install', '-o', 'name']);
    expect(deployments.trim().split('\n').sort()).toEqual([
      'deployment.apps/installed-migrascope-controller',
      'deployment.apps/installed-migrascope-redis',
      'deployment.apps/installed-migrascope-worker',
    ]);
  });

  it('Then the three migrascope.io CRDs are established and `kubectl get mexp` knows the short name', async () => {
    const names = await kubectl(['get', 'crd', '-o', 'name']);
    for (const plural of ['xenpools', 'migrationexperiments', 'migrationcampaigns', 'migrationschedules']) expect(names).toContain(`${plural}.migrascope.io`);
    const listed = await runTool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, 'get', 'mexp', '-n', 'ops']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toContain('No resources found in ops namespace.');
  });

  describe.each([
    ['the chart, default values, monitoring on', { namespace: 'ops', values: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true }, grafanaDashboard: { enabled: true } } }],
    ['the chart, ci/namespaced-values.yaml', { namespace: 'ops', valuesFiles: ['ci/namespaced-values.yaml'] }],
    ['the chart, ci/persistent-redis-values.yaml as release "lab"', { release: 'lab', namespace: 'ops', valuesFiles: ['ci/persistent-redis-values.yaml'] }],
  ])('When every object of %s is applied with --dry-run=server', (_what, render) => {
    it('Then the server accepts each one, and Pod Security has nothing to warn about', async () => {
      const manifests = await renderChartText(render);
      const objects = parseManifests(manifests);
      const { stdout, stderr } = await dryRun(manifests);
      expect(stdout.trim().split('\n')).toHaveLength(objects.length);
      expect(stdout).not.toMatch(/unchanged|configured/); // nothing of the chart's was there before
      expect(stderr).not.toContain('Warning');
    });
  });

  describe('When every object of deploy/default (kustomize) is applied with --dry-run=server', () => {
    it('Then the server accepts each one, and Pod Security has nothing to warn about', async () => {
      const manifests = await buildKustomizationText('deploy/default');
      const { stdout, stderr } = await dryRun(manifests);
      expect(stdout.trim().split('\n')).toHaveLength(parseManifests(manifests).length);
      expect(stdout).toContain('deployment.apps/migrascope-controller serverside-applied (server dry run)');
      expect(stderr).not.toContain('Warning');
    });
  });

  describe('When deploy/default with the external-redis components (the overlay of docs/deploy.md) is applied with --dry-run=server', () => {
    it('Then the server accepts each one, and Pod Security has nothing to warn about', async () => {
      const manifests = await buildOverlayText({ resources: ['deploy/default'], components: ['deploy/components/external-redis', 'deploy/components/external-redis-ca'] });
      const { stdout, stderr } = await dryRun(manifests);
      expect(stdout.trim().split('\n')).toHaveLength(parseManifests(manifests).length);
      expect(stdout).toContain('deployment.apps/migrascope-worker serverside-applied (server dry run)');
      expect(stdout).not.toContain('migrascope-redis');
      expect(stderr).not.toContain('Warning');
    });
  });

  describe('When the plain deploy/install.yaml is applied with --dry-run=server', () => {
    it('Then the server accepts each object', async () => {
      const manifests = readFileSync(join(repoRoot, 'deploy/install.yaml'), 'utf8');
      const { stdout, stderr } = await dryRun(manifests);
      expect(stdout.trim().split('\n')).toHaveLength(readManifests('deploy/install.yaml').length);
      expect(stderr).not.toContain('Warning');
    });
  });

  describe('When the release is uninstalled', () => {
    it('Then its objects go and the CRDs stay (Helm never deletes CRDs, so experiments outlive the operator)', async () => {
      await tool(kubeTools().helm, ['--kubeconfig', plane.adminKubeconfig, 'uninstall', 'installed', '--namespace', 'helm-install', '--wait']);
      const left = await kubectl(['get', 'deployments,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings', '-A', '-l', 'app.kubernetes.io/instance=installed', '-o', 'name']);
      expect(left.trim()).toBe('');
      expect(await kubectl(['get', 'crd', 'migrationexperiments.migrascope.io', '-o', 'name'])).toContain('migrationexperiments.migrascope.io');
    });
  });

  describe('When a Deployment of the chart is changed to break the restricted Pod Security Standard', () => {
    it('Then the same dry run warns: the check above can see a violation', async () => {
      const manifests = await renderChartText({ namespace: 'ops', values: { securityContext: { allowPrivilegeEscalation: true } } });
      const { stderr } = await dryRun(manifests);
      expect(stderr).toContain('would violate PodSecurity "restricted:latest"');
      expect(stderr).toContain('allowPrivilegeEscalation != false');
    });
  });
});
