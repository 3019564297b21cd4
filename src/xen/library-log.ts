// Where the xen-api client's own log goes. It logs through @xen-orchestra/log, whose default
// transport writes DEBUG records (enabled by DEBUG=* or NODE_DEBUG) with console.log: to stdout,
// where they corrupt `--json`, with the call's arguments and results (a session.login result is the
// session ref). That transport is replaced, process-wide, by one that hands the record's namespace
// and message (never its data: arguments, results, refs) to our logger, on stderr: warnings and
// errors as warnings, the rest at debug level.
import { logger } from '../log/index.ts';

interface LibraryLogRecord {
  level: number;
  namespace: string;
  message: string;
  data?: unknown;
}

/** @xen-orchestra/log keeps its transport on the global object, under this symbol, and reads it at each record. */
const TRANSPORT = Symbol.for('@xen-orchestra/log');
const WARN = 40;

export function libraryLogTransport(record: LibraryLogRecord): void {
  const error = (record.data as { error?: { code?: unknown; message?: unknown } } | null | undefined)?.error;
  const fields = {
    library: record.namespace,
    ...(error && typeof error === 'object' ? { code: typeof error.code === 'string' ? error.code : undefined } : {}),
  };
  if (record.level >= WARN) logger().warn(fields, String(record.message));
  else logger().debug(fields, String(record.message));
}

/** Installs the transport (idempotent); call before or after xen-api is loaded. */
export function routeLibraryLogs(): void {
  (globalThis as Record<symbol, unknown>)[TRANSPORT] = libraryLogTransport;
}

routeLibraryLogs();
