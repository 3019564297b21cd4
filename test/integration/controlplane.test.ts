// The test control plane (test/controlplane) is a real kube-apiserver with etcd: what a
// controller needs from a cluster works against it, RBAC is enforced, and data outlives an
// apiserver restart. Without the binaries this fails, telling to run scripts/controlplane.sh.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  VersionApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { locateBinaries } from '../controlplane/binaries.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/index.ts';

const namespace = `cp-${randomBytes(4).toString('hex')}`;

const widgetCrd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.migrascope.io' },
  spec: {
    group: 'test.migrascope.io',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: { size: { type: 'integer', minimum: 1 } },
              },
            },
          },
        },
      },
    ],
  },
};

/** Polls `read` until `accept` holds: the API server does things asynchronously. */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (accept(last)) return last;
    await sleep(250);
  }
  throw new Error(`${what} did not happen within 60 s; last seen: ${JSON.stringify(last)}`);
}

/** Command lines of live processes naming `text` (both servers get the directory in their flags). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // the process ended while we looked
    }
    if (commandLine.includes(text)) found.push(`${pid}: ${commandLine}`);
  }
  return found;
}

describe('Given no control plane binaries where the harness looks', () => {
  it('Then locating them fails and says to run scripts/controlplane.sh', () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'migrascope-empty-cache-'));
    try {
      expect(() => locateBinaries({ MIGRASCOPE_CACHE: emptyCache })).toThrow(/run scripts\/controlplane\.sh/);
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });
});

describe('Given a control plane with a user who has no rights', () => {
  let plane: ControlPlane;
  let core: CoreV1Api;

  beforeAll(async () => {
    plane = await startControlPlane({ users: [{ name: 'no-rights', groups: ['testers'] }] });
    core = plane.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await plane?.stop();
  });

  describe('When the admin asks for the version', () => {
    it('Then it is the Kubernetes version the harness was built from', async () => {
      const version = await plane.kubeConfig().makeApiClient(VersionApi).getCode();
      expect(version.gitVersion).toBe(locateBinaries().kubernetesVersion);
    });
  });

  describe('When the admin creates a namespace and a ConfigMap in it', () => {
    it('Then the ConfigMap reads back with its data', async () => {
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: 'settings' }, data: { users: '600' } },
      });
      const read = await core.readNamespacedConfigMap({ namespace, name: 'settings' });
      expect(read.data).toEqual({ users: '600' });
    });
  });

  describe('When the admin applies a CRD', () => {
    it('Then it becomes Established and its custom objects are validated and stored', async () => {
      const extensions = plane.kubeConfig().makeApiClient(ApiextensionsV1Api);
      await extensions.createCustomResourceDefinition({ body: widgetCrd });
      await eventually(
        () => extensions.readCustomResourceDefinition({ name: 'widgets.test.migrascope.io' }),
        (crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true,
        'the CRD becoming Established',
      );

      const custom = plane.kubeConfig().makeApiClient(CustomObjectsApi);
      const widget = { group: 'test.migrascope.io', version: 'v1', namespace, plural: 'widgets' };
      // The CRD's schema only becomes active in the handler shortly after Established.
      await eventually(
        () =>
          custom
            .createNamespacedCustomObject({
              ...widget,
              body: { apiVersion: 'test.migrascope.io/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
            })
            .then(
              () => true,
              (error: { code?: number }) => (error.code === 404 ? false : Promise.reject(error as Error)),
            ),
        (created) => created,
        'the Widget resource being served',
      );
      await expect(
        custom.createNamespacedCustomObject({
          ...widget,
          body: { apiVersion: 'test.migrascope.io/v1', kind: 'Widget', metadata: { name: 'w0' }, spec: { size: 0 } },
        }),
      ).rejects.toMatchObject({ code: 422, body: expect.stringContaining('spec.size') });
    });
  });

  describe('When a user without any role binding lists ConfigMaps', () => {
    it('Then the API server refuses with 403 Forbidden', async () => {
      const nobody = plane.kubeConfigForToken(plane.tokenFor('no-rights')).makeApiClient(CoreV1Api);
      await expect(nobody.listNamespacedConfigMap({ namespace })).rejects.toMatchObject({ code: 403 });
    });
  });

  describe('When a service account is bound to a Role that reads ConfigMaps', () => {
    it('Then its token reads ConfigMaps there but not Secrets', async () => {
      const rbac = plane.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace,
        body: {
          metadata: { name: 'configmap-reader' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: 'reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
        },
      });
      const token = await plane.serviceAccountToken(namespace, 'reader');
      const reader = plane.kubeConfigForToken(token).makeApiClient(CoreV1Api);

      const list = await reader.listNamespacedConfigMap({ namespace });
      expect(list.items.map((item) => item.metadata?.name)).toContain('settings');
      await expect(reader.listNamespacedSecret({ namespace })).rejects.toMatchObject({ code: 403 });
    });
  });

  describe('When kube-apiserver restarts', () => {
    it('Then it serves on the same URL and everything written before is still there', async () => {
      const urlBefore = plane.url;
      await plane.restart();
      expect(plane.url).toBe(urlBefore);

      const read = await core.readNamespacedConfigMap({ namespace, name: 'settings' });
      expect(read.data).toEqual({ users: '600' });
      const custom = plane.kubeConfig().makeApiClient(CustomObjectsApi);
      const widget = (await custom.getNamespacedCustomObject({
        group: 'test.migrascope.io',
        version: 'v1',
        namespace,
        plural: 'widgets',
        name: 'w1',
      })) as { spec: { size: number } };
      expect(widget.spec.size).toBe(3);
      // Static tokens still work after the restart: the token file and certificates are kept.
      const nobody = plane.kubeConfigForToken(plane.tokenFor('no-rights')).makeApiClient(CoreV1Api);
      await expect(nobody.listNamespacedConfigMap({ namespace })).rejects.toMatchObject({ code: 403 });
    });
  });

  describe('When kube-apiserver is killed right after a write and stays down a second', () => {
    it('Then it comes back with that write', async () => {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: 'last-write' }, data: { written: 'before the crash' } },
      });
      await plane.restart({ crash: true, downMs: 1_000 });
      const read = await core.readNamespacedConfigMap({ namespace, name: 'last-write' });
      expect(read.data).toEqual({ written: 'before the crash' });
    });
  });

  describe('When the control plane stops', () => {
    it('Then no process of it is left, nothing answers on its URL and its directory is gone', async () => {
      await plane.stop();
      expect(processesMentioning(plane.dir)).toEqual([]);
      expect(existsSync(plane.dir)).toBe(false);
      await expect(core.listNamespace()).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    });
  });
});
