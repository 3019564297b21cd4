// What the `migrascope run --testbed` tests hand the CLI: the testbed topology for `--testbed-config`
// (two hosts and a small web VM fronting the reference app, whose migration takes a couple of
// seconds) and the run file's pool documents (a Secret and the XenPool `testbed`, which --testbed
// points at the embedded pool).
export function twoHostTopology(options: { pool: string; tls?: boolean }): string {
  return `pool: ${options.pool}
credentials: { username: root }
${options.tls ? 'tls: true\n' : ''}hosts:
  - { name: alpha, memory: 4GiB, cpus: 2, linkBandwidth: 1Gbit/s }
  - { name: beta, memory: 4GiB, cpus: 2, linkBandwidth: 1Gbit/s }
vms:
  - name: web
    memory: 192MiB
    vcpus: 1
    host: alpha
    dirtyRate: 20MB/s
    wws: 8MiB
    model: { setup: 200ms, resumeOverhead: 300ms }
    guest: { app: reference, scale: 500, seed: 3 }
    warmup: { penalty: 0ms, decay: 1s }
`;
}

/** The Secret and the XenPool `testbed` that a run file's experiments name in poolRef (two documents). */
export function testbedPoolDocuments(options: { tls?: boolean } = {}): string {
  return `apiVersion: v1
kind: Secret
metadata: { name: creds }
stringData: { username: root, password: replaced }
---
apiVersion: migrascope.io/v1alpha1
kind: XenPool
metadata: { name: testbed }
spec: { url: '${options.tls ? 'https' : 'http'}://127.0.0.1:4443', credentialsSecretRef: { name: creds } }
`;
}
