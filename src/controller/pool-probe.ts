// What a XenPool's status shows, read from XAPI in one session: the pool's name, its hosts with
// their memory, and whether the pool is Migrascope's simulated testbed (then "downtime by model"
// is reported beside what clients saw). The xen adapter's XenPool answers questions about VMs and
// migrations; this reads the pool as a whole, through the same connection code and error reasons.
import { isTestbedPool, type XapiCredentials } from '../xen/index.ts';
import { openConnection } from '../xen/connection.ts';
import { explainFailure } from '../xen/failures.ts';
import { hostFromRecords, type XapiRecord } from '../xen/records.ts';
import type { XenHost } from '../api/v1alpha1/index.ts';
import type { Logger } from '../log/index.ts';

export interface PoolDescription {
  poolName: string;
  simulated: boolean;
  hosts: XenHost[];
}

export async function describePool(credentials: XapiCredentials, options: { callTimeoutMs?: number; log?: Logger } = {}): Promise<PoolDescription> {
  const connection = await openConnection(credentials, { callTimeoutMs: options.callTimeoutMs ?? 20_000, ...(options.log ? { log: options.log } : {}) });
  try {
    const call = async (method: string): Promise<Record<string, XapiRecord>> => {
      try {
        return (await connection.client.call(method)) as Record<string, XapiRecord>;
      } catch (error) {
        throw explainFailure(error, { url: connection.url, username: credentials.username });
      }
    };
    const [pools, hosts, metrics, vms] = await Promise.all([
      call('pool.get_all_records'),
      call('host.get_all_records'),
      call('host_metrics.get_all_records'),
      call('VM.get_all_records'),
    ]);
    const pool = Object.values(pools)[0];
    const poolName = typeof pool?.name_label === 'string' && pool.name_label !== '' ? pool.name_label : connection.url;
    const simulated = isTestbedPool(Object.values(pools), Object.values(vms));
    const described = Object.entries(hosts).map(([ref, record]) => {
      const host = hostFromRecords(ref, record, metrics[String(record.metrics)], []);
      return {
        name: host.name,
        uuid: host.uuid,
        enabled: host.enabled,
        ...(host.memoryTotal > 0 ? { memoryTotalBytes: host.memoryTotal, memoryFreeBytes: host.memoryFree } : {}),
      };
    });
    return { poolName, simulated, hosts: described.sort((a, b) => a.name.localeCompare(b.name)) };
  } finally {
    await connection.close();
  }
}
