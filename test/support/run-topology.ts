// The testbed topology the `migrascope run --testbed` tests hand to `--testbed-config`: two hosts
// and a small web VM fronting the reference app, whose migration takes a couple of seconds.
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
