// The field reference in docs/resources.md, generated from the same schemas as the CRDs. The page's
// prose is written by hand; the tables between `<!-- generated:KEY -->` and `<!-- /generated -->`
// are rewritten by `npm run crds`, so a field's default and limits can never drift from the code.

import { CONDITION_REASON_PATTERN, CONDITION_TYPE_PATTERN, DURATION_PATTERN, OBJECT_NAME_PATTERN } from '../v1alpha1/index.ts';
import { KIND_DEFINITIONS, type KindDefinition } from './definitions.ts';
import { openApiSchema } from './render.ts';
import type { JSONSchemaProps } from './structural-schema.ts';

export const REFERENCE_DOC = 'docs/resources.md';
const END = '<!-- /generated -->';

/** Every generated block: key -> markdown. Keys: `<Kind>.spec`, `<Kind>.status`, `<Kind>.columns`. */
export function referenceBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const definition of KIND_DEFINITIONS) {
    const schema = openApiSchema(definition);
    for (const part of ['spec', 'status'] as const) {
      const partSchema = schema.properties?.[part];
      if (partSchema) blocks.set(`${definition.kind}.${part}`, fieldTable(partSchema));
    }
    blocks.set(`${definition.kind}.columns`, columnTable(definition));
  }
  return blocks;
}

/** `document` with every generated block replaced; throws when a block's markers are missing. */
export function renderReferenceDoc(document: string): string {
  let text = document;
  for (const [key, markdown] of referenceBlocks()) {
    const start = `<!-- generated:${key} -->`;
    const from = text.indexOf(start);
    const to = from < 0 ? -1 : text.indexOf(END, from);
    if (from < 0 || to < 0) throw new Error(`${REFERENCE_DOC}: markers "${start}" ... "${END}" are missing`);
    text = `${text.slice(0, from + start.length)}\n${markdown}${text.slice(to)}`;
  }
  return text;
}

interface Row {
  field: string;
  type: string;
  defaultValue: string;
  validation: string;
  description: string;
}

function fieldTable(schema: JSONSchemaProps): string {
  const rows: Row[] = [];
  const objectRules = ruleText(schema);
  if (objectRules) rows.push({ field: '(the object)', type: 'object', defaultValue: '', validation: objectRules, description: '' });
  collectRows(schema, '', rows);
  const lines = ['| Field | Type | Default | Validation | Description |', '|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| ${[`\`${row.field}\``, row.type, row.defaultValue, row.validation, row.description].map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function collectRows(schema: JSONSchemaProps, prefix: string, rows: Row[]): void {
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const field = `${prefix}${name}`;
    const required = schema.required?.includes(name) ?? false;
    rows.push({
      field,
      type: typeText(child),
      defaultValue: child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``,
      validation: [required ? 'required' : '', limitsText(child), ruleText(child)].filter(Boolean).join('; '),
      description: child.description ?? '',
    });
    const element = child.type === 'array' ? child.items : child.additionalProperties;
    if (child.properties) collectRows(child, `${field}.`, rows);
    else if (element?.properties) collectRows(element, `${field}${child.type === 'array' ? '[]' : '{}'}.`, rows);
  }
}

function typeText(schema: JSONSchemaProps): string {
  if (schema.type === 'array') return `list of ${typeText(schema.items ?? {})}`;
  if (schema.type === 'object' && schema.additionalProperties) return `map of ${typeText(schema.additionalProperties)}`;
  if (schema.type === 'string' && schema.pattern === DURATION_PATTERN.source) return 'duration';
  if (schema.type === 'string' && schema.format === 'uri') return 'URL';
  if (schema.type === 'string' && schema.format) return `string (${schema.format})`;
  return schema.type ?? 'any';
}

/** Patterns a person knows better by name than by regex ('' for durations: the type says it). */
const NAMED_PATTERNS = new Map<string, string>([
  [DURATION_PATTERN.source, ''],
  [OBJECT_NAME_PATTERN.source, 'a Kubernetes name (RFC 1123 subdomain)'],
  [CONDITION_TYPE_PATTERN.source, 'a condition type (metav1.Condition)'],
  [CONDITION_REASON_PATTERN.source, 'CamelCase'],
]);

function limitsText(schema: JSONSchemaProps): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(`one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (schema.minimum !== undefined) parts.push(`${schema.exclusiveMinimum ? '>' : '≥'} ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`${schema.exclusiveMaximum ? '<' : '≤'} ${schema.maximum}`);
  if (schema.minLength === 1) parts.push('not empty');
  else if (schema.minLength !== undefined && schema.minLength > 1) parts.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined) {
    const name = NAMED_PATTERNS.get(schema.pattern);
    if (name === undefined) parts.push(`matches \`${schema.pattern}\``);
    else if (name) parts.push(name);
  }
  if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  if (schema.maxProperties !== undefined) parts.push(`at most ${schema.maxProperties} entries`);
  if (schema.items) {
    const items = [limitsText(schema.items), ruleText(schema.items)].filter(Boolean).join('; ');
    if (items) parts.push(`each: ${items}`);
  }
  if (schema.additionalProperties) {
    const values = [limitsText(schema.additionalProperties), ruleText(schema.additionalProperties)].filter(Boolean).join('; ');
    if (values) parts.push(`each value: ${values}`);
  }
  return parts.join('; ');
}

function ruleText(schema: JSONSchemaProps): string {
  return (schema['x-kubernetes-validations'] ?? []).map((rule) => rule.message).join('; ');
}

function columnTable(definition: KindDefinition): string {
  const lines = ['| Column | From | Shown |', '|---|---|---|'];
  for (const column of definition.printerColumns) {
    lines.push(`| ${[column.name, `\`${column.jsonPath}\``, column.priority ? '`-o wide`' : 'always'].map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
