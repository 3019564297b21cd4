// Where a leader election keeps its record: a coordination.k8s.io/v1 Lease, read and written
// with its resourceVersion so that two candidates writing at once cannot both win (the second
// write gets 409 Conflict). An interface, so that the election's timing is tested on a fake.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, isNotFound } from './kube-client.ts';

/** The Lease spec fields leader election uses (client-go's LeaderElectionRecord). */
export interface LeaseRecord {
  /** '' when nobody holds the lease (released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
  /** The object as read, so an update keeps what others put there (labels, annotations). */
  object?: Record<string, unknown>;
}

export interface LeaseStore {
  /** "namespace/name", for logs. */
  readonly description: string;
  get(signal: AbortSignal): Promise<StoredLease | undefined>;
  /** Fails with 409 Conflict when the lease exists already. */
  create(record: LeaseRecord, signal: AbortSignal): Promise<StoredLease>;
  /** Fails with 409 Conflict when the lease changed since `previous` was read. */
  update(record: LeaseRecord, previous: StoredLease, signal: AbortSignal): Promise<StoredLease>;
}

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: Partial<LeaseRecord>;
}

export class KubeLeaseStore implements LeaseStore {
  readonly description: string;
  readonly #client: KubeClient;
  readonly #namespace: string;
  readonly #name: string;

  constructor(kc: KubeConfig, namespace: string, name: string) {
    this.#client = KubeClient.for(kc);
    this.#namespace = namespace;
    this.#name = name;
    this.description = `${namespace}/${name}`;
  }

  async get(signal: AbortSignal): Promise<StoredLease | undefined> {
    try {
      return stored(await this.#client.request<LeaseObject>('GET', this.#path(this.#name), undefined, undefined, { signal }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async create(record: LeaseRecord, signal: AbortSignal): Promise<StoredLease> {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.#name, namespace: this.#namespace },
      spec: record,
    };
    return stored(await this.#client.request<LeaseObject>('POST', this.#path(), lease, undefined, { signal }));
  }

  async update(record: LeaseRecord, previous: StoredLease, signal: AbortSignal): Promise<StoredLease> {
    const base = previous.object ?? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.#name, namespace: this.#namespace } };
    const metadata = { ...(base.metadata as Record<string, unknown>), resourceVersion: previous.resourceVersion };
    const lease = { ...base, metadata, spec: record };
    return stored(await this.#client.request<LeaseObject>('PUT', this.#path(this.#name), lease, undefined, { signal }));
  }

  #path(name?: string): string {
    const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#namespace)}/leases`;
    return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
  }
}

function stored(object: LeaseObject): StoredLease {
  const spec = object.spec ?? {};
  return {
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: spec.acquireTime,
      renewTime: spec.renewTime,
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
    resourceVersion: object.metadata?.resourceVersion ?? '',
    object: object as Record<string, unknown>,
  };
}
