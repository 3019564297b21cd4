// Faults the testbed's XAPI commits on request, so that tests can see what a client does when a
// real pool misbehaves: a call answered with an XAPI error, the session forgotten, the connection
// cut. A test-only control, reached in-process (`Testbed.faults`); nothing in a topology file or
// on the wire turns it on, and the testbed behaves as before until a test asks.
//
// Each fault is what real XAPI does, not a new behaviour: a planned error is raised where the
// method would raise it (inside the task for an Async call, as XAPI's forwarding layer checks
// once the task exists), with the parameters XAPI gives that code (build it with errors.ts);
// SESSION_INVALID is raised before any task exists, as XAPI's session check is, and the session
// is really gone; a cut drops every socket and refuses connections for a while, as a toolstack
// restart does, while tasks and migrations under way go on.
import type { XapiFailure } from './errors.ts';

/** The error a planned call answers; given the call's arguments (after the session) to name its objects. */
export type PlannedFailure = XapiFailure | ((args: readonly unknown[]) => XapiFailure);

export interface XapiFaultControl {
  /** The next `times` calls of `method` ("VM.pool_migrate": its Async form too) answer `failure`. */
  failNext(method: string, failure: PlannedFailure, times?: number): void;
  /** Calls of `method` (sync and Async together) past the session and parameter checks, faults included. */
  calls(method: string): number;
  /** Every session is forgotten, as after a toolstack restart: the next call of each client gets SESSION_INVALID. */
  forgetSessions(): void;
  /** Every connection is dropped and new ones refused for `ms`; resolves once XAPI listens again. */
  cutConnections(ms: number): Promise<void>;
}

/** What the dispatcher asks of the plan on each call. */
export interface CallFaults {
  /** Counts the call; returns the failure planned for it, if any. */
  next(method: string, args: readonly unknown[]): XapiFailure | undefined;
}

export class FaultPlan implements CallFaults {
  readonly #planned = new Map<string, PlannedFailure[]>();
  readonly #calls = new Map<string, number>();

  failNext(method: string, failure: PlannedFailure, times = 1): void {
    const queue = this.#planned.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(failure);
    this.#planned.set(method, queue);
  }

  calls(method: string): number {
    return this.#calls.get(method) ?? 0;
  }

  next(method: string, args: readonly unknown[]): XapiFailure | undefined {
    this.#calls.set(method, this.calls(method) + 1);
    const planned = this.#planned.get(method)?.shift();
    return typeof planned === 'function' ? planned(args) : planned;
  }
}
