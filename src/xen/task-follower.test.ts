// The task follower reading the data a migration still has to send from the task's other_config
// (the testbed's pre-copy model leaves it there), and reporting nothing of the kind when the key
// is absent, as on a real XenServer.
import type { Xapi } from 'xen-api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.ts';
import { DATA_REMAINING_OTHER_CONFIG_KEY, followTask, taskState, type TaskProgress } from './task-follower.ts';

const log = createLogger({ level: 'silent' });

/** A client whose task.get_record returns these records in turn (the last one over and over). */
function clientReading(records: Record<string, unknown>[]): Xapi {
  let next = 0;
  return {
    status: 'connected',
    connect: async () => undefined,
    call: async (method: string) => {
      if (method !== 'task.get_record') throw new Error(`unexpected call ${method}`);
      return records[Math.min(next++, records.length - 1)];
    },
  } as unknown as Xapi;
}

const pending = (progress: number, otherConfig: Record<string, string> = {}) => ({ status: 'pending', progress, error_info: [], other_config: otherConfig });
const remaining = (bytes: string) => ({ [DATA_REMAINING_OTHER_CONFIG_KEY]: bytes });

describe('Given the record of a migration task', () => {
  it('when its other_config holds the data remaining, then the task state carries it as bytes', () => {
    expect(taskState('OpaqueRef:t', pending(0.5, { ...remaining('536870912'), other: 'x' }))).toEqual({
      ref: 'OpaqueRef:t',
      status: 'pending',
      progress: 0.5,
      errorInfo: [],
      dataRemainingBytes: 536_870_912,
    });
  });

  it('when its other_config has no such key (a real XenServer), then there is no data remaining at all', () => {
    expect(taskState('OpaqueRef:t', pending(0.5, { mirror_vdis: 'x' }))).not.toHaveProperty('dataRemainingBytes');
    expect(taskState('OpaqueRef:t', { status: 'pending', progress: 0.5 })).not.toHaveProperty('dataRemainingBytes');
  });

  it.each(['', 'lots', '-1', 'NaN'])('when the value is %j, then it is ignored rather than reported', (text) => {
    expect(taskState('OpaqueRef:t', pending(0.5, remaining(text)))).not.toHaveProperty('dataRemainingBytes');
  });
});

describe('Given a task followed to its end', () => {
  it('when the task reports data remaining as it goes, then each change is passed on with the progress', async () => {
    const steps: TaskProgress[] = [];
    const final = await followTask(
      clientReading([
        pending(0, remaining('3000')),
        pending(0.5, remaining('1500')),
        pending(0.5, remaining('1500')),
        { ...pending(1, remaining('0')), status: 'success' },
      ]),
      'OpaqueRef:t',
      { pollIntervalMs: 1, reconnectTimeoutMs: 1_000, log, onProgress: (step) => steps.push(step) },
    );
    expect(final).toMatchObject({ status: 'success', dataRemainingBytes: 0 });
    expect(steps).toEqual([
      { progress: 0, status: 'pending', connected: true, dataRemainingBytes: 3000 },
      { progress: 0.5, status: 'pending', connected: true, dataRemainingBytes: 1500 },
      { progress: 1, status: 'success', connected: true, dataRemainingBytes: 0 },
    ]);
  });

  it('when the task reports only progress (a real XenServer), then no data remaining is passed on', async () => {
    const steps: TaskProgress[] = [];
    await followTask(clientReading([pending(0.3), { ...pending(1), status: 'success' }]), 'OpaqueRef:t', {
      pollIntervalMs: 1,
      reconnectTimeoutMs: 1_000,
      log,
      onProgress: (step) => steps.push(step),
    });
    expect(steps).toEqual([
      { progress: 0.3, status: 'pending', connected: true },
      { progress: 1, status: 'success', connected: true },
    ]);
  });
});
