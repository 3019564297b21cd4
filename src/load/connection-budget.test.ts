import { describe, expect, it } from 'vitest';
import { connectionBudget, openFileLimit } from './connection-budget.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                20000                files
`;

describe('Given the open-file limit of the process', () => {
  it('Then it is read from /proc/self/limits', () => {
    expect(openFileLimit(LIMITS)).toBe(20000);
    expect(openFileLimit(LIMITS.replace('20000                20000', 'unlimited            unlimited'))).toBeUndefined();
  });

  it('When users fit under it, Then each user may have its own connection', () => {
    expect(connectionBudget(600, 20000)).toBe(600);
  });

  it('When there are more users than descriptors, Then the pool is capped below the limit', () => {
    expect(connectionBudget(100_000, 20000)).toBe(17_488);
    expect(connectionBudget(100_000, 1024)).toBe(409);
    expect(connectionBudget(100_000, undefined)).toBe(10_000);
  });
});
