// XenPool: how to reach a XenServer / XCP-ng pool's XAPI, with credentials from a Secret.

import { z } from 'zod';
import { Conditions } from './condition.ts';
import { API_VERSION } from './group.ts';
import { ObjectMeta } from './object-meta.ts';
import { parseWith } from './parse.ts';
import { HttpUrl, ObjectName, SecretKeyReference } from './references.ts';
import { withRules } from './rules.ts';

export const XenPoolSpec = withRules(
  z.strictObject({
    url: HttpUrl.describe('XAPI endpoint of the pool master, e.g. https://xen-master.example:443.'),
    credentialsSecretRef: z
      .strictObject({
        name: ObjectName.describe('Secret in the same namespace.'),
        usernameKey: z.string().min(1).max(253).default('username').describe('Key holding the user name.'),
        passwordKey: z.string().min(1).max(253).default('password').describe('Key holding the password.'),
      })
      .describe('The XAPI user and password.'),
    caBundleSecretRef: SecretKeyReference('ca.crt')
      .optional()
      .describe("PEM CA bundle to verify the pool's certificate (XenServer's is self-signed by default)."),
    insecureSkipVerify: z
      .boolean()
      .default(false)
      .describe('Accept any certificate. Must be said explicitly; prefer caBundleSecretRef.'),
  }),
  [
    {
      rule: '!(has(self.caBundleSecretRef) && self.insecureSkipVerify)',
      message: 'caBundleSecretRef and insecureSkipVerify contradict each other: keep one',
      field: ['insecureSkipVerify'],
      holds: (p) => !(p.caBundleSecretRef && p.insecureSkipVerify),
    },
  ],
);
export type XenPoolSpec = z.output<typeof XenPoolSpec>;

export const XenHost = z.strictObject({
  name: z.string().max(255).describe('Name label.'),
  uuid: z.string().max(64),
  enabled: z.boolean().optional(),
  memoryTotalBytes: z.int().min(0).optional(),
  memoryFreeBytes: z.int().min(0).optional(),
});
export type XenHost = z.infer<typeof XenHost>;

export const XenPoolStatus = z.strictObject({
  observedGeneration: z.int().min(0).optional(),
  conditions: Conditions.optional(),
  connected: z.boolean().optional().describe('Whether the last connection attempt logged in.'),
  poolName: z.string().max(255).optional(),
  simulated: z.boolean().optional().describe('True when the pool is the Migrascope testbed (model downtime is then reported).'),
  hostCount: z.int().min(0).optional(),
  hosts: z.array(XenHost).max(64).optional(),
  lastConnectedTime: z.iso.datetime({ offset: true }).optional(),
  lastError: z.string().max(4096).optional().describe('Why the last attempt failed, for a person.'),
});
export type XenPoolStatus = z.infer<typeof XenPoolStatus>;

export const XenPoolResource = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('XenPool'),
  metadata: ObjectMeta,
  spec: XenPoolSpec,
  status: XenPoolStatus.optional(),
});
export type XenPool = z.output<typeof XenPoolResource>;
export type XenPoolManifest = z.input<typeof XenPoolResource>;

export function parseXenPool(object: unknown): XenPool {
  return parseWith(XenPoolResource, object);
}
