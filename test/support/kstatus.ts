// What Flux and kpt make of an object: the real kstatus library (sigs.k8s.io/cli-utils
// pkg/kstatus) run as test/controlplane/cmd/kstatus, built by scripts/controlplane.sh.
import { locateHelper } from '../controlplane/binaries.ts';
import { throughJsonLines } from './json-lines-command.ts';

export interface KstatusVerdict {
  kind: string;
  name: string;
  status: 'InProgress' | 'Current' | 'Failed' | 'Terminating' | 'NotFound' | 'Unknown';
  message: string;
}

/** Every object through one kstatus process; one verdict per object, in order. */
export async function kstatus(objects: readonly object[]): Promise<KstatusVerdict[]> {
  return throughJsonLines<KstatusVerdict>(locateHelper('kstatus'), objects);
}
