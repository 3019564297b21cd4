// The shipped RBAC on a real kube-apiserver with RBAC authorization: service-account tokens of the
// controller and the worker, bound to exactly the roles the chart (and deploy/rbac) ship, asked
// through SelfSubjectAccessReview (what `kubectl auth can-i` sends) and by real reads. The
// controller may do all it needs and nothing else: no Secret of a namespace it was not given, no
// list or watch of Secrets, no pods. Roles for people are checked on static-token users.
//
// Not checked here: aggregation of the per-kind roles into admin/edit/view is done by
// kube-controller-manager, which this control plane does not run; deploy-helm.test.ts checks the
// aggregation labels.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1ResourceAttributes } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeTools, runTool, tool } from '../../scripts/kube-tools.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/index.ts';
import { repoRoot } from '../support/manifests.ts';
import { applyShippedRbac, type ShippedRbac } from '../support/rbac.ts';

const KINDS = ['xenpools', 'migrationexperiments', 'migrationcampaigns', 'migrationschedules'];
/** Read by the controller (and its status written), never changed: experiments copy them when they start. */
const READ_KINDS = ['workloadprofiles'];

let plane: ControlPlane;
let scratch: string;
let wide: ShippedRbac; // chart, every namespace watched, Secrets of "lab"
let scoped: ShippedRbac; // chart, watching "team-a" only
let manifests: ShippedRbac; // deploy/rbac and deploy/secret-access, and the overlay giving "lab"

type Check = V1ResourceAttributes;

async function can(kubeConfig: KubeConfig, attributes: Check): Promise<boolean> {
  const review = await kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attributes } } });
  return review.status?.allowed === true;
}

const show = (check: Check) =>
  `${check.verb} ${check.group ? `${check.resource}.${check.group}` : check.resource}${check.subresource ? `/${check.subresource}` : ''}` +
  `${check.name ? ` ${check.name}` : ''} in ${check.namespace || 'all namespaces'}`;

/** Asks every check and returns the ones whose answer differs from `expected`, described. */
async function wrongAnswers(kubeConfig: KubeConfig, checks: Check[], expected: boolean): Promise<string[]> {
  const answers = await Promise.all(checks.map((check) => can(kubeConfig, check)));
  return checks.filter((_, index) => answers[index] !== expected).map(show);
}

const custom = (verb: string, resource: string, namespace: string, extra: Partial<Check> = {}): Check => ({ group: 'migrascope.io', verb, resource, namespace, ...extra });

/** Everything the controller does, in the namespaces it drives and its own. */
function controllerNeeds(driven: string[], own: string, leaseName: string, secretNamespaces: string[]): Check[] {
  return [
    ...driven.flatMap((ns) => [
      ...KINDS.flatMap((kind) => ['get', 'list', 'watch', 'update', 'patch'].map((verb) => custom(verb, kind, ns))),
      ...READ_KINDS.flatMap((kind) => ['get', 'list', 'watch'].map((verb) => custom(verb, kind, ns))),
      custom('create', 'migrationexperiments', ns),
      custom('delete', 'migrationexperiments', ns),
      // A schedule's campaigns: started at each occurrence, deleted beyond the history limits.
      custom('create', 'migrationcampaigns', ns),
      custom('delete', 'migrationcampaigns', ns),
      ...[...KINDS, ...READ_KINDS].flatMap((kind) => ['get', 'update', 'patch'].map((verb) => custom(verb, kind, ns, { subresource: 'status' }))),
      ...KINDS.map((kind) => custom('update', kind, ns, { subresource: 'finalizers' })),
      { group: 'events.k8s.io', verb: 'create', resource: 'events', namespace: ns },
      { group: 'events.k8s.io', verb: 'patch', resource: 'events', namespace: ns },
      { group: '', verb: 'create', resource: 'events', namespace: ns },
      { group: '', verb: 'patch', resource: 'events', namespace: ns },
    ]),
    { group: 'coordination.k8s.io', verb: 'create', resource: 'leases', namespace: own },
    { group: 'coordination.k8s.io', verb: 'get', resource: 'leases', namespace: own, name: leaseName },
    { group: 'coordination.k8s.io', verb: 'update', resource: 'leases', namespace: own, name: leaseName },
    ...secretNamespaces.map((ns) => ({ group: '', verb: 'get', resource: 'secrets', namespace: ns, name: 'xen-credentials' })),
  ];
}

