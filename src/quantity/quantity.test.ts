import { describe, expect, it } from 'vitest';
import { parseByteRate, parseBytes, parseDuration, QuantityError, requirePositive } from './index.ts';

describe('parseBytes', () => {
  it.each([
    ['2GiB', 2 * 1024 ** 3],
    ['350MiB', 350 * 1024 ** 2],
    ['256KiB', 256 * 1024],
    ['512MB', 512e6],
    ['1.5 GB', 1.5e9],
    ['1024', 1024],
    ['10B', 10],
  ])('reads %s', (text, bytes) => expect(parseBytes('--memory', text)).toBe(bytes));

  it('refuses an unknown unit, naming the field', () => {
    expect(() => parseBytes('--memory', '2GiBs')).toThrow(/--memory: unknown size unit/);
  });
  it('refuses a negative value, naming the field', () => {
    expect(() => parseBytes('--wws', '-1MiB')).toThrow(QuantityError);
    expect(() => parseBytes('--wws', '-1MiB')).toThrow(/--wws: must not be negative/);
  });
  it('refuses text that is not a number', () => {
    expect(() => parseBytes('--memory', 'lots')).toThrow(/--memory: cannot read "lots"/);
  });
});

describe('parseByteRate', () => {
  it.each([
    ['1Gbit/s', 125e6],
    ['100Mbit/s', 12.5e6],
    ['200MB/s', 200e6],
    ['1GiB/s', 1024 ** 3],
    ['8bit/s', 1],
    ['10Kbit/s', 1250],
  ])('reads %s', (text, rate) => expect(parseByteRate('--bandwidth', text)).toBeCloseTo(rate, 6));

  it('refuses a size without a time base', () => {
    expect(() => parseByteRate('--bandwidth', '1GB')).toThrow(/--bandwidth: unknown rate unit "gb"/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['44s', 44_000],
    ['5m', 300_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['250', 250],
  ])('reads %s', (text, ms) => expect(parseDuration('--setup', text)).toBe(ms));

  it('refuses an unknown unit', () => {
    expect(() => parseDuration('--setup', '5 fortnights')).toThrow(/--setup/);
  });
});

describe('requirePositive', () => {
  it('refuses zero, naming the field', () => {
    expect(() => requirePositive('--bandwidth', 0)).toThrow(/--bandwidth: must be greater than zero/);
  });
});
