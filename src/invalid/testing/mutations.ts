// For property tests: valid documents broken one place at a time, with the values a careless
// user or an attacker writes (NaN, huge and negative numbers, invisible characters, deep nesting,
// Object.prototype's names as keys), and the check every parser of ours must pass on them: it
// returns a value or refuses with InvalidInputError, never any other exception.
import fc from 'fast-check';
import { InvalidInputError } from '../index.ts';

/** Values nobody should write where a field is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, -1, 0, 1e308, 2 ** 53 + 1, -(2 ** 31), null, undefined, true, ''),
  fc.constantFrom('0s', '-5m', '1e400h', '.inf', 'NaN', '\u202egnp', 'a\u200bb', 'nul\u0000', '__proto__', 'constructor', 'toString', '9'.repeat(400)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }),
  fc.nat({ max: 3000 }).map((depth) => nested(depth)),
);

/** An array nested `depth` deep: [[[...]]]. */
function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** `valid` with one place replaced by a hostile value, a key added there, or the place removed. */
export function mutated(valid: unknown): fc.Arbitrary<unknown> {
  const paths = placesOf(valid);
  return fc.tuple(fc.constantFrom(...paths), fc.constantFrom('replace', 'add', 'remove'), hostileValue, fc.constantFrom('__proto__', 'constructor', 'extra', 'spec', '')).map(([path, how, value, key]) => {
    const copy = structuredClone(valid);
    if (path.length === 0) return how === 'replace' ? value : copy;
    const parent = path.slice(0, -1).reduce<unknown>((at, step) => (at as Record<PropertyKey, unknown>)[step], copy) as Record<PropertyKey, unknown>;
    const last = path.at(-1)!;
    if (how === 'replace') parent[last] = value;
    else if (how === 'remove') delete parent[last];
    else if (typeof parent[last] === 'object' && parent[last] !== null) Object.defineProperty(parent[last], key, { value, enumerable: true, configurable: true, writable: true });
    return copy;
  });
}

/** Every place in a document (the root included), as paths of keys and indices. */
function placesOf(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  const places = [path];
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) places.push(...placesOf(inner, [...path, Array.isArray(value) ? Number(key) : key]));
  }
  return places;
}

/** Runs `parse`; anything it throws other than InvalidInputError fails the property. */
export function parsedOrRefused(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidInputError) return;
    throw new Error(`not a refusal: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
  }
}
