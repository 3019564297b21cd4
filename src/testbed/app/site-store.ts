// What the site asks of its data, one awaited call a query: the store beside it in this process,
// or the database guest's over TCP (store-client.ts), when the reference app's data lives in a VM
// of its own and a migration of that VM stalls whatever the site asks of it meanwhile.
import type { SocialStore } from './social-store.ts';

/** The SocialStore methods the site calls, and the database guest serves. */
export const STORE_METHODS = [
  'sessionUser',
  'logIn',
  'logOut',
  'upcomingEvents',
  'tagCloud',
  'eventsTagged',
  'event',
  'eventPage',
  'isAttending',
  'personById',
  'personPage',
  'blob',
  'attend',
  'addPerson',
  'addEvent',
] as const;
export type StoreMethod = (typeof STORE_METHODS)[number];

export type SiteStore = {
  [K in StoreMethod]: (...args: Parameters<SocialStore[K]>) => Promise<ReturnType<SocialStore[K]>>;
} & {
  /** Answers once the data answers: what /healthz waits for. */
  ping(): Promise<void>;
};

export function isStoreMethod(name: string): name is StoreMethod {
  return (STORE_METHODS as readonly string[]).includes(name);
}

/** Calls `method` of `store` with `args` (the server's dispatch and the in-process store alike). */
export function callStore(store: SocialStore, method: StoreMethod, args: readonly unknown[]): unknown {
  return (store[method] as (...args: unknown[]) => unknown).apply(store, [...args]);
}

/** The store in this process, as the site awaits it. */
export function inProcessStore(store: SocialStore): SiteStore {
  const calls = Object.fromEntries(STORE_METHODS.map((method) => [method, (...args: unknown[]) => Promise.resolve().then(() => callStore(store, method, args))]));
  return { ...calls, ping: () => Promise.resolve() } as SiteStore;
}
