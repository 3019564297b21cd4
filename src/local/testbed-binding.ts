// `migrascope run --testbed`: the run file's experiments against the embedded simulated pool
// instead of a real one. Every XenPool then means the testbed's pool, and an application URL on
// the host <vm>.testbed.local means the guest that VM fronts (its proxy on loopback), so the same
// experiment file runs on a laptop and, with real URLs, against a real pool.
import { readFileSync } from 'node:fs';
import type { MigrationCampaign, MigrationExperiment } from '../api/v1alpha1/index.ts';
import type { PoolResolver } from '../engine/migration-worker.ts';
import { InvalidInputError } from '../invalid/index.ts';
import type { TestbedDescription } from '../testbed/index.ts';

export const TESTBED_DOMAIN = 'testbed.local';

export function testbedPoolResolver(testbed: TestbedDescription): PoolResolver {
  const caBundle = testbed.xapi.caFile ? readFileSync(testbed.xapi.caFile, 'utf8') : undefined;
  return async () => ({ url: testbed.xapi.url, username: testbed.xapi.username, password: testbed.xapi.password, caBundle });
}

/** The URL with a <vm>.testbed.local host replaced by that VM's guest; other URLs unchanged. */
export function bindUrl(url: string, testbed: TestbedDescription, field: string): string {
  const parsed = new URL(url);
  if (!parsed.hostname.endsWith(`.${TESTBED_DOMAIN}`)) return url;
  const vmName = parsed.hostname.slice(0, -TESTBED_DOMAIN.length - 1);
  const vm = testbed.vms.find((candidate) => candidate.name === vmName);
  if (!vm?.url) {
    const known = testbed.vms.filter((v) => v.url).map((v) => `${v.name}.${TESTBED_DOMAIN}`);
    throw new InvalidInputError(field, `the testbed has no VM "${vmName}" fronting an application (known: ${known.join(', ') || 'none'})`);
  }
  const guest = new URL(vm.url);
  parsed.protocol = guest.protocol;
  parsed.host = guest.host;
  return parsed.href;
}

export function bindExperiment(experiment: MigrationExperiment, testbed: TestbedDescription): MigrationExperiment {
  const target = experiment.spec.target;
  return {
    ...experiment,
    spec: {
      ...experiment.spec,
      target: {
        ...target,
        applicationUrl: bindUrl(target.applicationUrl, testbed, 'spec.target.applicationUrl'),
        ...(target.probeUrl ? { probeUrl: bindUrl(target.probeUrl, testbed, 'spec.target.probeUrl') } : {}),
      },
    },
  };
}

export function bindCampaign(campaign: MigrationCampaign, testbed: TestbedDescription): MigrationCampaign {
  const target = campaign.spec.template.spec.target;
  return {
    ...campaign,
    spec: {
      ...campaign.spec,
      template: {
        ...campaign.spec.template,
        spec: {
          ...campaign.spec.template.spec,
          target: {
            ...target,
            applicationUrl: bindUrl(target.applicationUrl, testbed, 'spec.template.spec.target.applicationUrl'),
            ...(target.probeUrl ? { probeUrl: bindUrl(target.probeUrl, testbed, 'spec.template.spec.target.probeUrl') } : {}),
          },
        },
      },
    },
  };
}
