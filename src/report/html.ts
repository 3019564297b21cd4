// HTML built from text: every interpolated value is escaped unless it is already markup (Markup,
// made by this tag). Names in a report come from resources people write (experiment names, host
// name labels, action names), so escaping is the default and markup the exception.

/** A piece of markup that must not be escaped again. */
export class Markup {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Interpolated = Markup | string | number | boolean | null | undefined | readonly Interpolated[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as it may appear in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

/** The tag: html`<td>${name}</td>`; false, null and undefined render nothing, arrays are joined. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Markup {
  let text = strings[0]!;
  for (let index = 0; index < values.length; index++) text += render(values[index]) + strings[index + 1]!;
  return new Markup(text);
}

/** Markup from text known to be safe (generated SVG numbers, the style sheet). */
export function raw(text: string): Markup {
  return new Markup(text);
}

function render(value: Interpolated): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
