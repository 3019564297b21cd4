// Kubernetes Events (events.k8s.io/v1) about the objects a controller drives: what `kubectl
// describe` and `kubectl events` show. Recording never throws: an Event is worth a log line at
// most, never a failed reconcile. A repeat of the same event within six minutes (as client-go's
// recorder) bumps the first one's series count instead of creating another object.
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../log/index.ts';
import { KubeClient, MERGE_PATCH, isNotFound } from './kube-client.ts';
import { microTime } from './micro-time.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { namespace?: string; name: string; uid?: string; resourceVersion?: string };
}

interface SeriesEntry {
  namespace: string;
  name: string;
  count: number;
  firstAt: number;
}

const SERIES_WINDOW_MS = 6 * 60_000;
const MAX_SERIES = 4096;
const MAX_NOTE_BYTES = 1024;

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #component: string;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #series = new Map<string, SeriesEntry>();

  /** `component` is the reporting controller, e.g. "migrascope.io/controller". */
  constructor(kc: KubeConfig, component: string, log: Logger) {
    this.#client = KubeClient.for(kc);
    this.#component = component;
    this.#instance = `${component.replace(/[^a-z0-9.-]/gi, '-')}-${hostname()}`.slice(0, 128);
    this.#log = log.child({ component: 'event-recorder' });
  }

  /** `action` says what was done or failed (defaults to the reason), e.g. "Migrate". */
  async record(object: EventSubject, type: EventType, reason: string, message: string, action: string = reason): Promise<void> {
    const namespace = object.metadata.namespace || 'default';
    const note = truncateUtf8(message, MAX_NOTE_BYTES);
    const seriesKey = JSON.stringify([object.kind, namespace, object.metadata.name, object.metadata.uid, type, reason, action, note]);
    try {
      const repeat = this.#series.get(seriesKey);
      if (repeat && Date.now() - repeat.firstAt < SERIES_WINDOW_MS && (await this.#bumpSeries(repeat))) return;
      const name = `${object.metadata.name}.${eventSuffix()}`;
      await this.#client.request('POST', `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace },
        eventTime: microTime(),
        reportingController: this.#component,
        reportingInstance: this.#instance,
        action,
        reason,
        note,
        type,
        regarding: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          namespace: object.metadata.namespace,
          name: object.metadata.name,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
      });
      this.#remember(seriesKey, { namespace, name, count: 1, firstAt: Date.now() });
    } catch (error) {
      this.#log.warn({ err: error, object: `${namespace}/${object.metadata.name}`, reason }, 'could not record an Event');
    }
  }

  /** True when the earlier event now counts this repeat; false when it is gone (make a new one). */
  async #bumpSeries(entry: SeriesEntry): Promise<boolean> {
    try {
      await this.#client.request(
        'PATCH',
        `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(entry.namespace)}/events/${encodeURIComponent(entry.name)}`,
        { series: { count: entry.count + 1, lastObservedTime: microTime() } },
        MERGE_PATCH,
      );
      entry.count += 1;
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  #remember(key: string, entry: SeriesEntry): void {
    this.#series.delete(key);
    this.#series.set(key, entry);
    if (this.#series.size > MAX_SERIES) {
      const oldest = this.#series.keys().next();
      if (!oldest.done) this.#series.delete(oldest.value);
    }
  }
}

let sequence = 0;

/** Unique per event like client-go's (nanoseconds since the epoch in hex); a counter fills the ns. */
function eventSuffix(): string {
  sequence = (sequence + 1) % 1_000_000;
  return (BigInt(Date.now()) * 1_000_000n + BigInt(sequence)).toString(16);
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  // Cut on a character boundary: the decoder drops a partial last character.
  return new TextDecoder().decode(bytes.subarray(0, maxBytes - 3)).replace(/\uFFFD$/, '') + '...';
}
