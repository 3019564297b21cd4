// A cache of one kind of object kept current by list + watch, like client-go's reflector and
// informer, hardened against the ways client-node's informer fails in production:
// - it stops on an error and never restarts (client-node #364, #958, #596): here every error
//   or end of a list or watch is followed by another attempt, with backoff, until stop();
// - a watch can hang silently, the connection alive but nothing arriving (#2432): a watchdog
//   restarts a watch that delivered no event and no bookmark for watchdogMs (kube-apiserver
//   1.34 sent the first bookmark to an idle watch after two minutes, then about every minute);
// - a resourceVersion the server no longer has (410 Gone, after compaction or an API server
//   restart) leads to a fresh list, emitting what changed meanwhile, deletions included;
// - a full relist every resyncMs emits 'update' for every object, so that a controller looks
//   at everything again even if an event was lost somewhere (level-triggered safety).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../log/index.ts';
import { KubeClient, isGone, type WatchEvent } from './kube-client.ts';
import { formatKey, keyOf, type KubernetesObjectWithMeta } from './object-key.ts';
import { RetryBackoff } from './retry-backoff.ts';
import { pause } from './waits.ts';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerOptions {
  kubeConfig: KubeConfig;
  /** The collection: /apis/migrascope.io/v1alpha1/migrationexperiments, /api/v1/namespaces/x/secrets. */
  path: string;
  log: Logger;
  /** Restart a watch that said nothing (no event, no bookmark) for this long. Default 5 min. */
  watchdogMs?: number;
  /** Relist everything this often, emitting 'update' for each object; 0 never. Default 10 min. */
  resyncMs?: number;
  labelSelector?: string;
  /** Objects per list page (the API server's `limit`). Default 500. */
  pageSize?: number;
}

type WatchOutcome = 'ended' | 'gone' | 'watchdog' | 'resync' | 'stopped';

interface ListPage<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

export const DEFAULT_WATCHDOG_MS = 300_000;
export const DEFAULT_RESYNC_MS = 600_000;
/** A relist sooner than this after the previous one waits for the backoff first. */
const RELIST_GUARD_MS = 1_000;
const SHORT_WATCH_MS = 1_000;

export class Informer<T extends KubernetesObjectWithMeta> {
  readonly path: string;
  readonly #client: KubeClient;
  readonly #log: Logger;
  readonly #watchdogMs: number;
  readonly #resyncMs: number;
  readonly #labelSelector: string | undefined;
  readonly #pageSize: number;
  readonly #cache = new Map<string, T>();
  #handlers: Record<InformerEvent, ((object: T) => void)[]> = { add: [], update: [], delete: [] };
  readonly #stop = new AbortController();
  readonly #firstSync = Promise.withResolvers<void>();
  #resourceVersion: string | undefined;
  #synced = false;
  #running: Promise<void> | undefined;
  #lastListAt = 0;

  constructor(options: InformerOptions) {
    this.path = options.path;
    this.#client = KubeClient.for(options.kubeConfig);
    this.#log = options.log.child({ informer: options.path });
    this.#watchdogMs = options.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    this.#resyncMs = options.resyncMs ?? DEFAULT_RESYNC_MS;
    this.#labelSelector = options.labelSelector;
    this.#pageSize = options.pageSize ?? 500;
    // Nobody may be waiting for the first sync when stop() rejects it.
    this.#firstSync.promise.catch(() => undefined);
  }

  on(event: InformerEvent, handler: (object: T) => void): void {
    this.#handlers[event].push(handler);
  }

  off(event: InformerEvent, handler: (object: T) => void): void {
    this.#handlers[event] = this.#handlers[event].filter((each) => each !== handler);
  }

