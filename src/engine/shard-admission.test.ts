import { describe, expect, it } from 'vitest';
import type { WorkerPresence } from '../queue/worker-registry.ts';
import { admitByClock, admitShard, CLOCK_WAIT_MS, FAIR_SHARE_WAIT_MS } from './shard-admission.ts';
import { clockRefusal } from './worker-clock.ts';

function worker(id: string, loadShards = 0, clockInBound = true): WorkerPresence {
  return { id, loadConcurrency: 16, loadShards, clockOffsetMs: 0, clockInBound };
}

const CLOCK = "this worker's clock is 5 s ahead of Redis's";

describe('given a load shard offered to a worker process', () => {
  it('when it drives less than ceil(shards / workers with room), then it takes it', () => {
    expect(admitShard({ shards: 6, mine: 1, others: [worker('b'), worker('c')], clockRefused: undefined, declinedForMs: 0 })).toEqual({ verdict: 'take' });
    expect(admitShard({ shards: 7, mine: 2, others: [worker('b'), worker('c')], clockRefused: undefined, declinedForMs: 0 }).verdict).toBe('take');
  });

  it('when it already drives its fair share and another worker has room, then it hands the shard back, shortly', () => {
    const admission = admitShard({ shards: 6, mine: 2, others: [worker('b'), worker('c')], clockRefused: undefined, declinedForMs: 0 });
    expect(admission).toMatchObject({ verdict: 'handBack', reason: 'fairShare', delayMs: 100 });
  });

  it('when the other workers are full or out of bound, then its fair share is everything', () => {
    const full = { ...worker('b'), loadShards: 16 };
    expect(admitShard({ shards: 6, mine: 5, others: [full, worker('c', 0, false)], clockRefused: undefined, declinedForMs: 0 }).verdict).toBe('take');
    expect(admitShard({ shards: 6, mine: 5, others: [], clockRefused: undefined, declinedForMs: 0 }).verdict).toBe('take');
  });

  it('when nobody else took it within the bound, then it takes it anyway and says so', () => {
    const admission = admitShard({ shards: 6, mine: 3, others: [worker('b')], clockRefused: undefined, declinedForMs: FAIR_SHARE_WAIT_MS });
    expect(admission).toMatchObject({ verdict: 'take', note: expect.stringContaining('beyond this worker') });
  });

  it('when its clock is out of bound and another worker is in bound, then it hands the shard back, even with nothing driven', () => {
    const admission = admitShard({ shards: 2, mine: 0, others: [worker('b', 16)], clockRefused: CLOCK, declinedForMs: 0 });
    expect(admission).toMatchObject({ verdict: 'handBack', reason: 'clock', message: expect.stringContaining(CLOCK) });
  });

  it('when its clock is out of bound and no live worker is in bound, or none took it in time, then the shard fails with the reason', () => {
    expect(admitShard({ shards: 2, mine: 0, others: [worker('b', 0, false)], clockRefused: CLOCK, declinedForMs: 0 })).toEqual({ verdict: 'fail', message: `${CLOCK}; no other live worker has its clock in bound` });
    expect(admitShard({ shards: 2, mine: 0, others: [worker('b')], clockRefused: CLOCK, declinedForMs: CLOCK_WAIT_MS })).toMatchObject({ verdict: 'fail', message: expect.stringContaining('within 60 s') });
  });
});

describe('given a migration offered to a worker process', () => {
  it('when its clock is in bound, then the clock rule has nothing to say, however busy the others are', () => {
    expect(admitByClock({ others: [], clockRefused: undefined, declinedForMs: 0 }, 'migration')).toBeUndefined();
  });

  it('when its clock is out of bound, then it hands the migration back for a worker in bound, and fails it when there is none or none took it in time', () => {
    expect(admitByClock({ others: [worker('b', 16)], clockRefused: CLOCK, declinedForMs: 0 }, 'migration')).toMatchObject({ verdict: 'handBack', reason: 'clock', delayMs: 100 });
    expect(admitByClock({ others: [worker('b', 0, false)], clockRefused: CLOCK, declinedForMs: 0 }, 'migration')).toEqual({ verdict: 'fail', message: `${CLOCK}; no other live worker has its clock in bound` });
    expect(admitByClock({ others: [worker('b')], clockRefused: CLOCK, declinedForMs: CLOCK_WAIT_MS }, 'migration')).toEqual({ verdict: 'fail', message: `${CLOCK}; no worker in bound took the migration within 60 s` });
  });
});

describe('given a clock reading against Redis', () => {
  it('then an offset within the bound, or within it give or take half the round trip, is accepted', () => {
    expect(clockRefusal({ offsetMs: 999, uncertaintyMs: 0 }, 1000)).toBeUndefined();
    expect(clockRefusal({ offsetMs: -1040, uncertaintyMs: 50 }, 1000)).toBeUndefined();
  });

  it('then an offset beyond it is refused, saying which way, by how much, and what to do', () => {
    expect(clockRefusal({ offsetMs: 2500, uncertaintyMs: 1 }, 1000)).toBe(
      "this worker's clock is 2.5 s ahead of Redis's (TIME), more than --max-clock-offset 1 s: its users would start off the run's timetable and their actions be filed under the wrong seconds; sync its clock (NTP, chrony)",
    );
    expect(clockRefusal({ offsetMs: -1200, uncertaintyMs: 100 }, 500)).toContain('1.2 s behind Redis');
    expect(clockRefusal({ offsetMs: 2500, uncertaintyMs: 1 }, 1000, 'migration')).toContain(': the migration would start off the run\'s timetable and its downtime be timed on the wrong seconds; sync its clock');
  });
});
