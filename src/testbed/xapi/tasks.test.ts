import { describe, expect, it } from 'vitest';
import { XapiFailure } from './errors.ts';
import { ObjectStore } from './store.ts';
import { TaskTable } from './tasks.ts';

function setUp() {
  const store = new ObjectStore();
  return { store, tasks: new TaskTable(store, 'OpaqueRef:master') };
}

describe('Given a pending task', () => {
  it('When it is created, Then it is pending at progress 0 on the master, not finished', () => {
    const { store, tasks } = setUp();
    const task = tasks.create('Async.VM.pool_migrate');
    expect(store.get('task', task.ref)).toMatchObject({ status: 'pending', progress: 0, resident_on: 'OpaqueRef:master', finished: 0, result: '' });
  });

  it('When the work reports progress with other_config keys, Then both change together and the other keys stay', () => {
    const { store, tasks } = setUp();
    const task = tasks.create('x');
    store.update('task', task.ref, { other_config: { kept: 'yes' } });
    task.setProgress(0.25, { remaining: '300' });
    task.setProgress(0.5, { remaining: '150' });
    task.setProgress(0.75);
    expect(store.get('task', task.ref)).toMatchObject({ progress: 0.75, other_config: { kept: 'yes', remaining: '150' } });
  });

  it('When the work fails, Then status failure, progress 1 and error_info [code, params...]', () => {
    const { store, tasks } = setUp();
    const task = tasks.create('x');
    tasks.fail(task.ref, new XapiFailure('VM_BAD_POWER_STATE', ['OpaqueRef:vm', 'running', 'halted']));
    expect(store.get('task', task.ref)).toMatchObject({
      status: 'failure',
      progress: 1,
      error_info: ['VM_BAD_POWER_STATE', 'OpaqueRef:vm', 'running', 'halted'],
    });
    expect(store.get('task', task.ref).finished).toBeGreaterThan(0);
  });

  it('When cancel is asked, Then the work hears it and the request shows in current_operations', () => {
    const { store, tasks } = setUp();
    const task = tasks.create('x');
    let heard = 0;
    task.onCancel(() => (heard += 1));
    tasks.cancel(task.ref);
    expect(heard).toBe(1);
    expect(Object.values(store.get('task', task.ref).current_operations)).toEqual(['cancel']);
    expect(store.get('task', task.ref).status).toBe('pending');
  });

  it('When the work honours a cancel, Then status cancelled with TASK_CANCELLED', () => {
    const { store, tasks } = setUp();
    const task = tasks.create('x');
    tasks.fail(task.ref, new XapiFailure('TASK_CANCELLED', [task.ref]));
    expect(store.get('task', task.ref)).toMatchObject({ status: 'cancelled', error_info: ['TASK_CANCELLED', task.ref] });
  });

  it('When it is destroyed while pending, Then it stays until it ends, then goes', () => {
    const { store, tasks } = setUp();
    const task = tasks.create('x');
    tasks.destroy(task.ref);
    expect(store.get('task', task.ref).status).toBe('pending');
    tasks.succeed(task.ref, '<value></value>');
    expect(store.find('task', task.ref)).toBeUndefined();
  });

  it('When it has ended, Then later progress, cancels and outcomes change nothing', () => {
    const { store, tasks } = setUp();
    const task = tasks.create('x');
    tasks.succeed(task.ref, '<value></value>');
    task.setProgress(0.2);
    tasks.cancel(task.ref);
    tasks.fail(task.ref, new XapiFailure('INTERNAL_ERROR', ['late']));
    expect(store.get('task', task.ref)).toMatchObject({ status: 'success', progress: 1, result: '<value></value>', error_info: [] });
  });
});
