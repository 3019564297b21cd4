// One kind's informers over the namespaces the controller watches: one cluster-wide informer, or
// one per listed namespace (the chart's watchNamespaces: a Role in each and nothing cluster-wide,
// so a cluster-wide list would be forbidden). Reconcilers read the cache through get and list.
import type { KubeConfig } from '@kubernetes/client-node';
import type { MigrascopeKind } from '../api/v1alpha1/index.ts';
import type { Logger } from '../log/index.ts';
import { collectionPath, type StoredObject } from './resources.ts';
import { Informer } from './runtime/index.ts';

/** What a reconciler reads: objects by namespace and name, or all of them. */
export interface ObjectCache {
  get(namespace: string, name: string): StoredObject | undefined;
  list(): StoredObject[];
}

export interface InformerSetOptions {
  kubeConfig: KubeConfig;
  /** Empty: every namespace. */
  namespaces: readonly string[];
  log: Logger;
  resyncMs?: number | undefined;
  watchdogMs?: number | undefined;
}

export class InformerSet implements ObjectCache {
  readonly informers: Informer<StoredObject>[];
  readonly #byNamespace = new Map<string, Informer<StoredObject>>();

  constructor(kind: MigrascopeKind, options: InformerSetOptions) {
    const scopes = options.namespaces.length === 0 ? [undefined] : [...new Set(options.namespaces)];
    this.informers = scopes.map((namespace) => {
      const informer = new Informer<StoredObject>({
        kubeConfig: options.kubeConfig,
        path: collectionPath(kind, namespace),
        log: options.log,
        ...(options.resyncMs === undefined ? {} : { resyncMs: options.resyncMs }),
        ...(options.watchdogMs === undefined ? {} : { watchdogMs: options.watchdogMs }),
      });
      this.#byNamespace.set(namespace ?? '*', informer);
      return informer;
    });
  }

  get(namespace: string, name: string): StoredObject | undefined {
    return (this.#byNamespace.get(namespace) ?? this.#byNamespace.get('*'))?.get(namespace, name);
  }

  list(): StoredObject[] {
    return this.informers.flatMap((informer) => informer.list());
  }

  get hasSynced(): boolean {
    return this.informers.every((informer) => informer.hasSynced);
  }

  /** The collections not listed yet, for /readyz. */
  unsynced(): string[] {
    return this.informers.filter((informer) => !informer.hasSynced).map((informer) => informer.path);
  }
}
