// How every command shows a result: a table for a person, JSON for a program. Commands build
// plain data once and hand it here, so the two views never disagree.

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number;
  /** Numbers read best right-aligned; text left-aligned. */
  align?: 'left' | 'right';
}

/** A plain-text table: a header, a rule, one line a row, columns padded to their widest cell. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => String(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] ?? '').length)));
  const pad = (text: string, i: number): string => {
    const column = columns[i];
    const width = widths[i] ?? 0;
    return column?.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  const lines = [
    columns.map((column, i) => pad(column.header, i)).join('  '),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.map((line) => line.map((cell, i) => pad(cell, i)).join('  ')),
  ];
  return lines.map((line) => line.trimEnd()).join('\n');
}

/** One JSON document on stdout, for --json. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printText(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
