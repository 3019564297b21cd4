// Tasks (ocaml/xapi/taskHelper.ml, xapi_task.ml). An Async.* call returns a pending task at once;
// the work reports progress on it and ends it: success (progress 1, `result` the XML-RPC encoding
// of the return value), failure (error_info [code, params...]) or, when a cancel was asked and
// honoured, cancelled with error_info [TASK_CANCELLED, task]. task.cancel only asks: the work
// decides whether it can still stop. task.destroy of a pending task waits for its end.
import { NULL_REF, type TaskRecord } from './classes.ts';
import { type XapiFailure } from './errors.ts';
import { newRef, type ObjectStore } from './store.ts';
import { randomUUID } from 'node:crypto';
import { NO_DATE } from './wire.ts';

export class TaskHandle {
  readonly ref: string;
  readonly #tasks: TaskTable;
  readonly #cancelListeners: (() => void)[] = [];

  constructor(ref: string, tasks: TaskTable) {
    this.ref = ref;
    this.#tasks = tasks;
  }

  /** Sets the progress (0..1) and, in one update, any `otherConfig` keys beside the task's others. */
  setProgress(fraction: number, otherConfig?: Record<string, string>): void {
    this.#tasks.setProgress(this.ref, Math.min(1, Math.max(0, fraction)), otherConfig);
  }

  /** Whether task.cancel can stop the work now (shown to clients in allowed_operations). */
  setCancellable(cancellable: boolean): void {
    this.#tasks.update(this.ref, { allowed_operations: cancellable ? ['cancel'] : [] });
  }

  /** Called when a client asks to cancel; the work may honour it or finish anyway. */
  onCancel(listener: () => void): void {
    this.#cancelListeners.push(listener);
  }

  requestCancel(): void {
    for (const listener of this.#cancelListeners) listener();
  }
}

export class TaskTable {
  readonly #store: ObjectStore;
  readonly #residentOn: string;
  readonly #handles = new Map<string, TaskHandle>();

  /** `residentOn`: the host running the tasks (the pool master). */
  constructor(store: ObjectStore, residentOn: string) {
    this.#store = store;
    this.#residentOn = residentOn;
  }

  create(label: string, description = ''): TaskHandle {
    const record: TaskRecord = {
      uuid: randomUUID(),
      name_label: label,
      name_description: description,
      allowed_operations: [],
      current_operations: {},
      created: Date.now(),
      finished: NO_DATE,
      status: 'pending',
      resident_on: this.#residentOn,
      progress: 0,
      type: '<none/>',
      result: '',
      error_info: [],
      other_config: {},
      subtask_of: NULL_REF,
      subtasks: [],
      backtrace: '()',
    };
    const ref = this.#store.add('task', record);
    const handle = new TaskHandle(ref, this);
    this.#handles.set(ref, handle);
    return handle;
  }

  update(ref: string, patch: Partial<TaskRecord>): void {
    if (this.#store.find('task', ref)?.status !== 'pending') return;
    this.#store.update('task', ref, patch);
  }

  setProgress(ref: string, progress: number, otherConfig?: Record<string, string>): void {
    const task = this.#store.find('task', ref);
    if (task?.status !== 'pending') return;
    this.#store.update('task', ref, otherConfig ? { progress, other_config: { ...task.other_config, ...otherConfig } } : { progress });
  }

  succeed(ref: string, resultXml: string): void {
    this.#finish(ref, { status: 'success', result: resultXml });
  }

  fail(ref: string, failure: XapiFailure): void {
    const status = failure.code === 'TASK_CANCELLED' ? 'cancelled' : 'failure';
    this.#finish(ref, { status, error_info: [failure.code, ...failure.params] });
  }

  /** task.cancel: records the request, as XAPI does in current_operations, and tells the work. */
  cancel(ref: string): void {
    const task = this.#store.get('task', ref);
    if (task.status !== 'pending') return;
    this.#store.update('task', ref, { current_operations: { ...task.current_operations, [newRef()]: 'cancel' } });
    this.#handles.get(ref)?.requestCancel();
  }

  /** task.destroy: gone now if finished, else once it finishes. */
  destroy(ref: string): void {
    const task = this.#store.get('task', ref);
    if (task.status === 'pending') {
      this.#store.update('task', ref, { current_operations: { ...task.current_operations, task: 'destroy' } });
      return;
    }
    this.#store.remove('task', ref);
    this.#handles.delete(ref);
  }

  #finish(ref: string, outcome: Partial<TaskRecord>): void {
    const task = this.#store.find('task', ref);
    if (task?.status !== 'pending') return;
    this.#store.update('task', ref, {
      ...outcome,
      progress: 1,
      finished: Date.now(),
      allowed_operations: [],
    });
    if (task.current_operations.task === 'destroy') this.destroy(ref);
  }
}
