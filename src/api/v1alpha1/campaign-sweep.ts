// What a campaign sweeps: one or two of the experiment's fields, each as from/to/step or a list
// of values, with the levels the cartesian product of the two. Users or rate (the load), the
// number of migrations, the spacing between them, the offset of the first, and, on a simulated
// pool only, the VM's memory and the link's bandwidth (the testbed's pre-copy model's inputs).
//
// Each field also says which way is harder on the SLA (more users, closer migrations, a slower
// link...): the levels run easiest first, and the recommendation is the hardest level that kept
// the SLA with every easier one keeping it too. The offset has no such direction.

import { z } from 'zod';
import { parseByteRate, parseBytes, parseDuration } from '../../quantity/index.ts';
import { Duration, PositiveDuration } from './duration.ts';
import { MAX_MIGRATIONS } from './migrations.ts';
import { withRules, type CelRule } from './rules.ts';
import { LinkRate, MemorySize } from './testbed-inputs.ts';

export const MAX_CAMPAIGN_LEVELS = 50;
/** A grid of two fields is what a table can show; a third would need a cube. */
export const MAX_SWEPT_FIELDS = 2;

type Kind = 'int' | 'number' | 'duration' | 'size' | 'rate';

export const SWEEP_FIELD_NAMES = ['users', 'rate', 'migrations', 'spacing', 'offset', 'vmMemory', 'linkBandwidth'] as const;
export type SweepField = (typeof SWEEP_FIELD_NAMES)[number];

interface FieldInfo {
  kind: Kind;
  /** How a person names the field next to a value: "500 users", "spacing 2m". */
  label: string;
  /** Which way is harder on the SLA; undefined: neither (the offset). */
  harder?: 'up' | 'down';
}

export const SWEEP_FIELDS: Readonly<Record<SweepField, FieldInfo>> = {
  users: { kind: 'int', label: 'users', harder: 'up' },
  rate: { kind: 'number', label: 'operations/s', harder: 'up' },
  migrations: { kind: 'int', label: 'migrations', harder: 'up' },
  spacing: { kind: 'duration', label: 'spacing', harder: 'down' },
  offset: { kind: 'duration', label: 'offset' },
  vmMemory: { kind: 'size', label: 'VM memory', harder: 'up' },
  linkBandwidth: { kind: 'rate', label: 'link bandwidth', harder: 'down' },
};

/**
 * Which of two swept fields the recommendation reads along (the table's columns): the load first,
 * then the schedule, then the model's inputs; the other field makes the rows.
 */
const LIMIT_PRIORITY: readonly SweepField[] = ['users', 'rate', 'spacing', 'migrations', 'linkBandwidth', 'vmMemory', 'offset'];

export type LevelValue = number | string;
/** One level: a value for each swept field. */
export type SweepPoint = Partial<Record<SweepField, LevelValue>>;

interface Range {
  from?: LevelValue | undefined;
  to?: LevelValue | undefined;
  step?: LevelValue | undefined;
  values?: LevelValue[] | undefined;
}

const shape: CelRule<Range> = {
  rule: 'has(self.values) ? !(has(self.from) || has(self.to) || has(self.step)) : has(self.from) && has(self.to) && has(self.step)',
  message: 'give either values (a list), or from, to and step',
  holds: (s) => (s.values !== undefined ? s.from === undefined && s.to === undefined && s.step === undefined : s.from !== undefined && s.to !== undefined && s.step !== undefined),
};

/** The CEL for a range's number (`from`, `to`, `step` as numbers) and the same in TypeScript. */
const CEL_NUMBER: Record<'int' | 'number' | 'duration', (part: string) => string> = {
  int: (part) => `self.${part}`,
  number: (part) => `self.${part}`,
  duration: (part) => `duration(self.${part}).getMilliseconds()`,
};

