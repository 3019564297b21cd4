// The faults suite's record of what each case kept: every test under test/faults calls
// recordFault once it has asserted what survived, and scripts/reliability-table.ts turns the
// rows into the table in docs/reliability.md after `make test`. Rows are files (one per case)
// rather than memory, because vitest runs each test file in its own worker.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RELIABILITY_DIR = new URL('../../.cache/reliability/', import.meta.url).pathname;

export interface FaultRow {
  /** What was done to the run, as the table shows it: "Redis unreachable for 30 s". */
  case: string;
  /** What the run did about it, in a few words: "completed; status: RedisUnavailable 31 s". */
  outcome: string;
  /** Seconds of load the run recorded and the seconds it was asked to run (null: no load). */
  seconds: { recorded: number; expected: number } | null;
  /** Migrations the run asked XAPI for and the migrations the pool performed (null: none asked). */
  migrations: { requested: number; done: number } | null;
}

/** Keeps one case's row for the table; a case recorded twice keeps its last row. */
export function recordFault(row: FaultRow): void {
  mkdirSync(RELIABILITY_DIR, { recursive: true });
  const slug = row.case.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  writeFileSync(join(RELIABILITY_DIR, `${slug}.json`), `${JSON.stringify(row)}\n`);
}
