// Client configurations for the control plane: a kubeconfig file (for kubectl and for code that
// loads one, like the controller) and @kubernetes/client-node KubeConfig objects.
import { readFileSync, writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

const clusterName = 'migrascope-test';

/** The CA is embedded, so the configuration keeps working whatever happens to the file. */
export function kubeConfigFor(server: string, caFile: string, user: string, token: string): KubeConfig {
  const caData = readFileSync(caFile).toString('base64');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: clusterName, server, caData, skipTLSVerify: false }],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: clusterName, user }],
    currentContext: user,
  });
  return kubeConfig;
}

export function writeKubeconfigFile(path: string, server: string, caFile: string, user: string, token: string): void {
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: clusterName, user } }],
    'current-context': user,
  };
  writeFileSync(path, stringify(document), { mode: 0o600 });
}
