// One pino logger for the process: JSON when read by a program (a cluster, a pipe), pretty on a
// terminal. The level comes from MIGRASCOPE_LOG_LEVEL (or LOG_LEVEL); secrets are redacted by path.
// pino is required when the first logger is made, not imported at the top: many modules import
// this one for a logger they use only on a rare path, and a short command (`migrascope analyze`
// on a clean log) should not load pino and its streams for nothing.
import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';

export type { Logger } from 'pino';
export { redactUrlPassword } from './url-password.ts';

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'sessionId',
  '*.sessionId',
  'credentials',
  '*.credentials',
];

export interface LoggerOptions {
  level?: string;
  /** Force pretty (true) or JSON (false) output; by default pretty exactly when stderr is a TTY. */
  pretty?: boolean;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  const level = options.level ?? process.env.MIGRASCOPE_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const base = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { name: 'migrascope' } };
  if (options.destination) return pino(base, options.destination);
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname,name' } },
    });
  }
  return pino(base, pino.destination(2));
}

let processLogger: Logger | undefined;

/** The process-wide logger (logs go to stderr so that stdout stays for results and --json). */
export function logger(): Logger {
  processLogger ??= createLogger();
  return processLogger;
}

/** Replace the process logger, e.g. when the CLI reads --log-level. */
export function setLogger(next: Logger): void {
  processLogger = next;
}
