// The metadata the parsers look at. The API server owns metadata's schema (a CRD may not
// constrain it), so this is loose: unknown metadata fields pass through untouched.

import { z } from 'zod';
import { API_VERSION } from './group.ts';
import { ObjectName } from './references.ts';

/**
 * A uid as the engine uses it: in Redis keys, job ids and file names. Kubernetes gives UUIDs; a
 * run file may give its own, and anything else (a slash, a space) is refused where the resource is
 * read, not by a worker three retries later.
 */
export const UID_PATTERN = /^[A-Za-z0-9._-]+$/;
export const Uid = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(128)
  .regex(UID_PATTERN, { error: 'a uid is letters, digits, dot, dash or underscore (Kubernetes gives a UUID)' });

const StringMap = z.record(z.string(), z.string());
const LabelKey = z.string().min(1).max(317);

export const ObjectMeta = z.looseObject({
  name: ObjectName,
  namespace: ObjectName.optional(),
  uid: Uid.optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
});
export type ObjectMeta = z.output<typeof ObjectMeta>;

/** Labels and annotations for objects made from a template (a campaign's experiments). */
export const TemplateMeta = z.strictObject({
  labels: z
    .record(LabelKey, z.string().max(63))
    .meta({ maxProperties: 64 })
    .optional()
    .describe('Labels added to every experiment of the campaign.'),
  annotations: z
    .record(LabelKey, z.string().max(8192))
    .meta({ maxProperties: 64 })
    .optional()
    .describe('Annotations added to every experiment of the campaign.'),
});

/**
 * The owner reference of an object the controller makes from `owner` (a campaign's experiment, a
 * schedule's campaign): deleted with it, found again after a restart. Nothing while the owner has
 * no uid (a run file's objects, never stored by an API server).
 */
export function controlledBy(kind: string, owner: { name: string; uid?: string | undefined }) {
  if (owner.uid === undefined) return {};
  return { ownerReferences: [{ apiVersion: API_VERSION, kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }] };
}
