// Named pre-copy scenarios: inputs for the pre-copy model that stand for a migration someone
// measured. `migrascope predict --preset NAME` starts from one (flags override it) and the testbed
// can give a VM one. docs/migration-model.md explains how each number was chosen.

import { InvalidInputError } from '../invalid/index.ts';
import type { PreCopyInput } from './precopy-model.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const MB = 1e6;

export interface PreCopyPreset {
  name: string;
  /** One line for a person: what was measured, and what the preset reproduces. */
  description: string;
  input: Required<PreCopyInput>;
}

export const PRECOPY_PRESETS: readonly PreCopyPreset[] = [
  {
    name: 'study-web-vm',
    description:
      'Voorsluys et al. 2009: the Olio web VM (2 GB, 1 vCPU) at 600 users, live-migrated over gigabit Ethernet: about 44 s in all, about 3 s down',
    input: {
      memoryBytes: 2 * GiB,
      // Xen's single-threaded sender in dom0 moves pages below gigabit line rate (125 MB/s).
      bandwidthBytesPerSecond: 100 * MB,
      // At capacity the web tier re-dirties its hot set faster than the link drains it, so
      // pre-copy never converges; any rate from 100 MB/s up predicts the same migration.
      dirtyRateBytesPerSecond: 120 * MB,
      writableWorkingSetBytes: 64 * MiB,
      stopThresholdBytes: 256 * 1024,
      maxIterations: 29,
      maxFactor: 3,
      // The rest of the 3 s users saw: rebuilding and resuming the guest on the destination and
      // the network learning where it went (see docs: the copy alone cannot account for it).
      resumeOverheadMs: 2300,
      setupMs: 500,
    },
  },
];

/** The preset called `name`, or a refusal listing the ones there are, naming `field`. */
export function findPreCopyPreset(name: string, field = '--preset'): PreCopyPreset {
  const preset = PRECOPY_PRESETS.find((candidate) => candidate.name === name);
  if (!preset) {
    const known = PRECOPY_PRESETS.map((candidate) => candidate.name).join(', ');
    throw new InvalidInputError(field, `no pre-copy preset called "${name}" (known: ${known})`);
  }
  return preset;
}
