import { describe, expect, it } from 'vitest';
import { renderTable } from './output.ts';

describe('renderTable', () => {
  it('pads columns to the widest cell and right-aligns numbers', () => {
    const text = renderTable(
      [
        { name: 'HomePage', p90: 12.5 },
        { name: 'Login', p90: 1234 },
      ],
      [
        { header: 'action', value: (r) => r.name },
        { header: 'p90', value: (r) => r.p90, align: 'right' },
      ],
    );
    expect(text.split('\n')).toEqual(['action     p90', '--------  ----', 'HomePage  12.5', 'Login     1234']);
  });
});
