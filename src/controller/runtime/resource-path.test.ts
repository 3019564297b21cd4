import { describe, expect, it } from 'vitest';
import { collectionPath, objectPath, splitApiVersion } from './resource-path.ts';

describe('Given objects of the core group and of ours', () => {
  it('Then their paths are /api/v1/... and /apis/<group>/<version>/..., with the status subresource', () => {
    expect(objectPath({ group: '', version: 'v1', plural: 'configmaps', namespace: 'lab', name: 'settings' })).toBe('/api/v1/namespaces/lab/configmaps/settings');
    expect(objectPath({ group: 'migrascope.io', version: 'v1alpha1', plural: 'migrationexperiments', namespace: 'lab', name: 'x' }, 'status')).toBe(
      '/apis/migrascope.io/v1alpha1/namespaces/lab/migrationexperiments/x/status',
    );
  });

  it('Then a cluster-scoped collection has no namespace segment', () => {
    expect(collectionPath({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', namespace: '' })).toBe(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    );
  });

  it('Then apiVersion splits into group and version, the core group being empty', () => {
    expect(splitApiVersion('migrascope.io/v1alpha1')).toEqual({ group: 'migrascope.io', version: 'v1alpha1' });
    expect(splitApiVersion('v1')).toEqual({ group: '', version: 'v1' });
  });
});
