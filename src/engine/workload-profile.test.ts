import { describe, expect, it } from 'vitest';
import { CLOUDSTONE_THRESHOLDS, parseExperiment, type MigrationExperiment } from '../api/v1alpha1/index.ts';
import { experiment, withField } from '../api/testing/cases.ts';
import { refusalOf } from '../invalid/testing.ts';
import { ProfileProblem, resolveProfile, withJudgedThresholds, type ProfileLookup } from './workload-profile.ts';

const shop = {
  apiVersion: 'migrascope.io/v1alpha1',
  kind: 'WorkloadProfile',
  metadata: { name: 'shop', namespace: 'lab', generation: 3, uid: 'u-shop' },
  spec: {
    params: { items: 200 },
    think: { mean: '2s' },
    actions: [
      { name: 'Browse', requests: [{ path: '/items/{{int 1 items}}' }] },
      { name: 'Buy', requests: [{ method: 'POST', path: '/cart', form: { qty: '1' } }] },
    ],
    matrix: { Browse: [0.8, 0.2], Buy: [1, 0] },
  },
};

const lookup =
  (...objects: unknown[]): ProfileLookup =>
  (namespace, name) =>
    objects.find((o) => (o as typeof shop).metadata.name === name && (o as typeof shop).metadata.namespace === namespace);

function experimentWith(patches: Record<string, unknown>): MigrationExperiment {
  return parseExperiment(Object.entries(patches).reduce((object, [path, value]) => withField(object, path, value), experiment()));
}

const problemOf = (work: () => unknown) => refusalOf(work, ProfileProblem);

describe('Given an experiment on the built-in olio profile', () => {
  describe('When it names no thresholds', () => {
    it('Then every Olio action is judged by its Cloudstone threshold, in matrix order', () => {
      const resolved = resolveProfile(experimentWith({}).spec, 'lab', undefined);
      expect(resolved.source).toEqual({ kind: 'BuiltIn', name: 'olio' });
      expect(resolved.actions).toEqual(Object.keys(CLOUDSTONE_THRESHOLDS));
      expect(resolved.thresholds).toEqual(CLOUDSTONE_THRESHOLDS);
      expect(resolved.profile).toBe('olio');
    });
  });

  describe('When it names a threshold for some actions only', () => {
    it('Then the others keep their Cloudstone threshold', () => {
      const spec = experimentWith({ 'spec.sla.thresholds': { HomePage: '1500ms' } }).spec;
      expect(withJudgedThresholds(spec, resolveProfile(spec, 'lab', undefined)).sla.thresholds).toEqual({ ...CLOUDSTONE_THRESHOLDS, HomePage: '1500ms' });
    });
  });

  describe('When it overrides a parameter the profile does not have', () => {
    it('Then it is refused naming spec.workload.params.<name>', () => {
      const problem = problemOf(() => resolveProfile(experimentWith({ 'spec.workload.params': { pages: 3 } }).spec, 'lab', undefined));
      expect(problem.reason).toBe('InvalidSpec');
      expect(problem.field).toBe('spec.workload.params.pages');
    });
  });
});

describe('Given an experiment with a profileRef to a WorkloadProfile', () => {
  const base = { 'spec.workload.profileRef': { name: 'shop' }, 'spec.sla.defaultThreshold': '2s' };

  describe('When the profile exists and every action gets a threshold', () => {
    const spec = experimentWith({ ...base, 'spec.sla.thresholds': { Buy: '3s' }, 'spec.workload.params': { items: 50 } }).spec;
    const resolved = resolveProfile(spec, 'lab', lookup(shop));

    it("Then the judged actions are the profile's, Buy by its own threshold, Browse by the default", () => {
      expect(resolved.actions).toEqual(['Browse', 'Buy']);
      expect(resolved.thresholds).toEqual({ Browse: '2s', Buy: '3s' });
    });

    it('Then the profile document, its generation and the overriding params travel with it', () => {
      expect(resolved.source).toEqual({ kind: 'WorkloadProfile', name: 'shop', generation: 3, uid: 'u-shop' });
      expect(resolved.profile).toMatchObject({ name: 'shop', params: { items: 200 } });
      expect(resolved.params).toEqual({ items: 50 });
    });
  });

  describe('When an action is left without a threshold', () => {
    it('Then it is refused naming spec.sla.thresholds and the actions', () => {
      const problem = problemOf(() => resolveProfile(experimentWith({ 'spec.workload.profileRef': { name: 'shop' }, 'spec.sla.thresholds': { Buy: '3s' } }).spec, 'lab', lookup(shop)));
      expect(problem.reason).toBe('InvalidSpec');
      expect(problem.field).toBe('spec.sla.thresholds');
      expect(problem.detail).toContain('no threshold for Browse');
      expect(problem.detail).toContain('spec.sla.defaultThreshold');
    });
  });

  describe('When a threshold names an action the profile does not have', () => {
    it('Then it is refused naming that threshold and listing the actions', () => {
      const problem = problemOf(() => resolveProfile(experimentWith({ ...base, 'spec.sla.thresholds': { HomePage: '1s' } }).spec, 'lab', lookup(shop)));
      expect(problem.field).toBe('spec.sla.thresholds.HomePage');
      expect(problem.detail).toContain('its actions: Browse, Buy');
    });
  });

  describe('When the profile is missing, or in another namespace', () => {
    it('Then ProfileNotFound names spec.workload.profileRef.name', () => {
      const problem = problemOf(() => resolveProfile(experimentWith(base).spec, 'other', lookup(shop)));
      expect(problem.reason).toBe('ProfileNotFound');
      expect(problem.field).toBe('spec.workload.profileRef.name');
      expect(problem.detail).toContain('no WorkloadProfile "shop" in namespace other');
    });
  });

  describe('When the stored profile does not compile (a regex the API server cannot check)', () => {
    it("Then InvalidProfile names the profile and the profile's field", () => {
      const broken = withField(shop, 'spec.actions', [{ name: 'Browse', requests: [{ path: '/', capture: [{ var: 'x', regex: '(' }] }] }]);
      const problem = problemOf(() => resolveProfile(experimentWith(base).spec, 'lab', lookup(withField(broken, 'spec.matrix', undefined))));
      expect(problem.reason).toBe('InvalidProfile');
      expect(problem.detail).toContain('WorkloadProfile "shop" is invalid: spec.actions[0].requests[0].capture[0].regex');
    });
  });
});
