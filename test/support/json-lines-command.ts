// The test control plane's Go helpers (kstatus, argocd-health) take JSON documents on stdin and
// answer one JSON line each, in order: one process for a whole batch.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export async function throughJsonLines<Answer>(command: string, documents: readonly object[]): Promise<Answer[]> {
  const run = promisify(execFile)(command, [], { timeout: 30_000 });
  run.child.stdin?.end(documents.map((document) => JSON.stringify(document)).join('\n'));
  const { stdout } = await run;
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Answer);
}
