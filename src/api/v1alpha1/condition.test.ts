import { describe, expect, it } from 'vitest';
import { Condition, findCondition, setCondition } from './condition.ts';

const t0 = new Date('2025-05-01T10:00:00.000Z');
const t1 = new Date('2025-05-01T10:05:00.000Z');

describe('Given no conditions', () => {
  it('Then setting one adds it with the time of transition', () => {
    const conditions = setCondition(undefined, { type: 'Progressing', status: 'True', reason: 'Running', message: 'run 1' }, t0);
    expect(conditions).toEqual([{ type: 'Progressing', status: 'True', reason: 'Running', message: 'run 1', lastTransitionTime: t0.toISOString() }]);
    expect(Condition.array().parse(conditions)).toEqual(conditions);
  });
});

describe('Given a condition that is True', () => {
  const before = setCondition([], { type: 'Progressing', status: 'True', reason: 'Running', message: 'run 1' }, t0);

  it('Then a new message with the same status keeps the time of transition', () => {
    const after = setCondition(before, { type: 'Progressing', status: 'True', reason: 'Running', message: 'run 2' }, t1);
    expect(findCondition(after, 'Progressing')).toMatchObject({ message: 'run 2', lastTransitionTime: t0.toISOString() });
  });

  it('Then a change of status moves the time of transition, other conditions untouched', () => {
    const withReady = setCondition(before, { type: 'Ready', status: 'False', reason: 'Running', message: '' }, t0);
    const after = setCondition(withReady, { type: 'Progressing', status: 'False', reason: 'Finished', message: '' }, t1);
    expect(findCondition(after, 'Progressing')?.lastTransitionTime).toBe(t1.toISOString());
    expect(findCondition(after, 'Ready')).toEqual(findCondition(withReady, 'Ready'));
    expect(after.map((c) => c.type)).toEqual(['Progressing', 'Ready']);
  });
});
