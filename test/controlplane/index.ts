// A real Kubernetes control plane for tests, like controller-runtime's envtest: etcd and
// kube-apiserver (built from Go modules by scripts/controlplane.sh) on free loopback ports, with
// certificates made for this run, RBAC on, static-token users and service-account tokens.
//
//   const plane = await startControlPlane({ users: [{ name: 'nobody' }] });
//   const core = plane.kubeConfig().makeApiClient(CoreV1Api);
//   ...
//   await plane.restart();   // kube-apiserver stops and starts again on the same port and etcd
//   await plane.stop();      // kills both processes, removes the temporary directory
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthenticationV1TokenRequest, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { logger } from '../../src/log/index.ts';
import { startApiserver, type ApiserverConfig, type RunningApiserver } from './apiserver.ts';
import { locateBinaries } from './binaries.ts';
import { writeCertificates } from './certificates.ts';
import { startEtcd, type RunningEtcd } from './etcd.ts';
import { kubeConfigFor, writeKubeconfigFile } from './kubeconfig.ts';
import { adminUser, writeTokenFile, type StaticUser } from './static-tokens.ts';

export type { StaticUser } from './static-tokens.ts';

export interface ControlPlaneOptions {
  /** Users authenticated by static token, with no rights unless a test binds some. */
  users?: StaticUser[];
  /** Extra kube-apiserver flags, e.g. --feature-gates=... */
  apiserverArgs?: string[];
  /** How long etcd and kube-apiserver each get to become ready (default 120 s: 2 busy cores). */
  startTimeoutMs?: number;
}

export interface RestartOptions {
  crash?: boolean;
  downMs?: number;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The CA that signed the serving certificate. */
  caFile: string;
  /** Path of a kubeconfig file for the admin (for kubectl or a process under test). */
  adminKubeconfig: string;
  adminToken: string;
  /** The temporary directory with certificates, etcd's data and both servers' logs. */
  dir: string;
  /** The admin's client configuration. */
  kubeConfig(): KubeConfig;
  /** A client configuration that authenticates with `token`. */
  kubeConfigForToken(token: string, user?: string): KubeConfig;
  /** The static token of a user declared in `options.users`. */
  tokenFor(user: string): string;
  /** A token of service account namespace/name (created if missing), as a pod would hold. */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /** Writes a kubeconfig file that authenticates with `token`, for a process under test. */
  writeKubeconfig(path: string, token: string, user?: string): void;
  /**
   * Stops kube-apiserver and starts it again on the same port, certificates and etcd. `crash`
   * kills it (SIGKILL: connections drop without a goodbye) instead of a graceful SIGTERM;
   * `downMs` keeps it down that long before starting again, for clients to notice.
   */
  restart(options?: RestartOptions): Promise<void>;
  /** Stops kube-apiserver and etcd and removes the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = locateBinaries();
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const log = logger().child({ component: 'controlplane' });
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-controlplane-'));
  let etcd: RunningEtcd | undefined;
  let apiserver: RunningApiserver | undefined;

  const stopAll = async (): Promise<void> => {
    await apiserver?.process.stop();
    await etcd?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const certificates = writeCertificates(dir);
    const tokenFile = join(dir, 'tokens.csv');
    const tokens = writeTokenFile(tokenFile, [adminUser, ...(options.users ?? [])]);
    const adminToken = tokens.get(adminUser.name) as string;

    etcd = await startEtcd(binaries.etcd, dir, timeoutMs);
    const config: ApiserverConfig = {
      binary: binaries.kubeApiserver,
      dir,
      etcdUrl: etcd.clientUrl,
      certificates,
      tokenFile,
      probeToken: adminToken,
      extraArgs: options.apiserverArgs ?? [],
      timeoutMs,
    };
    apiserver = await startApiserver(config);
    const url = `https://127.0.0.1:${apiserver.port}`;
    const caFile = certificates.caFile;
    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    writeKubeconfigFile(adminKubeconfig, url, caFile, adminUser.name, adminToken);
    log.info(
      { url, kubernetes: binaries.kubernetesVersion, startMs: Date.now() - started, dir },
      'control plane ready',
    );

    const kubeConfigForToken = (token: string, user = 'token-user'): KubeConfig =>
      kubeConfigFor(url, caFile, user, token);
    let stopped = false;

    return {
      url,
      caFile,
      adminKubeconfig,
      adminToken,
      dir,
      kubeConfig: () => kubeConfigFor(url, caFile, adminUser.name, adminToken),
      kubeConfigForToken,
      tokenFor(user) {
        const token = tokens.get(user);
        if (token === undefined || user === adminUser.name) {
          throw new Error(`no static user ${user}: declare it in startControlPlane({ users: [{ name: '${user}' }] })`);
        }
        return token;
      },
      async serviceAccountToken(namespace, name, expirationSeconds = 3600) {
        const core = kubeConfigFor(url, caFile, adminUser.name, adminToken).makeApiClient(CoreV1Api);
        await createServiceAccountIfMissing(core, namespace, name);
        const request = new AuthenticationV1TokenRequest();
        request.spec = { audiences: [], expirationSeconds };
        const response = await core.createNamespacedServiceAccountToken({ name, namespace, body: request });
        const token = response.status?.token;
        if (!token) throw new Error(`the TokenRequest for ${namespace}/${name} returned no token`);
        return token;
      },
      writeKubeconfig(path, token, user = 'token-user') {
        writeKubeconfigFile(path, url, caFile, user, token);
      },
      async restart({ crash = false, downMs = 0 } = {}) {
        if (stopped || !apiserver) throw new Error('the control plane is stopped; start a new one');
        const restartedAt = Date.now();
        const port = apiserver.port;
        await apiserver.process.stop(crash ? 0 : undefined);
        if (downMs > 0) await sleep(downMs);
        apiserver = await startApiserver(config, port);
        log.info({ url, restartMs: Date.now() - restartedAt }, 'kube-apiserver restarted');
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function createServiceAccountIfMissing(core: CoreV1Api, namespace: string, name: string): Promise<void> {
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error; // 409: it exists already
  }
}
