import { describe, expect, it } from 'vitest';
import { formatKey, keyOf, parseKey } from './object-key.ts';

describe('Given object keys', () => {
  it('Then "namespace/name" round-trips, and a cluster-scoped key is the bare name', () => {
    expect(parseKey(formatKey({ namespace: 'lab', name: 'run-1' }))).toEqual({ namespace: 'lab', name: 'run-1' });
    expect(formatKey({ namespace: '', name: 'pool' })).toBe('pool');
    expect(parseKey('pool')).toEqual({ namespace: '', name: 'pool' });
  });

  it('Then an object without a name has no key, and says so', () => {
    expect(() => keyOf({ kind: 'ConfigMap', metadata: {} })).toThrow(/ConfigMap object without metadata.name/);
  });
});
