import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.ts';

describe('logger', () => {
  it('given a secret in a logged object, when it is written, then the secret is redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ destination: sink, level: 'info' });
    log.info({ pool: { url: 'https://x', password: 'hunter2' }, token: 'abc' }, 'connecting');
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(JSON.stringify(entry)).not.toContain('hunter2');
    expect(JSON.stringify(entry)).not.toContain('abc');
    expect(entry.msg).toBe('connecting');
  });
});