/** from <= to and at most MAX_CAMPAIGN_LEVELS levels, for the kinds CEL can read. */
function rangeRules(kind: 'int' | 'number' | 'duration'): CelRule<Range>[] {
  const of = CEL_NUMBER[kind];
  const given = '!has(self.from) || !has(self.to) || !has(self.step) || ';
  const levels = kind === 'number' ? `(${of('to')} - ${of('from')}) / ${of('step')} < ${MAX_CAMPAIGN_LEVELS}.0` : `(${of('to')} - ${of('from')}) / ${of('step')} < ${MAX_CAMPAIGN_LEVELS}`;
  return [
    {
      rule: `${given}${of('from')} <= ${of('to')}`,
      message: 'from must not be greater than to',
      field: ['to'],
      holds: (s) => s.from === undefined || s.to === undefined || numeric(kind, s.from) <= numeric(kind, s.to),
    },
    {
      rule: `${given}${levels}`,
      message: `a sweep may have at most ${MAX_CAMPAIGN_LEVELS} levels; use a larger step`,
      field: ['step'],
      holds: (s) => s.from === undefined || s.to === undefined || s.step === undefined || rangeCount(kind, s) <= MAX_CAMPAIGN_LEVELS,
    },
  ];
}

function sweepOf<V extends z.ZodType<LevelValue>>(value: V, step: z.ZodType<LevelValue>, kind: Kind, what: string) {
  const object = z.strictObject({
    from: value.optional().describe(`${what} at the first level.`),
    to: value.optional().describe(`${what} at the last level (included when the steps land on it).`),
    step: step.optional().describe('Added from one level to the next.'),
    values: z.array(value).min(1).max(MAX_CAMPAIGN_LEVELS).optional().describe('The levels as a list, instead of from, to and step.'),
  });
  if (kind === 'int' || kind === 'number' || kind === 'duration') return withRules(object, [shape, ...rangeRules(kind)]);
  // Sizes and rates are text the API server cannot read as numbers: Migrascope's parser checks
  // their order and count (the controller marks a campaign InvalidSpec when they are wrong).
  const ordered = object.check((payload) => {
    const s = payload.value as Range;
    if (payload.issues.length > 0 || s.from === undefined || s.to === undefined || s.step === undefined) return;
    if (numeric(kind, s.from) > numeric(kind, s.to)) payload.issues.push({ code: 'custom', message: 'from must not be greater than to', path: ['to'], input: s });
    else if (rangeCount(kind, s) > MAX_CAMPAIGN_LEVELS) payload.issues.push({ code: 'custom', message: `a sweep may have at most ${MAX_CAMPAIGN_LEVELS} levels; use a larger step`, path: ['step'], input: s });
  });
  return withRules(ordered, [shape]);
}

const Users = z.int().min(1).max(100_000);
const Rate = z.number().gt(0).max(100_000);
const Count = z.int().min(1).max(MAX_MIGRATIONS);

export const UserSweep = sweepOf(Users, z.int().min(1, { error: 'step must be at least 1' }).max(100_000), 'int', 'Users');
export const RateSweep = sweepOf(Rate, z.number().gt(0).max(100_000), 'number', 'Operations per second');
export const MigrationCountSweep = sweepOf(Count, z.int().min(1).max(MAX_MIGRATIONS), 'int', 'Migrations per run');
export const SpacingSweep = sweepOf(PositiveDuration, PositiveDuration, 'duration', 'Time between the starts of consecutive migrations');
export const OffsetSweep = sweepOf(Duration, PositiveDuration, 'duration', 'Offset into steady state of the first migration');
export const MemorySweep = sweepOf(MemorySize, MemorySize, 'size', "The VM's memory");
export const BandwidthSweep = sweepOf(LinkRate, LinkRate, 'rate', "The link's bandwidth");
export type UserSweep = z.output<typeof UserSweep>;

/** The CEL for the number of levels of one field, 1 when it is not swept. */
function celLevels(field: SweepField): string {
  const { kind } = SWEEP_FIELDS[field];
  const f = `self.${field}`;
  let range: string;
  if (kind === 'int') range = `(${f}.to - ${f}.from) / ${f}.step + 1`;
  else if (kind === 'number') range = `int((${f}.to - ${f}.from) / ${f}.step) + 1`;
  else if (kind === 'duration') range = `(duration(${f}.to).getMilliseconds() - duration(${f}.from).getMilliseconds()) / duration(${f}.step).getMilliseconds() + 1`;
  else range = '1'; // sizes and rates: counted by the parser (see sweepOf)
  return `(has(${f}) ? (has(${f}.values) ? size(${f}.values) : ${range}) : 1)`;
}

