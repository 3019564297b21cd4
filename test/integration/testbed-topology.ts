// The small pool the testbed integration tests run: migrations of `web` take about two seconds
// (192 MiB over 1 Gbit/s, a quiet guest), `tiny` has no room for it, `db` fills most of h2 and
// `spare` is halted (`db` may be given a guest and a smaller size instead). Free memory is exact so tests can check the accounting to the byte.
import { parseTopology, type TopologyConfig } from '../../src/testbed/index.ts';

export const MiB = 1024 ** 2;
export const WEB_MEMORY = 192 * MiB;
export const PASSWORD = 'testbed-secret';

export function smallTopology(
  options: { tls?: boolean; guest?: object; resumeOverhead?: string; warmup?: { penalty: string; decay: string }; db?: object } = {},
): TopologyConfig {
  return parseTopology({
    pool: 'testbed-test',
    credentials: { username: 'root', password: PASSWORD },
    tls: options.tls ?? false,
    hosts: [
      { name: 'h1', memory: '2GiB', cpus: 4, linkBandwidth: '1Gbit/s', controlDomainMemory: '256MiB' },
      { name: 'h2', memory: '2GiB', cpus: 4, linkBandwidth: '1Gbit/s', controlDomainMemory: '256MiB' },
      { name: 'tiny', memory: '384MiB', cpus: 1, linkBandwidth: '1Gbit/s', controlDomainMemory: '256MiB' },
    ],
    vms: [
      {
        name: 'web',
        memory: '192MiB',
        vcpus: 1,
        host: 'h1',
        dirtyRate: '20MB/s',
        wws: '8MiB',
        model: { setup: '200ms', resumeOverhead: options.resumeOverhead ?? '300ms' },
        ...(options.guest ? { guest: options.guest } : {}),
        ...(options.warmup ? { warmup: options.warmup } : {}),
      },
      { name: 'db', memory: '1GiB', vcpus: 2, host: 'h2', dirtyRate: '10MB/s', wws: '64MiB', ...options.db },
      { name: 'spare', memory: '128MiB', powerState: 'Halted' },
    ],
  });
}
