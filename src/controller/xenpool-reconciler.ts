// XenPool: log in to the pool with the credentials of its Secret and show what was found in the
// status (connected, pool name, simulated or not, hosts with their memory, or why it failed),
// then look again periodically: a pool goes down, a password rotates, a host joins.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseXenPool, type XenPool, type XenPoolStatus } from '../api/v1alpha1/index.ts';
import { InvalidInputError } from '../invalid/index.ts';
import type { Logger } from '../log/index.ts';
import { PoolReferenceError, xenPoolCredentials } from './cluster-pool-credentials.ts';
import { describePool, type PoolDescription } from './pool-probe.ts';
import { poolConditions, unreachableKind } from './resource-conditions.ts';
import type { ObjectCache } from './informer-set.ts';
import { subjectOf, targetOf } from './resources.ts';
import { mergePatchOf } from './status-publisher.ts';
import { patchStatus, type EventRecorder, type ObjectKey, type ReconcileResult, type Reconciler } from './runtime/index.ts';

/** What the status and a Warning Event say of a pool reached with spec.insecureSkipVerify. */
export const UNVERIFIED_TLS_NOTE =
  "the pool's TLS certificate is NOT verified (spec.insecureSkipVerify): anyone on the network path can pose as the pool and read its password; set caBundleSecretRef instead";

export interface XenPoolReconcilerOptions {
  kubeConfig: KubeConfig;
  pools: ObjectCache;
  events: EventRecorder;
  log: Logger;
  /** Look at a pool again this often (default 60 s). */
  recheckMs?: number;
  /** Stands in for XAPI in unit tests; the real one logs in. */
  describe?: (pool: XenPool) => Promise<PoolDescription>;
}

export class XenPoolReconciler implements Reconciler {
  readonly #options: XenPoolReconcilerOptions;

  constructor(options: XenPoolReconcilerOptions) {
    this.#options = options;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const object = this.#options.pools.get(key.namespace, key.name);
    if (!object) return; // deleted: nothing of ours to clean up
    let pool: XenPool;
    try {
      pool = parseXenPool(object);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      // The API server's schema normally refuses this first; an old object may still hold it.
      const status = (object.status ?? {}) as XenPoolStatus;
      const generation = object.metadata?.generation;
      const observed = generation === undefined ? {} : { observedGeneration: generation };
      const conditions = poolConditions(status.conditions, { kind: 'stalled', reason: 'InvalidSpec', message: error.message }, generation);
      await this.#write(key, status, { ...status, ...observed, connected: false, lastError: error.message, conditions });
      return;
    }
    const previous = pool.status;
    const generation = pool.metadata.generation;
    let status: XenPoolStatus;
    try {
      const found = await (this.#options.describe ?? ((p: XenPool) => this.#describe(p)))(pool);
      const unverified = pool.spec.insecureSkipVerify === true && pool.spec.url.startsWith('https:');
      const message = `logged in to ${found.poolName} (${found.hosts.length} host(s))${found.simulated ? ', the Migrascope testbed' : ''}${unverified ? `; ${UNVERIFIED_TLS_NOTE}` : ''}`;
      status = {
        ...(generation === undefined ? {} : { observedGeneration: generation }),
        connected: true,
        poolName: found.poolName,
        simulated: found.simulated,
        hostCount: found.hosts.length,
        hosts: found.hosts,
        lastConnectedTime: new Date().toISOString(),
        conditions: poolConditions(previous?.conditions, { kind: 'current', reason: 'Connected', message }, generation),
      };
      if (previous?.connected !== true) {
        await this.#event(pool, 'Normal', 'Connected', message);
        if (unverified) await this.#event(pool, 'Warning', 'TLSNotVerified', UNVERIFIED_TLS_NOTE);
      }
    } catch (error) {
      const reason = error instanceof PoolReferenceError ? error.reason : 'ConnectFailed';
      const message = (error as Error).message;
      this.#options.log.info({ pool: `${key.namespace}/${key.name}`, reason, err: error }, 'the pool cannot be reached');
      status = {
        ...(generation === undefined ? {} : { observedGeneration: generation }),
        connected: false,
        ...(previous?.poolName === undefined ? {} : { poolName: previous.poolName }),
        ...(previous?.simulated === undefined ? {} : { simulated: previous.simulated }),
        ...(previous?.lastConnectedTime === undefined ? {} : { lastConnectedTime: previous.lastConnectedTime }),
        lastError: message.slice(0, 4096),
        conditions: poolConditions(previous?.conditions, { kind: unreachableKind(error), reason, message }, generation),
      };
      if (previous?.lastError !== status.lastError) await this.#event(pool, 'Warning', reason, message);
    }
    await this.#write(key, previous, status);
    return { requeueAfterMs: this.#options.recheckMs ?? 60_000 };
  }

  async #describe(pool: XenPool): Promise<PoolDescription> {
    return describePool(await xenPoolCredentials(this.#options.kubeConfig, pool), { log: this.#options.log });
  }

  async #write(key: ObjectKey, previous: XenPoolStatus | undefined, status: XenPoolStatus): Promise<void> {
    await patchStatus(this.#options.kubeConfig, targetOf('XenPool', key.namespace, key.name), mergePatchOf(previous, status));
  }

  async #event(pool: XenPool, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    await this.#options.events.record(subjectOf('XenPool', pool.metadata), type, reason, message);
  }
}