export const CampaignSweep = withRules(
  z.strictObject({
    users: UserSweep.optional().describe('Concurrent users (closed loop), e.g. 100..600 by 100.'),
    rate: RateSweep.optional().describe('Operations started per second (open loop).'),
    migrations: MigrationCountSweep.optional().describe("Migrations per run: replaces template.spec.migrations.count."),
    spacing: SpacingSweep.optional().describe('Time between consecutive migrations: replaces template.spec.migrations.spacing, e.g. 1m..10m by 1m.'),
    offset: OffsetSweep.optional().describe('When the first migration starts into steady state: replaces template.spec.migrations.first.'),
    vmMemory: MemorySweep.optional().describe("Simulated pools only: the VM's memory in the pre-copy model (spec.testbed.vmMemory), e.g. 1GiB..8GiB by 1GiB."),
    linkBandwidth: BandwidthSweep.optional().describe("Simulated pools only: the migration link's bandwidth in the pre-copy model (spec.testbed.linkBandwidth), e.g. 50MB/s..200MB/s by 50MB/s."),
  }),
  [
    {
      rule: `[${SWEEP_FIELD_NAMES.map((f) => `has(self.${f})`).join(', ')}].filter(x, x).size() >= 1`,
      message: `sweep at least one field: ${SWEEP_FIELD_NAMES.join(', ')}`,
      holds: (s) => sweptFields(s).length >= 1,
    },
    {
      rule: `[${SWEEP_FIELD_NAMES.map((f) => `has(self.${f})`).join(', ')}].filter(x, x).size() <= ${MAX_SWEPT_FIELDS}`,
      message: `sweep at most ${MAX_SWEPT_FIELDS} fields (a grid); run another campaign for a third`,
      holds: (s) => sweptFields(s).length <= MAX_SWEPT_FIELDS,
    },
    {
      rule: '!(has(self.users) && has(self.rate))',
      message: 'sweep users (closed loop) or rate (open loop), not both',
      field: ['rate'],
      holds: (s) => s.users === undefined || s.rate === undefined,
    },
    {
      rule: `${SWEEP_FIELD_NAMES.map(celLevels).join(' * ')} <= ${MAX_CAMPAIGN_LEVELS}`,
      message: `a campaign may have at most ${MAX_CAMPAIGN_LEVELS} levels in all (the product of its fields' levels); use larger steps or fewer values`,
      holds: (s) => sweptFields(s).reduce((total, field) => total * fieldValues(field, s[field]!).length, 1) <= MAX_CAMPAIGN_LEVELS,
    },
  ],
);
export type CampaignSweep = z.output<typeof CampaignSweep>;

/** The swept fields, in SWEEP_FIELDS order. */
export function sweptFields(sweep: Partial<Record<SweepField, unknown>>): SweepField[] {
  return SWEEP_FIELD_NAMES.filter((field) => sweep[field] !== undefined);
}

/** The field the recommendation reads along (columns) and the one that makes the rows, if any. */
export function sweepAxes(sweep: CampaignSweep): { limit: SweepField; row?: SweepField } {
  const fields = sweptFields(sweep);
  const limit = LIMIT_PRIORITY.find((field) => fields.includes(field)) ?? 'users';
  const row = fields.find((field) => field !== limit);
  return row === undefined ? { limit } : { limit, row };
}

/** A level's value as a number to compare: users, operations/s, ms, bytes or bytes/s. */
export function numeric(kind: Kind, value: LevelValue): number {
  if (typeof value === 'number') return value;
  if (kind === 'duration') return parseDuration('value', value);
  if (kind === 'size') return parseBytes('value', value);
  return parseByteRate('value', value);
}

export function fieldNumber(field: SweepField, value: LevelValue): number {
  return numeric(SWEEP_FIELDS[field].kind, value);
}

