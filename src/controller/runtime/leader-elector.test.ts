// Leader election's timing on a fake clock and an in-memory lease with resourceVersions: who
// leads when, and that two candidates never lead at the same time.
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../log/index.ts';
import { KubeApiError } from './kube-client.ts';
import { LeaderElector, type LeaderCallbacks } from './leader-elector.ts';
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.ts';

const log = createLogger({ level: 'silent', pretty: false });
const TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** The one lease all candidates share, as the API server keeps it. */
class LeaseTable {
  lease: { record: LeaseRecord; resourceVersion: string } | undefined;
  #version = 0;

  write(record: LeaseRecord): StoredLease {
    this.#version += 1;
    this.lease = { record: { ...record }, resourceVersion: String(this.#version) };
    return { record: { ...record }, resourceVersion: this.lease.resourceVersion };
  }
}

/** One candidate's view of the table; `cut` makes every call hang like a dead network. */
class FakeLeaseStore implements LeaseStore {
  readonly description = 'test/lease';
  cut = false;
  readonly #table: LeaseTable;

  constructor(table: LeaseTable) {
    this.#table = table;
  }

  async get(signal: AbortSignal): Promise<StoredLease | undefined> {
    await this.#network(signal);
    const lease = this.#table.lease;
    return lease && { record: { ...lease.record }, resourceVersion: lease.resourceVersion };
  }

  async create(record: LeaseRecord, signal: AbortSignal): Promise<StoredLease> {
    await this.#network(signal);
    if (this.#table.lease) throw new KubeApiError('POST', 'leases', 409, { reason: 'AlreadyExists' });
    return this.#table.write(record);
  }

  async update(record: LeaseRecord, previous: StoredLease, signal: AbortSignal): Promise<StoredLease> {
    await this.#network(signal);
    if (this.#table.lease?.resourceVersion !== previous.resourceVersion) {
      throw new KubeApiError('PUT', 'leases/lease', 409, { reason: 'Conflict' });
    }
    return this.#table.write(record);
  }

  async #network(signal: AbortSignal): Promise<void> {
    await Promise.resolve();
    if (!this.cut) return;
    await new Promise((_resolve, reject) => {
      if (signal.aborted) reject(new Error('aborted'));
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
}

interface Candidate {
  elector: LeaderElector;
  store: FakeLeaseStore;
  startedAt: number[];
  stoppedAt: number[];
  leaders: string[];
  workSignal: AbortSignal | undefined;
  running: Promise<void>;
}

/** Every moment someone started or stopped leading, to check that leaders never overlap. */
const timeline: { at: number; who: string; what: 'start' | 'stop' }[] = [];

function candidate(table: LeaseTable, identity: string, overrides: Partial<typeof TIMING> = {}): Candidate {
  const store = new FakeLeaseStore(table);
  const elector = new LeaderElector({
    kubeConfig: new KubeConfig(),
    namespace: 'test',
    name: 'lease',
    identity,
    log,
    store,
    random: () => 0.5,
    ...TIMING,
    ...overrides,
  });
  const self: Candidate = { elector, store, startedAt: [], stoppedAt: [], leaders: [], workSignal: undefined, running: Promise.resolve() };
  const callbacks: LeaderCallbacks = {
    onStartedLeading(signal) {
      self.startedAt.push(Date.now());
      self.workSignal = signal;
      timeline.push({ at: Date.now(), who: identity, what: 'start' });
    },
    onStoppedLeading() {
      self.stoppedAt.push(Date.now());
      timeline.push({ at: Date.now(), who: identity, what: 'stop' });
    },
    onNewLeader(leader) {
      self.leaders.push(leader);
    },
  };
  self.running = elector.run(callbacks);
  return self;
}

/** At most one leader at any moment of the timeline. */
function leadersNeverOverlap(): boolean {
  const leading = new Set<string>();
  for (const entry of timeline) {
    if (entry.what === 'start') {
      if (leading.size > 0) return false;
      leading.add(entry.who);
    } else {
      leading.delete(entry.who);
    }
  }
  return true;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  timeline.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Given no lease yet', () => {
  describe('When one candidate runs', () => {
    it('Then it creates the lease holding it and starts leading at once', async () => {
      const table = new LeaseTable();
      const a = candidate(table, 'a');
      await vi.advanceTimersByTimeAsync(0);
      expect(a.elector.isLeader).toBe(true);
      expect(a.startedAt).toEqual([1_000_000]);
      expect(a.leaders).toEqual(['a']);
      expect(table.lease?.record).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
      expect(table.lease?.record.acquireTime).toBe(table.lease?.record.renewTime);
      await a.elector.release();
    });

    it('Then it renews every retryPeriod, keeping acquireTime', async () => {
      const table = new LeaseTable();
      const a = candidate(table, 'a');
      await vi.advanceTimersByTimeAsync(0);
      const acquired = table.lease?.record.acquireTime;
      await vi.advanceTimersByTimeAsync(2_000);
      expect(table.lease?.record.renewTime).toBe(new Date(1_002_000).toISOString().replace('Z', '000Z'));
      expect(table.lease?.record.acquireTime).toBe(acquired);
      expect(table.lease?.record.leaseTransitions).toBe(0);
      await a.elector.release();
    });
  });

  describe('When two candidates start at the same moment', () => {
    it('Then exactly one leads (the other loses the create with 409) and both know who', async () => {
      const table = new LeaseTable();
      const a = candidate(table, 'a');
      const b = candidate(table, 'b');
      await vi.advanceTimersByTimeAsync(60_000);
      expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
      const leader = a.elector.isLeader ? 'a' : 'b';
      expect(a.leaders).toEqual([leader]);
      expect(b.leaders).toEqual([leader]);
      expect(leadersNeverOverlap()).toBe(true);
      await Promise.all([a.elector.release(), b.elector.release()]);
    });
  });
});

describe('Given a leader and a follower', () => {
  async function leaderAndFollower(): Promise<{ table: LeaseTable; a: Candidate; b: Candidate }> {
    const table = new LeaseTable();
    const a = candidate(table, 'a');
    await vi.advanceTimersByTimeAsync(0);
    const b = candidate(table, 'b');
    await vi.advanceTimersByTimeAsync(0);
    return { table, a, b };
  }

  describe('When the leader keeps renewing', () => {
    it('Then the follower never leads, however long it waits', async () => {
      const { a, b } = await leaderAndFollower();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(a.elector.isLeader).toBe(true);
      expect(b.startedAt).toEqual([]);
      expect(b.leaders).toEqual(['a']);
      await Promise.all([a.elector.release(), b.elector.release()]);
    });
  });

  describe('When the leader releases', () => {
    it('Then its work is told to stop, the holder is cleared, and the follower leads at its next try', async () => {
      const { table, a, b } = await leaderAndFollower();
      await vi.advanceTimersByTimeAsync(5_000);
      const releasedAt = Date.now();
      await a.elector.release();
      expect(a.workSignal?.aborted).toBe(true);
      expect(a.stoppedAt).toEqual([releasedAt]);
      expect(table.lease?.record.holderIdentity === '' || table.lease?.record.holderIdentity === 'b').toBe(true);

      // The next try is one jittered retry period away (2 s x (1 + 0.5 x 1.2)), not a lease duration.
      await vi.advanceTimersByTimeAsync(3_200);
      expect(b.elector.isLeader).toBe(true);
      expect(table.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
      expect(leadersNeverOverlap()).toBe(true);
      await b.elector.release();
    });
  });

  describe('When the follower releases', () => {
    it('Then it stops campaigning and run() ends, the lease untouched and no onStoppedLeading', async () => {
      const { table, a, b } = await leaderAndFollower();
      await vi.advanceTimersByTimeAsync(3_000);
      const before = JSON.stringify(table.lease?.record);
      const version = table.lease?.resourceVersion;
      await b.elector.release();
      await b.running;
      expect(b.stoppedAt).toEqual([]);
      expect(table.lease?.resourceVersion).toBe(version);
      expect(JSON.stringify(table.lease?.record)).toBe(before);
      expect(a.elector.isLeader).toBe(true);
      await a.elector.release();
    });
  });

  describe('When the leader can no longer reach the lease (it stops renewing)', () => {
    it('Then it stops leading within renewDeadline, and the follower leads only after leaseDuration', async () => {
      const { table, a, b } = await leaderAndFollower();
      await vi.advanceTimersByTimeAsync(4_000);
      const lastRenew = Date.parse(table.lease?.record.renewTime ?? '');
      a.store.cut = true;

      await vi.advanceTimersByTimeAsync(10_000);
      expect(a.elector.isLeader).toBe(false);
      expect(a.stoppedAt).toHaveLength(1);
      expect(a.stoppedAt[0]).toBeLessThanOrEqual(lastRenew + TIMING.renewDeadlineMs);
      expect(a.workSignal?.aborted).toBe(true);
      await a.running; // run() ends when leadership is lost
      expect(b.elector.isLeader).toBe(false);

      await vi.advanceTimersByTimeAsync(10_000);
      expect(b.elector.isLeader).toBe(true);
      expect(b.startedAt[0]).toBeGreaterThanOrEqual(lastRenew + TIMING.leaseDurationMs);
      expect(table.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
      expect(leadersNeverOverlap()).toBe(true);
      await b.elector.release();
    });
  });

  describe('When someone else takes the lease (it is stolen)', () => {
    it('Then the leader stops leading at its next renew, without waiting for the deadline', async () => {
      const { table, a, b } = await leaderAndFollower();
      await vi.advanceTimersByTimeAsync(1_000);
      table.write({ holderIdentity: 'thief', leaseDurationSeconds: 3600, leaseTransitions: 7, renewTime: 'x' });
      const stolenAt = Date.now();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(a.elector.isLeader).toBe(false);
      expect(a.stoppedAt[0]).toBeLessThanOrEqual(stolenAt + TIMING.retryPeriodMs);
      expect(a.leaders).toEqual(['a', 'thief']);
      expect(b.elector.isLeader).toBe(false);
      await b.elector.release();
    });
  });
});

describe('Given timings that cannot work', () => {
  it('Then the elector refuses them, naming them', () => {
    const make = (timing: Partial<typeof TIMING>) => () =>
      new LeaderElector({ kubeConfig: new KubeConfig(), namespace: 'n', name: 'l', identity: 'a', log, store: new FakeLeaseStore(new LeaseTable()), ...TIMING, ...timing });
    expect(make({ renewDeadlineMs: 15_000 })).toThrow(/leaseDurationMs .* renewDeadlineMs/);
    expect(make({ retryPeriodMs: 9_000 })).toThrow(/renewDeadlineMs .* retryPeriodMs/);
    expect(() => new LeaderElector({ kubeConfig: new KubeConfig(), namespace: 'n', name: 'l', identity: '', log })).toThrow(/identity/);
  });
});
