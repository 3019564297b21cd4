// A run file's reader over generated YAML: a valid file's documents (a Secret, a XenPool, a
// WorkloadProfile, an experiment using it) with one of them broken in one place, written as YAML,
// and arbitrary text. The file is read or refused as InvalidInputError naming a document; never
// any other exception.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { experiment, workloadProfile, xenPool } from '../api/testing/cases.ts';
import { mutated, parsedOrRefused } from '../invalid/testing/mutations.ts';
import { parseRunFile } from './run-file.ts';

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'xen-credentials' }, stringData: { username: 'root', password: 'p' } };
const profiled = experiment();
(profiled.spec as { workload: Record<string, unknown> }).workload = { profileRef: { name: 'shop' }, users: 10, steadyState: '10m' };
(profiled.spec as Record<string, unknown>).sla = { defaultThreshold: '1s' };
const documents = [secret, xenPool(), workloadProfile(), profiled];

/** The documents as one YAML stream; undefined when a generated value has no YAML form. */
function asYaml(values: readonly unknown[]): string | undefined {
  try {
    return values.map((value) => stringify(value)).join('---\n');
  } catch {
    return undefined;
  }
}

describe('Given a run file with one document broken in one place', () => {
  it('When nothing is broken, Then it is read (the properties below start from a valid file)', () => {
    expect(parseRunFile(asYaml(documents)!, 'run.yaml').experiments).toHaveLength(1);
  });

  it('When it is read, Then it is a run or an InvalidInputError, nothing else', () => {
    const broken = fc.nat({ max: documents.length - 1 }).chain((index) => mutated(documents[index]).map((value) => documents.map((d, i) => (i === index ? value : d))));
    fc.assert(
      fc.property(broken, (values) => {
        const text = asYaml(values);
        fc.pre(text !== undefined);
        parsedOrRefused(() => parseRunFile(text!, 'run.yaml'));
      }),
      { numRuns: 300 },
    );
  });

  it('When it is any text at all, Then it is refused as InvalidInputError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => parsedOrRefused(() => parseRunFile(text, 'run.yaml'))),
      { numRuns: 500 },
    );
  });
});