/** What the controller must never be able to do, whatever it drives. */
function controllerMustNot(driven: string, own: string, leaseName: string, foreign: string): Check[] {
  return [
    { verb: 'get', resource: 'secrets', namespace: foreign, name: 'xen-credentials' },
    { verb: 'get', resource: 'secrets', namespace: '' },
    { verb: 'list', resource: 'secrets', namespace: driven },
    { verb: 'watch', resource: 'secrets', namespace: driven },
    { verb: 'create', resource: 'secrets', namespace: driven },
    custom('create', 'xenpools', driven),
    custom('delete', 'xenpools', driven),
    custom('update', 'workloadprofiles', driven),
    custom('delete', 'workloadprofiles', driven),
    custom('create', 'migrationschedules', driven),
    custom('delete', 'migrationschedules', driven),
    custom('deletecollection', 'migrationexperiments', driven),
    { verb: 'get', resource: 'pods', namespace: driven },
    { verb: 'create', resource: 'pods', namespace: driven },
    { verb: 'delete', resource: 'pods', namespace: driven },
    { verb: 'create', resource: 'configmaps', namespace: own },
    { verb: 'delete', resource: 'events', namespace: driven },
    { group: 'coordination.k8s.io', verb: 'update', resource: 'leases', namespace: own, name: `not-${leaseName}` },
    { group: 'coordination.k8s.io', verb: 'delete', resource: 'leases', namespace: own, name: leaseName },
    { group: 'coordination.k8s.io', verb: 'list', resource: 'leases', namespace: own },
    { group: 'coordination.k8s.io', verb: 'update', resource: 'leases', namespace: driven, name: leaseName },
    { group: 'rbac.authorization.k8s.io', verb: 'create', resource: 'rolebindings', namespace: driven },
    { group: 'rbac.authorization.k8s.io', verb: 'escalate', resource: 'clusterroles', namespace: '' },
    { verb: 'impersonate', resource: 'users', namespace: '' },
    { verb: 'create', resource: 'serviceaccounts', namespace: own, subresource: 'token' },
  ];
}

beforeAll(async () => {
  plane = await startControlPlane({ users: [{ name: 'alice' }, { name: 'bob' }] });
  scratch = mkdtempSync(join(tmpdir(), 'migrascope-rbac-'));
  const crdDir = join(repoRoot, 'helm/migrascope/crds');
  const crdFiles = readdirSync(crdDir).filter((name) => name.startsWith('migrascope.io_'));
  const kubectl = (args: string[], input?: string) =>
    tool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, ...args], input === undefined ? {} : { input });
  await kubectl(['apply', '--server-side', ...crdFiles.flatMap((name) => ['-f', join(crdDir, name)])]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);

  // Release names differ so the three installs' cluster-wide names do not collide.
  wide = await applyShippedRbac(plane, 'ops', { release: 'wide', secretNamespaces: ['lab'] });
  scoped = await applyShippedRbac(plane, 'ops-scoped', { release: 'scoped', watchNamespaces: ['team-a'] });
  manifests = await applyShippedRbac(plane, 'migrascope-system', { source: 'manifests', secretNamespaces: ['lab'] });

  const core = plane.kubeConfig().makeApiClient(CoreV1Api);
  for (const namespace of ['lab', 'elsewhere', 'team-a', 'ops', 'migrascope-system']) {
    await core.createNamespace({ body: { metadata: { name: namespace } } }).catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'xen-credentials' }, stringData: { username: 'root', password: 'secret' } } });
  }
  await plane
    .kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: 'migrascope.io',
      version: 'v1alpha1',
      namespace: 'lab',
      plural: 'xenpools',
      body: {
        apiVersion: 'migrascope.io/v1alpha1',
        kind: 'XenPool',
        metadata: { name: 'pool' },
        spec: { url: 'https://xen.example', credentialsSecretRef: { name: 'xen-credentials' }, insecureSkipVerify: true },
      },
    });
});

