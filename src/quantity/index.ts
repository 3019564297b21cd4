// Quantities a person types: sizes (2GiB), rates (200MB/s, 1Gbit/s) and durations (500ms, 5m).
// Every parser names the field it was reading, so a bad value is refused with "--wws: ..." and
// not with a bare NaN three modules later.

import { InvalidInputError } from '../invalid/index.ts';

/** A quantity a person gave that cannot be used; `field` names the flag or YAML path to fix. */
export class QuantityError extends InvalidInputError {
  override name = 'QuantityError';
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Bit rates are decimal, as network links are sold: 1 Gbit/s = 125 000 000 B/s. */
const BIT_UNITS: Record<string, number> = {
  'bit/s': 1 / 8,
  'kbit/s': 1e3 / 8,
  'mbit/s': 1e6 / 8,
  'gbit/s': 1e9 / 8,
  bps: 1 / 8,
  kbps: 1e3 / 8,
  mbps: 1e6 / 8,
  gbps: 1e9 / 8,
};

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const NUMBER_AND_UNIT = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z/]*)\s*$/i;

function split(field: string, text: string | number, examples: string): { value: number; unit: string } {
  if (typeof text === 'number') return { value: checkFinite(field, text, examples), unit: '' };
  const match = NUMBER_AND_UNIT.exec(text);
  if (!match) throw new QuantityError(field, `cannot read "${text}" (expected a number with a unit, e.g. ${examples})`);
  return { value: checkFinite(field, Number(match[1]), examples), unit: (match[2] ?? '').toLowerCase() };
}

function checkFinite(field: string, value: number, examples: string): number {
  if (!Number.isFinite(value)) throw new QuantityError(field, `not a finite number (e.g. ${examples})`);
  if (value < 0) throw new QuantityError(field, `must not be negative (got ${value})`);
  return value;
}

/** Bytes from "2GiB", "350MiB", "512KB", "1024" (a bare number is bytes). */
export function parseBytes(field: string, text: string | number): number {
  const examples = '2GiB, 350MiB, 256KiB, 512MB';
  const { value, unit } = split(field, text, examples);
  const factor = unit === '' ? 1 : BYTE_UNITS[unit];
  if (factor === undefined) throw new QuantityError(field, `unknown size unit "${unit}" (use B, KiB, MiB, GiB, KB, MB or GB)`);
  return value * factor;
}

/** Bytes per second from "200MB/s", "1GiB/s" or a bit rate "1Gbit/s" (decimal bits). */
export function parseByteRate(field: string, text: string | number): number {
  const examples = '200MB/s, 1Gbit/s, 100MiB/s';
  const { value, unit } = split(field, text, examples);
  if (unit === '') return value;
  const bit = BIT_UNITS[unit];
  if (bit !== undefined) return value * bit;
  const bytes = unit.endsWith('/s') ? BYTE_UNITS[unit.slice(0, -2)] : undefined;
  if (bytes === undefined) {
    throw new QuantityError(field, `unknown rate unit "${unit}" (use B/s, KiB/s, MiB/s, MB/s, GB/s, bit/s, Kbit/s, Mbit/s or Gbit/s)`);
  }
  return value * bytes;
}

/** Milliseconds from "500ms", "44s", "5m", "1h" or "1m30s"; a bare number is milliseconds. */
export function parseDuration(field: string, text: string | number): number {
  if (typeof text === 'number') return checkFinite(field, text, '500ms, 30s, 5m');
  const parts = text.trim().match(/\d+(?:\.\d+)?\s*[a-z]*/gi);
  if (!parts || parts.join('').replace(/\s/g, '') !== text.replace(/\s/g, '')) {
    throw new QuantityError(field, `cannot read "${text}" as a duration (e.g. 500ms, 30s, 5m, 1m30s)`);
  }
  let total = 0;
  for (const part of parts) {
    const { value, unit } = split(field, part, '500ms, 30s, 5m');
    const factor = unit === '' ? 1 : DURATION_UNITS[unit];
    if (factor === undefined) throw new QuantityError(field, `unknown duration unit "${unit}" (use ms, s, m or h)`);
    total += value * factor;
  }
  return total;
}

/** A positive quantity: zero is as impossible as a negative one (a link of 0 bit/s never ends). */
export function requirePositive(field: string, value: number): number {
  if (!(value > 0)) throw new QuantityError(field, `must be greater than zero (got ${value})`);
  return value;
}

/**
 * A duration at most `limit` (its text, e.g. "24h"): beyond it a value is a slip (1000h for 10h),
 * and a timer given it would overflow.
 */
export function requireAtMost(field: string, ms: number, limit: string): number {
  if (ms > parseDuration(field, limit)) throw new QuantityError(field, `must be at most ${limit} (got ${formatDuration(ms)})`);
  return ms;
}

/** "2.00 GiB"-style text for a person. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let index = 0;
  while (Math.abs(value) >= 1024 && index < units.length - 1) {
    value /= 1024;
    index += 1;
  }
  return `${index === 0 ? value.toFixed(0) : value.toFixed(2)} ${units[index]}`;
}

/** "44.1 s" or "320 ms" for a person. */
export function formatDuration(ms: number): string {
  if (Math.abs(ms) < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  if (Math.abs(ms) < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export { MAX_TIMER_MS, setLongTimeout, sleep, timerDelay } from './timers.ts';
