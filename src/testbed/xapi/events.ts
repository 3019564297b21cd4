// event.from and event.inject (ocaml/xapi/xapi_event.ml). A token is "<generation>,<message
// generation>", both zero-padded to 20 digits; "" means "from the beginning" (every object comes
// back as `add`). event.from blocks until something the caller subscribed to changed after the
// token, or the timeout passes, then returns {events, valid_ref_counts, token}; the counts let
// the xen-api client notice tasks it missed.
import { setLongTimeout } from '../../quantity/index.ts';
import { isClassName, type ClassName } from './classes.ts';
import { eventFromTokenParseFailure, XapiFailure } from './errors.ts';
import { encodeRecord } from './records.ts';
import type { Change, ObjectStore } from './store.ts';
import { XapiInt32, type WireValue } from './wire.ts';

export function formatToken(generation: number): string {
  return `${String(generation).padStart(20, '0')},${'0'.padStart(20, '0')}`;
}

export function parseToken(token: string): number {
  if (token === '') return 0;
  const parts = token.split(',');
  const generation = Number(parts[0]);
  if (parts.length !== 2 || !/^\d+$/.test(parts[0] ?? '') || !/^\d+$/.test(parts[1] ?? '')) {
    throw eventFromTokenParseFailure(token);
  }
  return generation;
}

/** A subscription: "*", a class ("vm"), or one object ("vm/OpaqueRef:..."); class names ignore case. */
export function subscriptionFilter(classes: string[]): (cls: ClassName, ref: string) => boolean {
  const subscriptions = classes.map((entry) => {
    if (entry === '*') return { cls: '*', ref: undefined };
    const slash = entry.indexOf('/');
    if (slash < 0) return { cls: entry.toLowerCase(), ref: undefined };
    return { cls: entry.slice(0, slash).toLowerCase(), ref: entry.slice(slash + 1) };
  });
  return (cls, ref) =>
    subscriptions.some(
      (s) => s.cls === '*' || (s.cls === cls.toLowerCase() && (s.ref === undefined || s.ref === ref)),
    );
}

export class EventService {
  readonly #store: ObjectStore;
  readonly #waiters = new Set<() => void>();

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  /** event.inject: touches the object and returns a token just before that touch. */
  inject(cls: string, ref: string): string {
    if (!isClassName(cls)) throw new XapiFailure('HANDLE_INVALID', [cls, ref]);
    const generation = this.#store.touch(cls, ref);
    return formatToken(generation - 1);
  }

  async from(classes: string[], token: string, timeoutSeconds: number): Promise<WireValue> {
    const since = parseToken(token);
    const wanted = subscriptionFilter(classes);
    const deadline = Date.now() + Math.max(0, timeoutSeconds) * 1000;
    let changes = this.#store.changesSince(since, wanted);
    while (changes.length === 0 && Date.now() < deadline) {
      if (!(await this.#nextChange(deadline))) break;
      changes = this.#store.changesSince(since, wanted);
    }
    const counts = Object.entries(this.#store.classCounts()).map(([cls, n]) => [cls, new XapiInt32(n)]);
    return {
      events: changes.map(encodeEvent),
      valid_ref_counts: Object.fromEntries(counts) as Record<string, WireValue>,
      token: formatToken(this.#store.generation),
    };
  }

  /** Wakes every blocked event.from (the server is closing); they return what they have. */
  wakeAll(): void {
    for (const wake of this.#waiters) wake();
  }

  /** Resolves true on the next write, false at the deadline or when woken. */
  #nextChange(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        cancel();
        this.#store.changes.off('change', onChange);
        this.#waiters.delete(onWake);
        resolve(changed);
      };
      const onChange = () => finish(true);
      const onWake = () => finish(false);
      // A client's timeout may be any float: a timer beyond 2^31-1 ms would fire at once.
      const cancel = setLongTimeout(() => finish(false), deadline - Date.now());
      this.#store.changes.on('change', onChange);
      this.#waiters.add(onWake);
    });
  }
}

/** XAPI's event record: id (a string), timestamp, class in lower case, operation, ref, snapshot. */
function encodeEvent(change: Change): WireValue {
  const event: Record<string, WireValue> = {
    id: String(change.generation),
    timestamp: '0.0',
    class: change.cls.toLowerCase(),
    operation: change.operation,
    ref: change.ref,
  };
  if (change.record) event.snapshot = encodeRecord(change.cls, change.record);
  return event;
}
