// kube-apiserver for the control plane, run the way envtest runs it (controller-runtime's
// pkg/internal/testing/controlplane): secure port on 127.0.0.1 only, RBAC authorization, the
// ServiceAccount admission plugin off (no controller-manager creates default service accounts),
// plus static tokens and service-account tokens for authentication.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlaneCertificates } from './certificates.ts';
import { freeLoopbackPort } from '../../src/loopback/index.ts';
import { SupervisedProcess } from './supervised-process.ts';

export interface ApiserverConfig {
  binary: string;
  dir: string;
  etcdUrl: string;
  certificates: ControlPlaneCertificates;
  tokenFile: string;
  /** A token of a user allowed to read /readyz. */
  probeToken: string;
  extraArgs: string[];
  timeoutMs: number;
}

export interface RunningApiserver {
  port: number;
  process: SupervisedProcess;
}

const attempts = 3;

/** Starts kube-apiserver on a free port (or on `port`, for a restart) and waits for /readyz. */
export async function startApiserver(config: ApiserverConfig, port?: number): Promise<RunningApiserver> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= (port === undefined ? attempts : 1); attempt++) {
    const securePort = port ?? (await freeLoopbackPort());
    const apiserver = new SupervisedProcess(
      'kube-apiserver',
      config.binary,
      apiserverArgs(config, securePort),
      join(config.dir, 'kube-apiserver.log'),
    );
    try {
      const ca = readFileSync(config.certificates.caFile);
      await apiserver.waitUntilReady(() => isReady(securePort, ca, config.probeToken), config.timeoutMs);
      return { port: securePort, process: apiserver };
    } catch (error) {
      await apiserver.stop();
      lastError = error as Error;
      // Another process may have taken the port between our probe and the bind: try another.
      if (!/address already in use/.test(apiserver.logTail())) throw lastError;
    }
  }
  throw lastError ?? new Error('kube-apiserver did not start');
}

function apiserverArgs(config: ApiserverConfig, securePort: number): string[] {
  const { certificates } = config;
  return [
    `--etcd-servers=${config.etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${securePort}`,
    // Loopback as the advertised address is invalid in the `kubernetes` Service's endpoints, and
    // nothing here routes to it: no endpoint reconciler.
    '--advertise-address=127.0.0.1',
    '--endpoint-reconciler-type=none',
    `--cert-dir=${config.dir}`,
    `--tls-cert-file=${certificates.servingCertFile}`,
    `--tls-private-key-file=${certificates.servingKeyFile}`,
    `--client-ca-file=${certificates.caFile}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    `--service-account-issuer=https://127.0.0.1:${securePort}`,
    `--service-account-key-file=${certificates.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${certificates.serviceAccountSigningKeyFile}`,
    '--authorization-mode=RBAC',
    `--token-auth-file=${config.tokenFile}`,
    '--allow-privileged=true',
    '--disable-admission-plugins=ServiceAccount',
    '--profiling=false',
    ...config.extraArgs,
  ];
}

/** /readyz answers 200 once etcd is reachable, RBAC's bootstrap roles exist and CRDs serve. */
function isReady(port: number, ca: Buffer, token: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/readyz', ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy(new Error('/readyz did not answer within 2 s')));
    req.on('error', reject);
    req.end();
  });
}
