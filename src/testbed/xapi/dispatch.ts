// One call, from method name and parameters to a value or a failure, in the order XAPI's
// generated server checks things (ocaml/idl/ocaml_backend/gen_server.ml): "Async." is stripped;
// an unknown method is MESSAGE_METHOD_UNKNOWN (after a session check when it has parameters, as
// XAPI tries it as a host extension); the parameter count must match (MESSAGE_PARAMETER_COUNT_
// MISMATCH, session not counted); the session must be live (SESSION_INVALID); then the method runs.
// An Async call returns a task at once and every later failure lands on the task. Each method also
// answers to its "alternative wire name" with "_" for the first "." (event_from: `from` is a Python
// keyword, so the Python SDK calls that), though not under Async (gen_server.ml says it never did).
import { performance } from 'node:perf_hooks';
import { logger } from '../../log/index.ts';
import { asXapiFailure, methodUnknown, parameterCountMismatch, sessionInvalid, type XapiFailure } from './errors.ts';
import type { CallFaults } from './faults.ts';
import type { SessionTable } from './sessions.ts';
import type { TaskHandle, TaskTable } from './tasks.ts';
import type { WireValue } from './wire.ts';
import { encodeValue } from './xml-rpc.ts';

export interface CallContext {
  session: string;
  /** The task of an Async call (absent when called synchronously). */
  task?: TaskHandle;
}

export interface MethodSpec {
  /** Wire name, e.g. "VM.pool_migrate". */
  name: string;
  /** Parameters after the session that must be given. */
  params: number;
  /** Trailing parameters with defaults that may be left out (XAPI then accepts extra ones too). */
  optional?: number;
  /** Whether the first parameter is a session reference (almost all methods). */
  session: boolean;
  /** Whether Async.<name> exists. */
  async?: boolean;
  run(args: unknown[], context: CallContext): WireValue | Promise<WireValue>;
}

export type CallOutcome =
  | { ok: true; value: WireValue; bare: boolean }
  | { ok: false; failure: XapiFailure };

const ASYNC_PREFIX = 'Async.';

export class Dispatcher {
  readonly #methods = new Map<string, MethodSpec>();
  readonly #alternatives = new Map<string, MethodSpec>();
  readonly #sessions: SessionTable;
  readonly #tasks: TaskTable;
  readonly #faults: CallFaults | undefined;

  /** `faults`: the calls a test asked to fail (faults.ts); none without. */
  constructor(sessions: SessionTable, tasks: TaskTable, methods: MethodSpec[], faults?: CallFaults) {
    this.#sessions = sessions;
    this.#tasks = tasks;
    this.#faults = faults;
    for (const method of methods) {
      this.#methods.set(method.name, method);
      this.#alternatives.set(method.name.replace('.', '_'), method);
    }
  }

  /** What system.listMethods returns: every method, sync names only, as XAPI lists them. */
  listMethods(): string[] {
    return [...this.#methods.keys()];
  }

  async call(method: string, params: unknown[]): Promise<CallOutcome> {
    if (method === 'system.listMethods') return { ok: true, value: this.listMethods(), bare: true };
    const started = performance.now();
    try {
      const value = await this.#call(method, params);
      // Parameters are never logged: login carries the password.
      logger().debug({ method, ms: Math.round(performance.now() - started) }, 'XAPI call');
      return { ok: true, value, bare: false };
    } catch (error) {
      const failure = asXapiFailure(error);
      if (failure.code === 'INTERNAL_ERROR') logger().error({ err: error, method }, 'testbed XAPI call failed');
      else logger().debug({ method, code: failure.code }, 'XAPI call refused');
      return { ok: false, failure };
    }
  }

  async #call(method: string, params: unknown[]): Promise<WireValue> {
    const isAsync = method.startsWith(ASYNC_PREFIX);
    const name = isAsync ? method.slice(ASYNC_PREFIX.length) : method;
    const spec = this.#methods.get(name) ?? (isAsync ? undefined : this.#alternatives.get(name));
    if (!spec || (isAsync && !spec.async)) {
      if (params.length > 0) this.#sessions.check(params[0]);
      throw methodUnknown(name);
    }
    const received = params.length - (spec.session ? 1 : 0);
    const countOk = spec.optional ? received >= spec.params : received === spec.params;
    if (!countOk) throw parameterCountMismatch(name, spec.params, received);
    const session = spec.session ? this.#sessions.check(params[0]) : '';
    const args = spec.session ? params.slice(1) : params;
    const run = this.#plannedRun(spec, session, args);
    if (!isAsync) return run(args, { session });

    const task = this.#tasks.create(method);
    void this.#runTask(run, spec.name, args, { session, task });
    return task.ref;
  }

  /**
   * The method, or the failure a test planned for this call: raised where the method would raise
   * it (in the task of an Async call), except SESSION_INVALID, which the session check raises
   * before any task exists, the session then gone as in XAPI.
   */
  #plannedRun(spec: MethodSpec, session: string, args: unknown[]): MethodSpec['run'] {
    const planned = this.#faults?.next(spec.name, args);
    if (planned === undefined) return spec.run;
    if (planned.code === 'SESSION_INVALID') {
      this.#sessions.forget(session);
      throw sessionInvalid(session);
    }
    return () => {
      throw planned;
    };
  }

  async #runTask(run: MethodSpec['run'], name: string, args: unknown[], context: Required<CallContext>): Promise<void> {
    try {
      const value = await run(args, context);
      this.#tasks.succeed(context.task.ref, encodeValue(value));
    } catch (error) {
      const failure = asXapiFailure(error);
      if (failure.code === 'INTERNAL_ERROR') logger().error({ err: error, method: name }, 'testbed XAPI task failed');
      this.#tasks.fail(context.task.ref, failure);
    }
  }
}