afterAll(async () => {
  await plane?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('Given the chart installed to watch every namespace, with the Secrets of "lab" given', () => {
  describe("When the controller's service account asks for what it needs", () => {
    it('Then every answer is yes, in any namespace for the resources, in "lab" for Secrets, on its own Lease', async () => {
      const needs = [
        ...controllerNeeds(['lab', 'elsewhere'], 'ops', wide.leaseName, ['lab']),
        ...KINDS.flatMap((kind) => ['list', 'watch'].map((verb) => custom(verb, kind, ''))),
      ];
      expect(await wrongAnswers(wide.controller.kubeConfig, needs, true)).toEqual([]);
    });
  });

  describe('When it asks for anything more', () => {
    it('Then every answer is no: no Secret of another namespace (nor its own), no list or watch of Secrets, no pods', async () => {
      const more = [...controllerMustNot('lab', 'ops', wide.leaseName, 'elsewhere'), { verb: 'get', resource: 'secrets', namespace: 'ops', name: 'xen-credentials' }];
      expect(await wrongAnswers(wide.controller.kubeConfig, more, false)).toEqual([]);
    });
  });

  describe('When the controller reads Secrets for real', () => {
    it('Then the one in "lab" is read and the one in "elsewhere" is forbidden', async () => {
      const core = wide.controller.kubeConfig.makeApiClient(CoreV1Api);
      const given = await core.readNamespacedSecret({ namespace: 'lab', name: 'xen-credentials' });
      expect(Buffer.from(given.data?.username ?? '', 'base64').toString()).toBe('root');
      const refused = await core.readNamespacedSecret({ namespace: 'elsewhere', name: 'xen-credentials' }).then(
        () => undefined,
        (error: { code?: number; body?: string }) => error,
      );
      expect(refused?.code).toBe(403);
      const status = JSON.parse(String(refused?.body)) as { reason: string; message: string };
      expect(status.reason).toBe('Forbidden');
      expect(status.message).toContain(`User "system:serviceaccount:ops:${wide.controller.serviceAccount}" cannot get resource "secrets"`);
    });

    it('Then `kubectl auth can-i` with its token says the same', async () => {
      const kubeconfig = join(scratch, 'controller.kubeconfig');
      plane.writeKubeconfig(kubeconfig, wide.controller.token);
      const canI = (args: string[]) => runTool(kubeTools().kubectl, ['--kubeconfig', kubeconfig, 'auth', 'can-i', ...args]);
      const given = await canI(['get', 'secrets/xen-credentials', '-n', 'lab']);
      const foreign = await canI(['get', 'secrets/xen-credentials', '-n', 'elsewhere']);
      const pods = await canI(['delete', 'pods', '-n', 'lab']);
      expect([given.stdout.trim(), given.code]).toEqual(['yes', 0]);
      expect([foreign.stdout.trim(), foreign.code]).toEqual(['no', 1]);
      expect([pods.stdout.trim(), pods.code]).toEqual(['no', 1]);
    });
  });

  describe("When the worker's service account asks", () => {
    it('Then it may read a XenPool and its Secret in "lab", and nothing else', async () => {
      const worker = wide.worker.kubeConfig;
      const allowed = [custom('get', 'xenpools', 'lab', { name: 'pool' }), { verb: 'get', resource: 'secrets', namespace: 'lab', name: 'xen-credentials' }];
      const refused = [
        custom('list', 'xenpools', 'lab'),
        custom('get', 'xenpools', 'elsewhere', { name: 'pool' }),
        custom('get', 'migrationexperiments', 'lab', { name: 'x' }),
        custom('update', 'xenpools', 'lab', { subresource: 'status', name: 'pool' }),
        { verb: 'get', resource: 'secrets', namespace: 'elsewhere', name: 'xen-credentials' },
        { verb: 'list', resource: 'secrets', namespace: 'lab' },
        { verb: 'create', resource: 'events', namespace: 'lab' },
        { group: 'coordination.k8s.io', verb: 'get', resource: 'leases', namespace: 'ops', name: wide.leaseName },
        { verb: 'get', resource: 'pods', namespace: 'ops' },
      ];
      expect(await wrongAnswers(worker, allowed, true)).toEqual([]);
      expect(await wrongAnswers(worker, refused, false)).toEqual([]);
      const pool = await worker.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: 'migrascope.io',
        version: 'v1alpha1',
        namespace: 'lab',
        plural: 'xenpools',
        name: 'pool',
      });
      expect((pool as { spec: { url: string } }).spec.url).toBe('https://xen.example');
    });
  });

  describe('When people are bound in "lab" to the per-kind viewer and editor roles', () => {
    it('Then the viewer reads experiments and changes nothing, the editor creates them, and neither reads Secrets', async () => {
      const bind = (user: string, role: string) =>
        tool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, 'create', 'rolebinding', `${user}-${role}`, '-n', 'lab', `--clusterrole=wide-migrascope-${role}`, `--user=${user}`]);
      await bind('alice', 'migrationexperiment-viewer');
      await bind('bob', 'migrationexperiment-editor');
      const alice = plane.kubeConfigForToken(plane.tokenFor('alice'), 'alice');
      const bob = plane.kubeConfigForToken(plane.tokenFor('bob'), 'bob');
      expect(await wrongAnswers(alice, ['get', 'list', 'watch'].map((verb) => custom(verb, 'migrationexperiments', 'lab')), true)).toEqual([]);
      expect(
        await wrongAnswers(
          alice,
          [
            custom('create', 'migrationexperiments', 'lab'),
            custom('delete', 'migrationexperiments', 'lab'),
            custom('get', 'migrationexperiments', 'elsewhere'),
            custom('get', 'xenpools', 'lab'),
            { verb: 'get', resource: 'secrets', namespace: 'lab' },
          ],
          false,
        ),
      ).toEqual([]);
      expect(await wrongAnswers(bob, ['create', 'update', 'delete'].map((verb) => custom(verb, 'migrationexperiments', 'lab')), true)).toEqual([]);
      expect(await wrongAnswers(bob, [custom('update', 'migrationexperiments', 'lab', { subresource: 'status' }), { verb: 'get', resource: 'secrets', namespace: 'lab' }], false)).toEqual([]);
    });
  });
});