function rangeCount(kind: Kind, range: Range): number {
  const [from, to, step] = [range.from!, range.to!, range.step!].map((v) => numeric(kind, v)) as [number, number, number];
  return step > 0 ? Math.floor((to - from) / step + 1e-9) + 1 : Infinity;
}

/** A field's values, in the order the sweep gives them. */
export function fieldValues(field: SweepField, range: Range): LevelValue[] {
  if (range.values) return range.values;
  const { kind } = SWEEP_FIELDS[field];
  const count = rangeCount(kind, range);
  const [from, step] = [numeric(kind, range.from!), numeric(kind, range.step!)];
  return Array.from({ length: Math.min(count, MAX_CAMPAIGN_LEVELS + 1) }, (_, index) => asText(kind, from + index * step, range.from!));
}

/** A number back into the field's own notation, in the unit `like` was written in. */
function asText(kind: Kind, value: number, like: LevelValue): LevelValue {
  if (kind === 'int') return Math.round(value);
  if (kind === 'number') return Number(value.toFixed(6));
  if (kind === 'duration') return durationText(Math.round(value));
  const unit = String(like).replace(/^[\s0-9.+e-]+/i, '').trim();
  const factor = unit === '' ? 1 : numeric(kind, `1${unit}`);
  return `${Number((value / factor).toFixed(6))}${unit}`;
}

/** 90000 -> "1m30s": the API's duration notation, which Go's and CEL's duration() read. */
export function durationText(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const whole = Math.floor(rest / size);
    if (whole > 0) parts.push(`${whole}${unit}`);
    rest -= whole * size;
  }
  return parts.join('');
}

/** -1 when `a` is easier on the SLA than `b`; 0 for a field without a direction (keep the sweep's order). */
export function easierFirst(field: SweepField, a: LevelValue, b: LevelValue): number {
  const { harder } = SWEEP_FIELDS[field];
  if (harder === undefined) return 0;
  const difference = fieldNumber(field, a) - fieldNumber(field, b);
  return harder === 'up' ? difference : -difference;
}

/**
 * Every level, in the order they run: row by row (the row field's values as the sweep lists
 * them), and in each row the limit field's values easiest first.
 */
export function sweepLevels(sweep: CampaignSweep): SweepPoint[] {
  const { limit, row } = sweepAxes(sweep);
  const columns = [...fieldValues(limit, sweep[limit]!)].sort((a, b) => easierFirst(limit, a, b));
  const rows: (LevelValue | undefined)[] = row === undefined ? [undefined] : fieldValues(row, sweep[row]!);
  return rows.flatMap((r) => columns.map((value): SweepPoint => (row === undefined ? { [limit]: value } : { [row]: r, [limit]: value })));
}

/** "500 users", "spacing 2m", "VM memory 4GiB". */
export function describeValue(field: SweepField, value: LevelValue | undefined): string {
  const { label } = SWEEP_FIELDS[field];
  if (value === undefined) return `${label} ?`;
  return SWEEP_FIELDS[field].kind === 'int' || SWEEP_FIELDS[field].kind === 'number' ? `${value} ${label}` : `${label} ${value}`;
}

/** "500 users, spacing 2m", in SWEEP_FIELDS order. */
export function describeLevel(settings: SweepPoint): string {
  return sweptFields(settings).map((field) => describeValue(field, settings[field])).join(', ');
}

const NAME_PART: Record<SweepField, (text: string) => string> = {
  users: (v) => `${v}u`,
  rate: (v) => `${v}ops`,
  migrations: (v) => `${v}x`,
  spacing: (v) => `sp${v}`,
  offset: (v) => `at${v}`,
  vmMemory: (v) => `mem${v}`,
  linkBandwidth: (v) => `bw${v}`,
};

/** "500u", "500u-sp2m", "mem4gib-bw1gbit-s": what a level adds to its experiment's name. */
export function levelSuffix(settings: SweepPoint): string {
  return sweptFields(settings)
    .map((field) => NAME_PART[field](String(settings[field]).toLowerCase().replace(/\./g, 'p').replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '')))
    .join('-');
}
