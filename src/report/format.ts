// How numbers read in a report: response times in ms below a second and in s above (as the
// study's tables do), counts with thousands separators, instants in UTC so two readers in two
// time zones quote the same time.

/** "850 ms", "1.84 s", "12.3 s"; "–" for a missing value. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${trim(ms.toFixed(2))} ms`;
  if (ms < 10) return `${trim(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return formatSeconds(ms / 1000);
}

/** "1.84 s", "12.3 s", "125 s"; "–" for a missing value. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 10) return `${trim(seconds.toFixed(2))} s`;
  if (seconds < 100) return `${trim(seconds.toFixed(1))} s`;
  return `${Math.round(seconds)} s`;
}

/** An axis label for a response time: "250 ms", "1 s", "1.5 s". */
export function formatMsTick(ms: number): string {
  if (ms >= 1000) return `${trim((ms / 1000).toPrecision(3))} s`;
  if (ms >= 1) return `${trim(ms.toPrecision(3))} ms`;
  return `${trim(ms.toPrecision(2))} ms`;
}

/** A time into the run: "42 s" below a minute, "5:07" above. */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '−' : '';
  const whole = Math.round(Math.abs(seconds));
  if (whole < 60) return `${sign}${whole} s`;
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (minutes < 60) return `${sign}${minutes}:${String(rest).padStart(2, '0')}`;
  return `${sign}${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** "2009-06-01 12:00:00 UTC". */
export function formatInstant(at: Date | number | string): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return '–';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "p99", "p99.9". */
export function percentileName(percentile: number | string): string {
  return `p${percentile}`;
}

function trim(fixed: string): string {
  return fixed.includes('.') && !fixed.includes('e') ? fixed.replace(/\.?0+$/, '') : fixed;
}
