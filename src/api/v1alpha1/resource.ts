// Any Migrascope resource, told apart by kind: what `migrascope run FILE.yaml` reads document by
// document.

import { API_VERSION } from './group.ts';
import { InvalidInputError } from '../../invalid/index.ts';
import { parseCampaign, type MigrationCampaign } from './migration-campaign.ts';
import { parseExperiment, type MigrationExperiment } from './migration-experiment.ts';
import { parseSchedule, type MigrationSchedule } from './migration-schedule.ts';
import { parseWorkloadProfile, type WorkloadProfile } from './workload-profile.ts';
import { parseXenPool, type XenPool } from './xenpool.ts';

export type MigrascopeResource = XenPool | WorkloadProfile | MigrationExperiment | MigrationCampaign | MigrationSchedule;
export type MigrascopeKind = MigrascopeResource['kind'];

const PARSERS: Record<MigrascopeKind, (object: unknown) => MigrascopeResource> = {
  XenPool: parseXenPool,
  WorkloadProfile: parseWorkloadProfile,
  MigrationExperiment: parseExperiment,
  MigrationCampaign: parseCampaign,
  MigrationSchedule: parseSchedule,
};

export const KINDS = Object.keys(PARSERS) as MigrascopeKind[];

/** True for objects of our group (whatever their kind); false for Secrets and the like. */
export function isMigrascopeObject(object: unknown): boolean {
  return typeof object === 'object' && object !== null && (object as { apiVersion?: unknown }).apiVersion === API_VERSION;
}

/** Parse a XenPool, WorkloadProfile, MigrationExperiment, MigrationCampaign or MigrationSchedule, defaults filled in. */
export function parseResource(object: unknown): MigrascopeResource {
  if (!isMigrascopeObject(object)) {
    throw new InvalidInputError('apiVersion', `expected ${API_VERSION}`);
  }
  const kind = (object as { kind?: unknown }).kind;
  // Own keys only: a kind of "constructor" would otherwise find Object (and return the document
  // unparsed as a resource), "__proto__" or "toString" something that is not a parser.
  const parse = typeof kind === 'string' && Object.hasOwn(PARSERS, kind) ? PARSERS[kind as MigrascopeKind] : undefined;
  if (!parse) throw new InvalidInputError('kind', `expected one of ${KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
  return parse(object);
}
