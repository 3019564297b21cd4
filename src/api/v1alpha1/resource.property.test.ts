// Every resource parser over generated input: valid resources broken one place at a time, and
// arbitrary values. The parser returns a resource or refuses it as InvalidInputError naming a
// field; never a TypeError, a RangeError or a zod dump. The profile compiler after the schema too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../invalid/testing.ts';
import { mutated, parsedOrRefused } from '../../invalid/testing/mutations.ts';
import { campaign, experiment, workloadProfile, xenPool } from '../testing/cases.ts';
import { compileWorkloadProfile, parseWorkloadProfile } from './workload-profile.ts';
import { parseResource } from './resource.ts';

describe.each([
  ['XenPool', xenPool()],
  ['MigrationExperiment', experiment()],
  ['MigrationCampaign', campaign()],
  ['WorkloadProfile', workloadProfile()],
])('Given a valid %s broken in one place', (_, valid) => {
  it('When it is parsed, Then it is a resource or an InvalidInputError, nothing else', () => {
    fc.assert(
      fc.property(mutated(valid), (input) => parsedOrRefused(() => parseResource(input))),
      { numRuns: 400 },
    );
  });
});

describe('Given a WorkloadProfile broken in one place', () => {
  it('When it is parsed and compiled, Then it is a profile or an InvalidInputError, nothing else', () => {
    fc.assert(
      fc.property(mutated(workloadProfile()), (input) => parsedOrRefused(() => compileWorkloadProfile(parseWorkloadProfile(input)))),
      { numRuns: 400 },
    );
  });
});

describe('Given a kind named like an Object.prototype member (regression: found by the property above)', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('When the kind is %s, Then it is refused naming kind, never parsed by what Object.prototype holds', (kind) => {
    const error = refusalOf(() => parseResource({ ...xenPool(), kind }));
    expect(error.field).toBe('kind');
    expect(error.message).toContain('expected one of XenPool');
  });
});

describe('Given any value at all', () => {
  it('When it is parsed as a resource, Then it is refused as InvalidInputError', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (input) => parsedOrRefused(() => parseResource(input))),
      { numRuns: 300 },
    );
  });
});
