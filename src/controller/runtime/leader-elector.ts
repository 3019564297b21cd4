// Leader election on a Lease with client-go's semantics, so that of several controller replicas
// exactly one acts at a time:
// - a candidate takes the lease when nobody holds it, or when the holder's record has not
//   changed for leaseDuration (measured on our own clock from when we saw it change: clocks of
//   different machines are never compared);
// - the leader renews every retryPeriod; if it cannot renew for renewDeadline (< leaseDuration,
//   so before anyone else may take over) it stops leading; it also stops at once when it sees
//   another holder (a stolen lease: stricter than client-go, which waits for the deadline);
// - on release() the leader's work is stopped first, then the holder is cleared, so another
//   candidate takes over at its next try instead of waiting for the lease to expire;
// - every write carries the resourceVersion read: of two candidates writing at once, one gets
//   409 Conflict and tries again later.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../log/index.ts';
import { isConflict } from './kube-client.ts';
import { KubeLeaseStore, type LeaseRecord, type LeaseStore, type StoredLease } from './lease-store.ts';
import { microTime } from './micro-time.ts';
import { deadline, pause } from './waits.ts';

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Unique per replica (the pod name); shows in the Lease as holderIdentity. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  /** Where the record lives; by default the Lease namespace/name through kubeConfig. */
  store?: LeaseStore;
  /** Jitter source for the waits between acquire attempts (tests make it fixed). */
  random?: () => number;
}

export interface LeaderCallbacks {
  /** Leadership began; `signal` aborts when it ends. Work must stop soon after that. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Leadership ended (lost or released). Not called when this candidate never led. */
  onStoppedLeading(): void;
  /** The lease's holder changed (also to this candidate). */
  onNewLeader?(identity: string): void;
}

type Attempt = 'renewed' | 'held-by-other' | 'failed';

/** client-go's JitterFactor for the acquire loop; also why retryPeriod * 1.2 < renewDeadline. */
const JITTER_FACTOR = 1.2;

export class LeaderElector {
  readonly identity: string;
  readonly #store: LeaseStore;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #log: Logger;
  readonly #random: () => number;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #leading = false;
  #observed: string | undefined;
  #observedAt = 0;
  #reportedLeader: string | undefined;