describe('Given the chart installed to watch "team-a" only', () => {
  describe('When the controller asks', () => {
    it('Then it may drive "team-a" and read its Secrets, and nothing anywhere else, not even a list across namespaces', async () => {
      const controller = scoped.controller.kubeConfig;
      expect(await wrongAnswers(controller, controllerNeeds(['team-a'], 'ops-scoped', scoped.leaseName, ['team-a']), true)).toEqual([]);
      const elsewhere = [
        ...KINDS.flatMap((kind) => ['get', 'list', 'watch'].map((verb) => custom(verb, kind, 'lab'))),
        ...KINDS.map((kind) => custom('list', kind, '')),
        { verb: 'create', resource: 'events', namespace: 'lab' },
        { verb: 'get', resource: 'secrets', namespace: 'ops-scoped', name: 'xen-credentials' },
        ...controllerMustNot('team-a', 'ops-scoped', scoped.leaseName, 'lab'),
      ];
      expect(await wrongAnswers(controller, elsewhere, false)).toEqual([]);
    });
  });
});

describe('Given deploy/rbac and deploy/secret-access (namespace migrascope-system), and the overlay of docs/deploy.md giving "lab"', () => {
  describe('When the controller and the worker ask', () => {
    it('Then the controller drives every namespace and reads the Secrets of migrascope-system and "lab" only', async () => {
      const controller = manifests.controller.kubeConfig;
      expect(manifests.leaseName).toBe('migrascope-controller');
      const needs = controllerNeeds(['lab', 'elsewhere'], 'migrascope-system', manifests.leaseName, ['migrascope-system', 'lab']);
      expect(await wrongAnswers(controller, needs, true)).toEqual([]);
      expect(await wrongAnswers(controller, controllerMustNot('lab', 'migrascope-system', manifests.leaseName, 'elsewhere'), false)).toEqual([]);
    });

    it('Then the worker reads XenPools and Secrets there too, and nowhere else', async () => {
      const worker = manifests.worker.kubeConfig;
      const reads = (namespace: string) => [custom('get', 'xenpools', namespace, { name: 'pool' }), { verb: 'get', resource: 'secrets', namespace, name: 'xen-credentials' }];
      expect(await wrongAnswers(worker, [...reads('migrascope-system'), ...reads('lab')], true)).toEqual([]);
      expect(await wrongAnswers(worker, [...reads('elsewhere'), { verb: 'list', resource: 'secrets', namespace: 'lab' }], false)).toEqual([]);
    });
  });
});
