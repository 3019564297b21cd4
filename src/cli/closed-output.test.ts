// `migrascope ... | head`: the reader is gone before the command writes. The command must end as
// it would have (its exit code, nothing on stderr about the pipe), not with an EPIPE stack trace.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/migrascope', import.meta.url));

function withClosedStdout(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Our end of its stdout closed at once: its first write finds no reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('Given a migrascope command whose output nobody reads any more', () => {
  it('When `--help` writes to the closed pipe, then it exits 0 without a word about EPIPE', async () => {
    const { code, stderr } = await withClosedStdout('--help');
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('When a command fails on bad input, then it still exits 2 and says why on stderr', async () => {
    const { code, stderr } = await withClosedStdout('compare', 'no-such-a', 'no-such-b', '--results-dir', '/nonexistent-migrascope');
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toMatch(/no-such-a/);
    expect(code).toBe(2);
  });
});
