// Rewrites the table in docs/reliability.md from the rows the faults suite recorded in
// .cache/reliability (test/faults/reliability.ts), so the document says what the last run of
// `make test` saw rather than what someone remembered. Without rows (a partial run) it leaves the
// document alone.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELIABILITY_DIR, type FaultRow } from '../test/faults/reliability.ts';

const DOC = new URL('../docs/reliability.md', import.meta.url).pathname;
const START = '<!-- reliability-table:start -->';
const END = '<!-- reliability-table:end -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function renderTable(rows: FaultRow[]): string {
  const lines = [
    '| Case | Outcome | Seconds recorded / expected | Migrations requested / done |',
    '| --- | --- | --- | --- |',
  ];
  for (const row of [...rows].sort((a, b) => a.case.localeCompare(b.case))) {
    const seconds = row.seconds ? `${row.seconds.recorded} / ${row.seconds.expected}` : '—';
    const migrations = row.migrations ? `${row.migrations.requested} / ${row.migrations.done}` : '—';
    lines.push(`| ${cell(row.case)} | ${cell(row.outcome)} | ${seconds} | ${migrations} |`);
  }
  return lines.join('\n');
}

function readRows(): FaultRow[] {
  if (!existsSync(RELIABILITY_DIR)) return [];
  return readdirSync(RELIABILITY_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(RELIABILITY_DIR, name), 'utf8')) as FaultRow);
}

const rows = readRows();
if (rows.length > 0) {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) {
    process.stderr.write(`reliability-table: ${DOC} has no ${START} … ${END} markers\n`);
    process.exit(1);
  }
  const stamp = `_Produced by \`make test\` on ${new Date().toISOString().slice(0, 10)} from ${rows.length} cases._`;
  writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${renderTable(rows)}\n\n${stamp}\n${doc.slice(end)}`);
  process.stdout.write(`reliability: ${rows.length} cases written to docs/reliability.md\n`);
}
