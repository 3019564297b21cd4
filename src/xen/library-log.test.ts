import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { routeLibraryLogs } from './library-log.ts';

// xen-api's logging library, as xen-api itself resolves it (it is not our dependency).
const { createLogger } = createRequire(import.meta.resolve('xen-api'))('@xen-orchestra/log') as { createLogger(namespace: string): { debug(message: string, data?: unknown): void } };

describe('xen-api logs', () => {
  it('given the library logs a debug record, then nothing reaches stdout', () => {
    routeLibraryLogs();
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      createLogger('xen-api').debug('root@pool: session.login_with_password succeeded', { result: 'OpaqueRef:secret-session' });
      expect(stdout).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });
});
