// Reading a rendered report back in tests: SVG is XML, so a real XML parser (sax, already a
// dependency) lists its elements; tables are read as rows of cell texts. Plus hand-made seconds.
import sax from 'sax';
import { newHistogram, type SecondSnapshot } from '../../recording/index.ts';

export interface SvgElement {
  name: string;
  attributes: Record<string, string>;
  /** The element's own text (a <text> label, a <title>). */
  text: string;
}

/** Every element of an SVG document, in document order; throws on malformed XML. */
export function svgElements(svg: string): SvgElement[] {
  const parser = sax.parser(true);
  const elements: SvgElement[] = [];
  const open: SvgElement[] = [];
  parser.onopentag = (tag) => {
    const element = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '' };
    elements.push(element);
    open.push(element);
  };
  parser.ontext = (text) => {
    const current = open.at(-1);
    if (current) current.text += text;
  };
  parser.onclosetag = () => void open.pop();
  parser.onerror = (error) => {
    throw error;
  };
  parser.write(svg).close();
  return elements;
}

/** The SVG documents inside an HTML page. */
export function svgsOf(html: string): string[] {
  return [...html.matchAll(/<svg class="chart[\s\S]*?<\/svg>/g)].map((match) => match[0]);
}

/** The rows of the first table with this class: each a list of cell texts (tags stripped). */
export function tableRows(html: string, className: string): string[][] {
  const table = new RegExp(`<table class="${className}[^"]*">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (table === undefined) throw new Error(`no table of class ${className}`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => textOf(cell[1]!)));
}

/** The opening tag of the row carrying this data attribute. */
export function rowTag(html: string, attribute: string, value: string): string | undefined {
  return new RegExp(`<tr[^>]*${attribute}="${value}"[^>]*>`).exec(html)?.[0];
}

export function textOf(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A second of successful actions with these response times (ms), and failures by action. */
export function secondOf(epochSecond: number, actions: Record<string, number[]>, failed: Record<string, number> = {}): SecondSnapshot {
  const snapshot: SecondSnapshot = { second: epochSecond, actions: {} };
  for (const [action, durations] of Object.entries(actions)) {
    const histogram = newHistogram();
    for (const ms of durations) histogram.recordValue(Math.round(ms * 1000));
    snapshot.actions[action] = { histogram, ok: durations.length, errors: failed[action] ? { timeout: failed[action] } : {} };
  }
  for (const [action, count] of Object.entries(failed)) {
    snapshot.actions[action] ??= { histogram: newHistogram(), ok: 0, errors: { timeout: count } };
  }
  return snapshot;
}
