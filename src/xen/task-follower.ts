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

export type TaskStatus = 'pending' | 'success' | 'failure' | 'cancelling' | 'cancelled';

export interface TaskState {
  ref: string;
  status: TaskStatus;
  /** 0..1 as XAPI reports it. */
  progress: number;
  /** [code, ...params] when the task failed. */
  errorInfo: string[];
}

export interface TaskProgress {
  /** 0..1; while the connection is down, the last value seen. */
  progress: number;
  status: TaskStatus;
  /** False while the connection to XAPI is down and we are trying to get it back. */
  connected: boolean;
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
  let lastReported: string | undefined;
  const report = (progress: TaskProgress): void => {
    const key = `${progress.status}:${progress.progress}:${progress.connected}`;
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
      report({ progress: lastProgress, status: 'pending', connected: false });
      await sleep(Math.min(options.pollIntervalMs * 4, 2_000));
      continue;
    }
    if (lostSince !== undefined) {
      options.log.info({ task: ref, downMs: Date.now() - lostSince }, 'connection to XAPI is back; task re-read');
      lostSince = undefined;
    }
    lastProgress = state.progress;
    report({ progress: state.progress, status: state.status, connected: true });
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
  return { ref, status: status as TaskStatus, progress: Number.isFinite(progress) ? progress : 0, errorInfo };
}

const TASK_STATUSES = new Set<string>(['pending', 'success', 'failure', 'cancelling', 'cancelled']);

/** The session went away with the server (and the client's own re-login failed, or is pending). */
function isLostSession(error: unknown): boolean {
  return isXapiFailure(error) && error.code === 'SESSION_INVALID';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
