// The RBAC that ships, applied to a test control plane, and tokens of the identities it binds: so
// a test runs the controller (or a worker) with exactly the rights a cluster would give it.
//
//   const rbac = await applyShippedRbac(plane, 'migrascope-system', { secretNamespaces: ['lab'] });
//   plane.writeKubeconfig(path, rbac.controller.token);   // then start `migrascope controller`
//
// source 'chart' (default) renders the chart's RBAC with the options, as `helm install` would;
// 'manifests' applies deploy/rbac and deploy/secret-access (namespace migrascope-system), plus
// deploy/secret-access built into each of `secretNamespaces` the way docs/deploy.md says.
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeTools, tool } from '../../scripts/kube-tools.ts';
import type { ControlPlane } from '../controlplane/index.ts';
import { buildKustomizationText, buildOverlayText, parseManifests, renderChart, toYamlStream, type KubeObject } from './manifests.ts';

export interface ShippedRbacOptions {
  /** 'chart' (default): helm template with the options below; 'manifests': deploy/rbac and deploy/secret-access. */
  source?: 'chart' | 'manifests';
  /** The chart's watchNamespaces: empty (default) = every namespace through a ClusterRole. */
  watchNamespaces?: string[];
  /**
   * Chart: its secretNamespaces (empty = the watched ones, else the operator's namespace).
   * Manifests: namespaces given on top of migrascope-system, each by an overlay of deploy/secret-access.
   */
  secretNamespaces?: string[];
  /** Helm release name (default "migrascope": names are migrascope-controller, migrascope-worker). */
  release?: string;
}

export interface ShippedIdentity {
  namespace: string;
  serviceAccount: string;
  /** A service-account token (TokenRequest, one hour), as a pod of that account holds. */
  token: string;
  kubeConfig: KubeConfig;
}

export interface ShippedRbac {
  controller: ShippedIdentity;
  worker: ShippedIdentity;
  /** The Lease the controller may hold: its Role allows get/update on this name only. */
  leaseName: string;
  /** The objects applied (ServiceAccounts, Roles, ClusterRoles and their bindings). */
  objects: KubeObject[];
}

const RBAC_KINDS = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
const MANIFESTS_NAMESPACE = 'migrascope-system';

/**
 * Applies the shipped ServiceAccounts and RBAC (creating the namespaces they live in) as the
 * admin, and returns tokens of the controller's and the worker's service accounts. `namespace`
 * is the operator's own (the Helm release namespace).
 */
export async function applyShippedRbac(plane: ControlPlane, namespace: string, options: ShippedRbacOptions = {}): Promise<ShippedRbac> {
  const release = options.release ?? 'migrascope';
  let objects: KubeObject[];
  if ((options.source ?? 'chart') === 'manifests') {
    if (namespace !== MANIFESTS_NAMESPACE || options.watchNamespaces || options.release) {
      throw new Error(`deploy/ is fixed (namespace ${MANIFESTS_NAMESPACE}, release migrascope, every namespace watched): use source 'chart' for others`);
    }
    const texts = [await buildKustomizationText('deploy/rbac'), await buildKustomizationText('deploy/secret-access')];
    for (const secretNamespace of options.secretNamespaces ?? []) texts.push(await buildOverlayText({ namespace: secretNamespace, resources: ['deploy/secret-access'] }));
    objects = texts.flatMap(parseManifests);
  } else {
    const values: Record<string, unknown> = {};
    if (options.watchNamespaces) values.watchNamespaces = options.watchNamespaces;
    if (options.secretNamespaces) values.secretNamespaces = options.secretNamespaces;
    objects = await renderChart({ release, namespace, values });
  }
  objects = objects.filter((object) => RBAC_KINDS.has(object.kind));

  const namespaces = new Set([namespace, ...objects.flatMap((object) => (object.metadata.namespace ? [object.metadata.namespace] : []))]);
  await ensureNamespaces(plane, [...namespaces]);
  await tool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, 'apply', '--server-side', '--field-manager=migrascope-test', '-f', '-'], {
    input: toYamlStream(objects),
  });

  const identity = async (component: 'controller' | 'worker'): Promise<ShippedIdentity> => {
    const account = objects.find(
      (o) => o.kind === 'ServiceAccount' && o.metadata.namespace === namespace && o.metadata.labels?.['app.kubernetes.io/component'] === component,
    );
    if (!account) throw new Error(`the shipped RBAC has no ServiceAccount of the ${component} in ${namespace}`);
    const serviceAccount = account.metadata.name;
    const token = await plane.serviceAccountToken(namespace, serviceAccount);
    return { namespace, serviceAccount, token, kubeConfig: plane.kubeConfigForToken(token, `system:serviceaccount:${namespace}:${serviceAccount}`) };
  };
  const leaseRole = objects.find((o) => o.kind === 'Role' && o.metadata.name.endsWith('-controller-leader-election'));
  const leaseName = (leaseRole?.rules as { resourceNames?: string[] }[] | undefined)?.find((rule) => rule.resourceNames)?.resourceNames?.[0];
  if (!leaseName) throw new Error('the shipped RBAC has no leader-election Role naming its Lease');
  return { controller: await identity('controller'), worker: await identity('worker'), leaseName, objects };
}

async function ensureNamespaces(plane: ControlPlane, namespaces: string[]): Promise<void> {
  const manifest = namespaces.map((name) => `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`).join('');
  await tool(kubeTools().kubectl, ['--kubeconfig', plane.adminKubeconfig, 'apply', '--server-side', '--field-manager=migrascope-test', '-f', '-'], {
    input: manifest,
  });
}
