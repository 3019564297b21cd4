// Follows an XAPI task to its end by reading its record, through dropped connections.
//
// A task lives in XAPI, not in our connection: when the connection drops mid-migration the
// migration goes on, and the task reference is still valid once we are back. So a connection
// failure here is not the end of the story: we keep trying (a new socket each time; a new session
// when XAPI no longer knows ours) until the reconnect budget runs out, then re-read the record.
// The xen-api client reconnects sockets by itself and logs in again once on SESSION_INVALID; when
// that fails it marks itself disconnected, and we connect it again.
import type { Xapi } from 'xen-api';
import type { Logger } from '../log/index.ts';
import { TaskLostError, XapiProtocolError } from './errors.ts';
import { explainFailure, isTransientConnectionFailure, isXapiFailure } from './failures.ts';
import type { XapiRecord } from './records.ts';

/**
 * The task other_config key where the testbed leaves the bytes its pre-copy model still has to
 * send, updated as the rounds go on; a real XAPI task has none (and nothing is reported).
 */
export const DATA_REMAINING_OTHER_CONFIG_KEY = 'migrascope_testbed_data_remaining_bytes';

export type TaskStatus = 'pending' | 'success' | 'failure' | 'cancelling' | 'cancelled';

export interface TaskState {
  ref: string;
  status: TaskStatus;
  /** 0..1 as XAPI reports it. */
  progress: number;
  /** [code, ...params] when the task failed. */
  errorInfo: string[];
  /** Bytes the migration still has to send, where the task says (the testbed's model); else undefined. */
  dataRemainingBytes?: number | undefined;
}

export interface TaskProgress {
  /** 0..1; while the connection is down, the last value seen. */
  progress: number;
  status: TaskStatus;
  /** False while the connection to XAPI is down and we are trying to get it back. */
  connected: boolean;
  /** Bytes still to send, where the task says (the testbed's model; never a real XenServer). */
  dataRemainingBytes?: number;
}

export interface FollowOptions {
  pollIntervalMs: number;
  /** How long the connection may stay down before we give up on the task. */
  reconnectTimeoutMs: number;
  onProgress?: ((progress: TaskProgress) => void) | undefined;
  log: Logger;
}

/** Resolves with the task's final state (success, failure or cancelled); never with pending. */
export async function followTask(client: Xapi, ref: string, options: FollowOptions): Promise<TaskState> {
  let lostSince: number | undefined;
  let lastProgress = 0;
  let lastRemaining: number | undefined;
  let lastReported: string | undefined;
  const report = (progress: TaskProgress): void => {
    const key = `${progress.status}:${progress.progress}:${progress.connected}:${progress.dataRemainingBytes}`;
    if (key === lastReported) return;
    lastReported = key;
    options.onProgress?.(progress);
  };

  for (;;) {
    let state: TaskState;
    try {
      if (client.status === 'disconnected') await client.connect();
      state = taskState(ref, (await client.call('task.get_record', ref)) as XapiRecord);
    } catch (error) {
      if (isXapiFailure(error) && error.code === 'HANDLE_INVALID') {
        throw new TaskLostError(
          `XAPI no longer knows the migration's task ${ref} (XAPI restarted or someone destroyed it); ` +
            'look at where the VM runs now before migrating again',
          { xapiCode: error.code, params: error.params, cause: error },
        );
      }
      if (!isTransientConnectionFailure(error) && !isLostSession(error)) throw explainFailure(error);
      if (lostSince === undefined) {
        lostSince = Date.now();
        options.log.warn({ task: ref, err: error }, 'connection to XAPI lost; following the task again once it is back');
      }
      const downFor = Date.now() - lostSince;
      if (downFor > options.reconnectTimeoutMs) {
        const reason = explainFailure(error);
        throw new TaskLostError(
          `lost the connection to XAPI for ${Math.round(downFor / 1000)} s while following task ${ref} ` +
            `(${reason.message}); the migration may still have happened: look at where the VM runs now`,
          { cause: error },
        );
      }
      report(withRemaining({ progress: lastProgress, status: 'pending', connected: false }, lastRemaining));
      await sleep(Math.min(options.pollIntervalMs * 4, 2_000));
      continue;
    }
    if (lostSince !== undefined) {
      options.log.info({ task: ref, downMs: Date.now() - lostSince }, 'connection to XAPI is back; task re-read');
      lostSince = undefined;
    }
    lastProgress = state.progress;
    lastRemaining = state.dataRemainingBytes;
    report(withRemaining({ progress: state.progress, status: state.status, connected: true }, lastRemaining));
    if (state.status !== 'pending' && state.status !== 'cancelling') return state;
    await sleep(options.pollIntervalMs);
  }
}

export function taskState(ref: string, record: XapiRecord): TaskState {
  const status = record.status;
  if (typeof status !== 'string' || !TASK_STATUSES.has(status)) {
    throw new XapiProtocolError(`XAPI sent task ${ref} with status ${JSON.stringify(status)}`);
  }
  const progress = Number(record.progress);
  const errorInfo = Array.isArray(record.error_info) ? record.error_info.map(String) : [];
  const state: TaskState = { ref, status: status as TaskStatus, progress: Number.isFinite(progress) ? progress : 0, errorInfo };
  const remaining = dataRemaining(record);
  if (remaining !== undefined) state.dataRemainingBytes = remaining;
  return state;
}

/** The testbed's data remaining from the task's other_config: a non-negative number, or undefined. */
function dataRemaining(record: XapiRecord): number | undefined {
  const otherConfig = record.other_config;
  if (typeof otherConfig !== 'object' || otherConfig === null) return undefined;
  const text = (otherConfig as Record<string, unknown>)[DATA_REMAINING_OTHER_CONFIG_KEY];
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const bytes = Number(text);
  return Number.isFinite(bytes) && bytes >= 0 ? bytes : undefined;
}

function withRemaining(progress: TaskProgress, remaining: number | undefined): TaskProgress {
  return remaining === undefined ? progress : { ...progress, dataRemainingBytes: remaining };
}

const TASK_STATUSES = new Set<string>(['pending', 'success', 'failure', 'cancelling', 'cancelled']);

/** The session went away with the server (and the client's own re-login failed, or is pending). */
function isLostSession(error: unknown): boolean {
  return isXapiFailure(error) && error.code === 'SESSION_INVALID';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
