// The profile checker and compiler over generated input: the built-in Olio profile (every kind
// of field a profile has) broken one place at a time. A profile compiles or is refused as
// InvalidInputError naming a field; never any other exception.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { mutated, parsedOrRefused } from '../invalid/testing/mutations.ts';
import { olioProfileDocument } from './olio.ts';
import { compileProfile } from './profile.ts';
import { parseProfileDocument } from './profile-schema.ts';

describe('Given the Olio profile broken in one place', () => {
  it('When it is checked and compiled, Then it is a profile or an InvalidInputError, nothing else', () => {
    fc.assert(
      fc.property(mutated(olioProfileDocument()), (input) => parsedOrRefused(() => compileProfile(parseProfileDocument(input, 'olio.yaml')))),
      { numRuns: 400 },
    );
  });
});

describe('Given any value at all', () => {
  it('When it is read as a profile, Then it is refused as InvalidInputError', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true }), (input) => parsedOrRefused(() => compileProfile(parseProfileDocument(input, 'any.yaml')))),
      { numRuns: 300 },
    );
  });
});