  /** Starts listing and watching (once); resolves after the first list, when the cache is synced. */
  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#firstSync.promise;
  }

  stop(): void {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort('stopped');
    if (!this.#synced) this.#firstSync.reject(new Error(`informer ${this.path} stopped before its first list`));
  }

  /** Resolves once the informer has stopped and holds no connection. */
  async finished(): Promise<void> {
    await this.#running;
  }

  get(namespace: string, name: string): T | undefined {
    return this.#cache.get(formatKey({ namespace, name }));
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  get hasSynced(): boolean {
    return this.#synced;
  }

  async #run(): Promise<void> {
    const backoff = new RetryBackoff();
    const stopped = this.#stop.signal;
    let mustList = true;
    while (!stopped.aborted) {
      try {
        if (mustList) {
          if (Date.now() - this.#lastListAt < RELIST_GUARD_MS) await pause(backoff.next(), stopped);
          if (stopped.aborted) break;
          await this.#listAndReplace();
          mustList = false;
        }
        const outcome = await this.#watchOnce();
        if (outcome === 'gone') {
          this.#log.info({ resourceVersion: this.#resourceVersion }, 'resourceVersion too old (410 Gone): relisting');
          mustList = true;
        } else if (outcome === 'resync') {
          mustList = true;
        } else if (outcome === 'watchdog') {
          this.#log.warn({ watchdogMs: this.#watchdogMs }, 'watch silent (no event, no bookmark): restarting it');
        }
      } catch (error) {
        if (stopped.aborted) break;
        if (isGone(error)) {
          this.#log.info({ resourceVersion: this.#resourceVersion }, 'resourceVersion too old (410 Gone): relisting');
          mustList = true;
          continue;
        }
        const retryInMs = backoff.next();
        this.#log.warn({ err: error, retryInMs }, mustList ? 'list failed: retrying' : 'watch failed: resuming');
        await pause(retryInMs, stopped);
      }
    }
    this.#log.debug('informer stopped');
  }

  async #listAndReplace(): Promise<void> {
    const listed = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.#client.request<ListPage<T>>('GET', this.path, undefined, undefined, {
        query: { limit: this.#pageSize, continue: continueToken, labelSelector: this.#labelSelector },
        signal: this.#stop.signal,
      });
      // List items come without apiVersion and kind for built-in kinds; handlers expect them.
      const kind = page.kind?.replace(/List$/, '');
      for (const item of page.items ?? []) {
        const object = { ...item, apiVersion: item.apiVersion ?? page.apiVersion, kind: item.kind ?? kind };
        listed.set(formatKey(keyOf(object)), object);
      }
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion;
    } while (continueToken !== undefined);
    this.#lastListAt = Date.now();

    for (const [key, object] of this.#cache) {
      if (!listed.has(key)) {
        this.#cache.delete(key);
        this.#emit('delete', object);
      }
    }
    for (const [key, object] of listed) {
      const known = this.#cache.has(key);
      this.#cache.set(key, object);
      this.#emit(known ? 'update' : 'add', object);
    }
    this.#resourceVersion = resourceVersion;
    this.#log.debug({ objects: listed.size, resourceVersion }, 'listed');
    if (!this.#synced) {
      this.#synced = true;
      this.#firstSync.resolve();
    }
  }

  async #watchOnce(): Promise<WatchOutcome> {
    const watch = new AbortController();
    const abortWith = (outcome: WatchOutcome) => () => watch.abort(outcome);
    const onStop = abortWith('stopped');
    this.#stop.signal.addEventListener('abort', onStop, { once: true });
    let watchdog = setTimeout(abortWith('watchdog'), this.#watchdogMs);
    const resyncIn = this.#resyncMs > 0 ? Math.max(0, this.#lastListAt + this.#resyncMs - Date.now()) : undefined;
    const resync = resyncIn === undefined ? undefined : setTimeout(abortWith('resync'), resyncIn);
    // As client-go: the server ends each watch after 5 to 10 minutes, spreading the reconnections.
    const timeoutSeconds = Math.round(300 * (1 + Math.random()));
    try {
      const events = await this.#client.watch<T>(
        this.path,
        { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds, labelSelector: this.#labelSelector },
        watch.signal,
      );
      const openedAt = Date.now();
      let received = 0;
      for await (const event of events) {
        received += 1;
        clearTimeout(watchdog);
        watchdog = setTimeout(abortWith('watchdog'), this.#watchdogMs);
        if (this.#apply(event) === 'gone') return 'gone';
      }
      // As client-go: a watch closed at once with nothing in it is a failure (a proxy cutting
      // streams, an overloaded server), to be retried with backoff rather than in a tight loop.
      if (received === 0 && Date.now() - openedAt < SHORT_WATCH_MS) throw new Error(`watch ${this.path} closed at once without any event`);
      return 'ended';
    } catch (error) {
      if (watch.signal.aborted) return watch.signal.reason as WatchOutcome;
      throw error;
    } finally {
      clearTimeout(watchdog);
      clearTimeout(resync);
      this.#stop.signal.removeEventListener('abort', onStop);
      if (!watch.signal.aborted) watch.abort('ended'); // closes the connection whatever ended the loop
    }
  }

  #apply(event: WatchEvent<T>): 'gone' | undefined {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; reason?: string; message?: string };
      if (status.code === 410) return 'gone';
      throw new Error(`watch ${this.path}: ${status.code ?? '?'} ${status.reason ?? 'Error'}: ${status.message ?? ''}`);
    }
    const object = event.object;
    const resourceVersion = object.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (resourceVersion) this.#resourceVersion = resourceVersion;
      return undefined;
    }
    const key = formatKey(keyOf(object));
    if (event.type === 'DELETED') {
      this.#cache.delete(key);
      this.#emit('delete', object);
    } else {
      const known = this.#cache.has(key);
      this.#cache.set(key, object);
      this.#emit(known ? 'update' : 'add', object);
    }
    if (resourceVersion) this.#resourceVersion = resourceVersion;
    return undefined;
  }

  #emit(event: InformerEvent, object: T): void {
    for (const handler of this.#handlers[event]) {
      try {
        handler(object);
      } catch (error) {
        // A handler's bug must not stop the cache from following the cluster.
        this.#log.error({ err: error, event, object: object.metadata?.name }, 'informer event handler threw');
      }
    }
  }
}
