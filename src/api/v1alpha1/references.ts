// References between objects and to the outside: a pool by name, a Secret key, a URL, a VM.

import { z } from 'zod';
import { withRules } from './rules.ts';

export const OBJECT_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes object name (RFC 1123 subdomain). */
export const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(OBJECT_NAME_PATTERN, {
    error: 'expected a Kubernetes name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
  });

export const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
  .max(2048)
  .meta({ pattern: '^https?://' });

export const LocalObjectReference = z.strictObject({
  name: ObjectName.describe('Name of the object, in the same namespace.'),
});

export const SecretKeyReference = (defaultKey: string) =>
  z.strictObject({
    name: ObjectName.describe('Name of the Secret, in the same namespace.'),
    key: z.string().min(1).max(253).default(defaultKey).describe(`Key in the Secret; default ${defaultKey}.`),
  });

export const VmSelector = withRules(
  z.strictObject({
    nameLabel: z.string().min(1).max(255).optional().describe("The VM's name label; must match exactly one VM of the pool."),
    uuid: z.guid({ error: 'expected a VM uuid like 0a1b2c3d-…' }).max(36).optional().describe("The VM's uuid."),
  }),
  [
    {
      rule: 'has(self.nameLabel) != has(self.uuid)',
      message: 'name the VM by exactly one of nameLabel or uuid',
      field: ['nameLabel'],
      holds: (vm) => (vm.nameLabel === undefined) !== (vm.uuid === undefined),
    },
  ],
);
export type VmSelector = z.output<typeof VmSelector>;
