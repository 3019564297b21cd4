// What Flux and kpt make of an object: the real kstatus library (sigs.k8s.io/cli-utils
// pkg/kstatus) run as test/controlplane/cmd/kstatus, built by scripts/controlplane.sh.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { locateKstatus } from '../controlplane/binaries.ts';

export interface KstatusVerdict {
  kind: string;
  name: string;
  status: 'InProgress' | 'Current' | 'Failed' | 'Terminating' | 'NotFound' | 'Unknown';
  message: string;
}

/** Every object through one kstatus process; one verdict per object, in order. */
export async function kstatus(objects: readonly object[]): Promise<KstatusVerdict[]> {
  const run = promisify(execFile)(locateKstatus(), [], { timeout: 30_000 });
  run.child.stdin?.end(objects.map((object) => JSON.stringify(object)).join('\n'));
  const { stdout } = await run;
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as KstatusVerdict);
}
