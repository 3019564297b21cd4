import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../invalid/testing.ts';
import { withField, workloadProfile } from '../testing/cases.ts';
import { chainOf, compileWorkloadProfile, parseResource, parseWorkloadProfile, profileDocumentOf } from './index.ts';

const refusal = (work: () => unknown) => refusalOf(work);

// What the API server cannot check (it prunes unknown fields unless asked to be strict, and knows
// nothing of regexes or templates): the parser refuses it, naming the field from the object's root.
describe('Given a WorkloadProfile the API server would store', () => {
  describe('When a request has an unknown field', () => {
    it('Then the parser refuses it at that key', () => {
      const object = withField(workloadProfile(), 'spec.actions', [{ name: 'Browse', requests: [{ path: '/', retries: 3 }] }]);
      const error = refusal(() => parseResource(withField(object, 'spec.matrix', undefined)));
      expect(error.field).toBe('spec.actions[0].requests[0].retries');
      expect(error.message).toContain('unknown field');
    });
  });

  describe('When a capture regex does not compile', () => {
    it('Then the parser refuses it naming spec.actions[0].requests[0].capture[0].regex', () => {
      const object = withField(workloadProfile(), 'spec.actions', [{ name: 'Browse', requests: [{ path: '/', capture: [{ var: 'x', regex: '(' }] }] }]);
      const error = refusal(() => parseWorkloadProfile(withField(object, 'spec.matrix', undefined)));
      expect(error.field).toBe('spec.actions[0].requests[0].capture[0].regex');
      expect(error.message).toContain('not a valid regular expression');
    });
  });

  describe('When a path uses a variable nobody sets', () => {
    it('Then the parser refuses it naming the path and the name', () => {
      const object = withField(workloadProfile(), 'spec.actions', [{ name: 'Browse', requests: [{ path: '/cart/{{basket}}' }] }]);
      const error = refusal(() => parseWorkloadProfile(withField(object, 'spec.matrix', undefined)));
      expect(error.field).toBe('spec.actions[0].requests[0].path');
      expect(error.message).toContain('basket');
    });
  });
});

describe('Given a valid WorkloadProfile', () => {
  const profile = parseWorkloadProfile(workloadProfile());

  it('Then its document is its spec named after the object, defaults filled in', () => {
    const document = profileDocumentOf(profile);
    expect(document.name).toBe('shop');
    expect(document.timeout).toBe('30s');
    expect(document.cache).toEqual({ coldFraction: 1 });
    expect(chainOf(profile.spec)).toBe('matrix');
  });

  it("Then an experiment's params override its own, and one it lacks is refused naming the experiment's field", () => {
    expect(compileWorkloadProfile(profile, { items: 50 }).params).toEqual({ items: 50 });
    const error = refusal(() => compileWorkloadProfile(profile, { pages: 3 }));
    expect(error.field).toBe('spec.workload.params.pages');
    expect(error.message).toContain('has no parameter "pages"');
  });
});
