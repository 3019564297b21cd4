// How many connections a run may open. Faban gives every user its own connection; with 100 000
// simulated users that is 100 000 sockets, past any process's open-file limit, and a pool that
// tries fails every request with EMFILE. So the pool is sized to the users but capped by the
// file descriptors this process may open (less a margin for everything else it has open).
import { readFileSync } from 'node:fs';

/** Used when the limit cannot be read (not Linux). */
const UNKNOWN_LIMIT_CONNECTIONS = 10_000;
/** Descriptors left for the process's own files, the probe, logs, a co-located server... */
const MARGIN = 512;

/** The soft limit on open files of this process, from /proc/self/limits; undefined if unknown. */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
  const line = /^Max open files\s+(\S+)/m.exec(text);
  if (!line || line[1] === 'unlimited') return undefined;
  const limit = Number(line[1]);
  return Number.isFinite(limit) ? limit : undefined;
}

/** The connections a pool for `users` users may open under an open-file limit of `limit`. */
export function connectionBudget(users: number, limit: number | undefined): number {
  const cap = limit === undefined ? UNKNOWN_LIMIT_CONNECTIONS : Math.max(16, Math.floor(limit * 0.9) - MARGIN);
  return Math.max(1, Math.min(users, cap));
}
