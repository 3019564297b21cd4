// Where the control plane's binaries are: built by scripts/controlplane.sh into a cache outside
// the repository, keyed by the Kubernetes version pinned in this folder's go.mod. Beside them,
// `kstatus` (cmd/kstatus): the status sigs.k8s.io/cli-utils computes, as Flux and kpt do, and
// `argocd-health` (cmd/argocd-health): an Argo CD Lua health check run as Argo CD runs it.
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  etcd: string;
  kubernetesVersion: string;
}

const moduleDir = dirname(fileURLToPath(import.meta.url));

/** The k8s.io/kubernetes version that go.mod pins, e.g. v1.34.4. */
export function pinnedKubernetesVersion(): string {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const match = /^\s*k8s\.io\/kubernetes\s+(v\S+)/m.exec(goMod);
  if (!match?.[1]) throw new Error(`${join(moduleDir, 'go.mod')} does not require k8s.io/kubernetes`);
  return match[1];
}

/**
 * The binaries to run: MIGRASCOPE_KUBE_APISERVER / MIGRASCOPE_ETCD when set, else the ones
 * scripts/controlplane.sh built. Missing binaries are an error that says how to build them,
 * never a silent skip.
 */
export function locateBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const kubernetesVersion = pinnedKubernetesVersion();
  const builtDir = builtDirOf(kubernetesVersion, env);
  const binaries = {
    kubeApiserver: env.MIGRASCOPE_KUBE_APISERVER ?? join(builtDir, 'kube-apiserver'),
    etcd: env.MIGRASCOPE_ETCD ?? join(builtDir, 'etcd'),
    kubernetesVersion,
  };
  const missing = [binaries.kubeApiserver, binaries.etcd].filter((path) => !isExecutable(path));
  if (missing.length > 0) {
    throw new Error(
      `control plane binaries missing (${missing.join(', ')}): run scripts/controlplane.sh ` +
        `(it builds kube-apiserver ${kubernetesVersion} and etcd from Go modules into ${builtDir})`,
    );
  }
  return binaries;
}

/** The Go helpers of cmd/ that scripts/controlplane.sh builds beside the control plane, and what each is built from. */
const HELPERS = {
  kstatus: { env: 'MIGRASCOPE_KSTATUS', from: 'cmd/kstatus from sigs.k8s.io/cli-utils' },
  'argocd-health': { env: 'MIGRASCOPE_ARGOCD_HEALTH', from: "cmd/argocd-health on Argo CD's Lua interpreter, github.com/yuin/gopher-lua" },
} as const;

/** A helper command scripts/controlplane.sh built (its MIGRASCOPE_* variable when set); missing is an error saying how to build it. */
export function locateHelper(command: keyof typeof HELPERS, env: NodeJS.ProcessEnv = process.env): string {
  const helper = HELPERS[command];
  const path = env[helper.env] ?? join(builtDirOf(pinnedKubernetesVersion(), env), command);
  if (!isExecutable(path)) throw new Error(`${command} missing (${path}): run scripts/controlplane.sh (it builds ${helper.from})`);
  return path;
}

function builtDirOf(kubernetesVersion: string, env: NodeJS.ProcessEnv): string {
  const cacheRoot = env.MIGRASCOPE_CACHE ?? join(homedir(), '.cache', 'migrascope');
  return join(cacheRoot, `controlplane-${kubernetesVersion}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
