// A tiny PDF writer for the events' generated literature: text pages in Helvetica, with a
// correct cross-reference table so that viewers open the file without repairing it.

const LINES_PER_PAGE = 48;

/** A PDF of the given lines (ASCII; anything else prints as '?'), paginated. */
export function writePdf(title: string, lines: readonly string[]): Buffer {
  const pages: string[][] = [];
  const all = [title, '', ...lines];
  for (let i = 0; i < all.length; i += LINES_PER_PAGE) pages.push(all.slice(i, i + LINES_PER_PAGE));

  // Objects: 1 catalog, 2 page tree, 3 font, then for each page its page object and its content.
  const objects: string[] = [];
  const pageRefs = pages.map((_, i) => `${4 + 2 * i} 0 R`);
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${pageRefs.join(' ')}] /Count ${pages.length} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  pages.forEach((pageLines, i) => {
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> ` +
        `/Contents ${5 + 2 * i} 0 R >>`,
    );
    const content = ['BT', '/F1 11 Tf', '14 TL', '56 740 Td', ...pageLines.map((line) => `(${pdfText(line)}) '`), 'ET']
      .join('\n');
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  });

  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  // Every character is ASCII here, so string offsets are byte offsets.
  return Buffer.from(body, 'latin1');
}

function pdfText(line: string): string {
  return line.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
}
