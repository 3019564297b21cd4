// The testbed's topology parser over generated input: the bundled topology broken one place at a
// time, and any value. A topology parses or is refused as InvalidInputError naming a field.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mutated, parsedOrRefused } from '../invalid/testing/mutations.ts';
import { parseTopology } from './config.ts';

const bundled: unknown = parse(readFileSync(new URL('./default-topology.yaml', import.meta.url), 'utf8'));

describe('Given the bundled topology broken in one place', () => {
  it('When nothing is broken, Then it parses (the property starts from a valid topology)', () => {
    expect(parseTopology(bundled).hosts.length).toBeGreaterThan(0);
  });

  it('When it is parsed, Then it is a topology or an InvalidInputError, nothing else', () => {
    fc.assert(
      fc.property(mutated(bundled), (input) => parsedOrRefused(() => parseTopology(input))),
      { numRuns: 400 },
    );
  });

  it('When any value is given instead, Then it is refused as InvalidInputError', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true }), (input) => parsedOrRefused(() => parseTopology(input))),
      { numRuns: 300 },
    );
  });
});