  constructor(options: LeaderElectorOptions) {
    this.identity = options.identity;
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!options.identity) throw new Error('leader election: identity must not be empty');
    if (!(this.#leaseDurationMs > this.#renewDeadlineMs)) {
      throw new Error(`leader election: leaseDurationMs (${this.#leaseDurationMs}) must be greater than renewDeadlineMs (${this.#renewDeadlineMs})`);
    }
    if (!(this.#renewDeadlineMs > JITTER_FACTOR * this.#retryPeriodMs)) {
      throw new Error(
        `leader election: renewDeadlineMs (${this.#renewDeadlineMs}) must be greater than ${JITTER_FACTOR} x retryPeriodMs (${this.#retryPeriodMs})`,
      );
    }
    this.#store = options.store ?? new KubeLeaseStore(options.kubeConfig, options.namespace, options.name);
    this.#log = options.log.child({ lease: this.#store.description, identity: options.identity });
    this.#random = options.random ?? Math.random;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Campaigns until leading, leads until leadership is lost or released (release(), or `signal`
   * aborting), then resolves. An elector runs once: after losing, make a new one (or, as
   * client-go's users do, exit and let the pod restart).
   */
  run(callbacks: LeaderCallbacks, signal?: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('leader election: run() was called already on this elector');
    signal?.addEventListener('abort', () => this.#stop.abort(), { once: true });
    if (signal?.aborted) this.#stop.abort();
    this.#running = this.#campaignAndLead(callbacks);
    return this.#running;
  }

  /** Stops campaigning or leading; a leader clears the lease's holder. Resolves when run() ended. */
  async release(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #campaignAndLead(callbacks: LeaderCallbacks): Promise<void> {
    const stop = this.#stop.signal;
    this.#log.info('campaigning for leadership');
    while (!stop.aborted) {
      if ((await this.#tryAcquireOrRenew(callbacks, this.#renewDeadlineMs)) === 'renewed') break;
      await pause(this.#retryPeriodMs * (1 + this.#random() * JITTER_FACTOR), stop);
    }
    if (stop.aborted) {
      // A write may have won the lease just as release() came: give it back (a no-op otherwise).
      await this.#releaseLease();
      return;
    }

    this.#leading = true;
    this.#log.info('became the leader');
    const leadership = new AbortController();
    const work = Promise.resolve()
      .then(() => callbacks.onStartedLeading(leadership.signal))
      .catch((error: unknown) => this.#log.error({ err: error }, 'the leader work failed'));

    const lost = await this.#renewUntilLostOrStopped(callbacks);
    this.#leading = false;
    leadership.abort();
    if (lost) {
      this.#log.error({ why: lost }, 'lost leadership: stopped leading');
    } else {
      await this.#waitForWork(work);
      await this.#releaseLease();
      this.#log.info('released leadership');
    }
    callbacks.onStoppedLeading();
  }

  /** The reason leadership was lost, or undefined when stopped on purpose. */
  async #renewUntilLostOrStopped(callbacks: LeaderCallbacks): Promise<string | undefined> {
    const stop = this.#stop.signal;
    let renewedAt = Date.now();
    for (;;) {
      await pause(this.#retryPeriodMs, stop);
      if (stop.aborted) return undefined;
      const remainingMs = this.#renewDeadlineMs - (Date.now() - renewedAt);
      const attempt = await this.#tryAcquireOrRenew(callbacks, Math.max(remainingMs, 1));
      if (stop.aborted) return undefined;
      if (attempt === 'renewed') {
        renewedAt = Date.now();
      } else if (attempt === 'held-by-other') {
        return `the lease is held by ${this.#reportedLeader ?? 'another candidate'}`;
      } else if (Date.now() - renewedAt >= this.#renewDeadlineMs) {
        return `could not renew the lease within renewDeadline (${this.#renewDeadlineMs} ms)`;
      }
    }
  }

  /** One look at the lease: take it or renew it if we may. Never throws. */
  async #tryAcquireOrRenew(callbacks: LeaderCallbacks, timeoutMs: number): Promise<Attempt> {
    const attemptDeadline = deadline(timeoutMs, this.#stop.signal);
    try {
      return await this.#acquireOrRenew(callbacks, attemptDeadline.signal);
    } finally {
      attemptDeadline.clear();
    }
  }

  async #acquireOrRenew(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<Attempt> {
    const now = Date.now();
    const nowMicro = microTime(new Date(now));
    let current: StoredLease | undefined;
    try {
      current = await this.#store.get(signal);
      if (!current) {
        const record = { holderIdentity: this.identity, leaseDurationSeconds: this.#leaseDurationSeconds(), acquireTime: nowMicro, renewTime: nowMicro, leaseTransitions: 0 };
        this.#observe(await this.#store.create(record, signal), callbacks);
        return 'renewed';
      }
      this.#observe(current, callbacks);
      const { holderIdentity, leaseDurationSeconds } = current.record;
      if (holderIdentity !== '' && holderIdentity !== this.identity && this.#observedAt + leaseDurationSeconds * 1000 > now) {
        return 'held-by-other';
      }
      const ours = holderIdentity === this.identity;
      const record: LeaseRecord = {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.#leaseDurationSeconds(),
        acquireTime: ours ? current.record.acquireTime : nowMicro,
        renewTime: nowMicro,
        leaseTransitions: ours ? current.record.leaseTransitions : current.record.leaseTransitions + 1,
      };
      this.#observe(await this.#store.update(record, current, signal), callbacks);
      return 'renewed';
    } catch (error) {
      if (this.#stop.signal.aborted) return 'failed';
      if (isConflict(error)) this.#log.debug('the lease changed while we wrote it (409): trying again later');
      else this.#log.warn({ err: error }, current ? 'could not write the lease' : 'could not read the lease');
      return 'failed';
    }
  }

  /** Remembers when the record last changed, by our clock: expiry is judged from that moment. */
  #observe(lease: StoredLease, callbacks: LeaderCallbacks): void {
    const seen = JSON.stringify(lease.record);
    if (seen !== this.#observed) {
      this.#observed = seen;
      this.#observedAt = Date.now();
    }
    const holder = lease.record.holderIdentity;
    if (holder !== '' && holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      this.#log.info({ leader: holder }, 'new leader');
      try {
        callbacks.onNewLeader?.(holder);
      } catch (error) {
        this.#log.error({ err: error }, 'onNewLeader threw');
      }
    }
  }

  /** Waits for the leader's work to end before letting another in, but not past the lease's life. */
  async #waitForWork(work: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), this.#leaseDurationMs);
    });
    const ended = await Promise.race([work.then(() => 'ended' as const), expired]);
    clearTimeout(timer);
    if (ended === 'expired') this.#log.warn({ waitedMs: this.#leaseDurationMs }, 'the leader work did not stop in time: releasing anyway');
  }

  async #releaseLease(): Promise<void> {
    const releaseDeadline = deadline(this.#renewDeadlineMs, new AbortController().signal);
    const signal = releaseDeadline.signal;
    try {
      const current = await this.#store.get(signal);
      if (current?.record.holderIdentity !== this.identity) return;
      const now = microTime();
      // As client-go: no holder and a 1 s duration, the transition count kept.
      const record = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.record.leaseTransitions };
      await this.#store.update(record, current, signal);
    } catch (error) {
      this.#log.warn({ err: error, expiresInMs: this.#leaseDurationMs }, 'could not release the lease: another candidate takes over when it expires');
    } finally {
      releaseDeadline.clear();
    }
  }

  #leaseDurationSeconds(): number {
    return Math.max(1, Math.ceil(this.#leaseDurationMs / 1000));
  }
}
