// The testbed's topology, from YAML: the pool, its hosts, the VMs on them and the guests they
// front. Sizes, rates and durations are written as a person writes them (2GiB, 1Gbit/s, 500ms) and
// parsed by src/quantity; anything wrong is refused with the path of the field to fix
// (`hosts[1].memory: ...`). See src/testbed/default-topology.yaml for a commented example.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidInputError } from '../invalid/index.ts';
import { YAML_LIMITS, yamlProblem } from '../invalid/yaml.ts';
import { parse as parseYaml } from 'yaml';
import { parseByteRate, parseBytes, parseDuration, QuantityError } from '../quantity/index.ts';
import type { PreCopyInput } from './precopy-model.ts';
import { findPreCopyPreset, PRECOPY_PRESETS } from './presets.ts';

export const DEFAULT_TOPOLOGY_FILE = new URL('./default-topology.yaml', import.meta.url);

/** A quantity field: "2GiB" or a bare number, parsed into a number (bytes, bytes/s or ms). */
function quantity(parse: (field: string, text: string | number) => number, { positive = false } = {}) {
  return z.union([z.string(), z.number()]).transform((text, ctx) => {
    try {
      const value = parse('value', text);
      if (positive && !(value > 0)) ctx.addIssue({ code: 'custom', message: `must be greater than zero (got ${text})` });
      return value;
    } catch (error) {
      if (!(error instanceof QuantityError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message.replace(/^value: /, '') });
      return z.NEVER;
    }
  });
}

const bytes = (o?: { positive?: boolean }) => quantity(parseBytes, o);
const rate = (o?: { positive?: boolean }) => quantity(parseByteRate, o);
const duration = () => quantity(parseDuration);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit');
const port = z.number().int().min(0).max(65535);

/** Pre-copy model parameters (docs/migration-model.md); any left out keep the model's defaults. */
const ModelSchema = z
  .object({
    setup: duration().optional(),
    resumeOverhead: duration().optional(),
    stopThreshold: bytes().optional(),
    maxIterations: z.number().int().positive().optional(),
    maxFactor: z.number().positive().optional(),
  })
  .strict();

const HostSchema = z
  .object({
    name,
    memory: bytes({ positive: true }),
    cpus: z.number().int().positive().default(8),
    /** Migration link bandwidth; a migration moves at the slower of its two hosts' links. */
    linkBandwidth: rate({ positive: true }),
    /** Memory of the control domain (dom0), which a real host always runs. */
    controlDomainMemory: bytes().default(1024 ** 3),
  })
  .strict();

const GuestSchema = z
  .object({
    /**
     * Start the reference application (src/testbed/app) for this VM, or its database alone
     * (reference-db: the site's data served over TCP, for a web VM's `database` to name) ...
     */
    app: z.enum(['reference', 'reference-db']).optional(),
    scale: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    /** With app: reference, the VM whose reference-db guest holds the site's data (through its guest proxy). */
    database: name.optional(),
    /** ... or front an application already listening here. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Fixed port for the guest proxy (default: any free port). */
    listenPort: port.optional(),
  })
  .strict()
  .superRefine((guest, ctx) => {
    if ((guest.app === undefined) === (guest.url === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either app: reference (or reference-db) or url: http://HOST:PORT (exactly one)' });
    }
    if (guest.url !== undefined && (guest.scale !== undefined || guest.seed !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'scale and seed apply to app: reference only' });
    }
    if (guest.database !== undefined && guest.app !== 'reference') {
      ctx.addIssue({ code: 'custom', path: ['database'], message: 'database goes with app: reference (the site whose data it holds)' });
    }
    if (guest.database !== undefined && (guest.scale !== undefined || guest.seed !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['database'], message: "with a database VM, scale and seed are the database guest's: set them there" });
    }
  });

const presetNames = PRECOPY_PRESETS.map((preset) => preset.name);

const VmSchema = z
  .object({
    name,
    memory: bytes({ positive: true }),
    vcpus: z.number().int().positive().default(1),
    host: name.optional(),
    powerState: z.enum(['Running', 'Halted', 'Paused', 'Suspended']).default('Running'),
    /** A named pre-copy scenario (src/testbed/presets.ts) giving dirtyRate, wws and model parameters. */
    preset: z.string().refine((p) => presetNames.includes(p), `unknown preset (known: ${presetNames.join(', ')})`).optional(),
    dirtyRate: rate().optional(),
    wws: bytes().optional(),
    model: ModelSchema.optional(),
    guest: GuestSchema.optional(),
    /** How much slower the guest answers during pre-copy (1 = not at all). */
    precopySlowdown: z.number().min(1).optional(),
    /** After resume, requests take `penalty` longer, decaying away over `decay`. */
    warmup: z.object({ penalty: duration(), decay: duration() }).strict().optional(),
  })
  .strict();

const TopologyObject = z
  .object({
    pool: name.default('migrascope-testbed'),
    credentials: z
      .object({ username: z.string().min(1).default('root'), password: z.string().min(1).optional() })
      .strict()
      .prefault({}),
    tls: z.boolean().default(true),
    port: port.default(0),
    model: ModelSchema.prefault({}),
    hosts: z.array(HostSchema).min(1, 'a pool needs at least one host'),
    vms: z.array(VmSchema).default([]),
  })
  .strict();

const TopologySchema = TopologyObject.superRefine(checkReferences);

export type TopologyConfig = z.output<typeof TopologySchema>;
export type HostConfig = TopologyConfig['hosts'][number];
export type VmConfig = TopologyConfig['vms'][number];
export type ModelConfig = z.output<typeof ModelSchema>;

/** Names must be unique, VMs must sit on hosts that exist and fit there, W <= M, a guest's database must be one. */
function checkReferences(topology: z.output<typeof TopologyObject>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const hostIndex = new Map<string, number>();
  topology.hosts.forEach((host, i) => {
    if (hostIndex.has(host.name)) issue(['hosts', i, 'name'], `duplicate host name "${host.name}"`);
    hostIndex.set(host.name, i);
  });
  const used = new Map(topology.hosts.map((host) => [host.name, host.controlDomainMemory]));
  const vmNames = new Set<string>();
  topology.vms.forEach((vm, i) => {
    if (vmNames.has(vm.name)) issue(['vms', i, 'name'], `duplicate VM name "${vm.name}"`);
    vmNames.add(vm.name);
    const preset = PRECOPY_PRESETS.find((candidate) => candidate.name === vm.preset);
    const wws = vm.wws ?? preset?.input.writableWorkingSetBytes ?? 0;
    if (wws > vm.memory) issue(['vms', i, 'wws'], `the writable working set (${wws} B) cannot exceed the VM's memory (${vm.memory} B)`);
    const resident = vm.powerState === 'Running' || vm.powerState === 'Paused';
    if (vm.host === undefined) {
      if (resident) issue(['vms', i, 'host'], `a ${vm.powerState} VM needs a host`);
      return;
    }
    const h = hostIndex.get(vm.host);
    if (h === undefined) {
      issue(['vms', i, 'host'], `no host named "${vm.host}" (hosts: ${[...hostIndex.keys()].join(', ')})`);
      return;
    }
    if (!resident) return;
    const total = (used.get(vm.host) ?? 0) + vm.memory;
    const capacity = topology.hosts[h]?.memory ?? 0;
    if (total > capacity) issue(['vms', i, 'memory'], `does not fit on host "${vm.host}" (${total} B needed in all, ${capacity} B there)`);
    used.set(vm.host, total);
  });
  topology.vms.forEach((vm, i) => {
    const database = vm.guest?.database;
    if (database === undefined) return;
    const holder = topology.vms.find((candidate) => candidate.name === database);
    if (holder?.guest?.app !== 'reference-db') {
      const known = topology.vms.filter((candidate) => candidate.guest?.app === 'reference-db').map((candidate) => candidate.name);
      issue(['vms', i, 'guest', 'database'], `no VM named "${database}" has guest app: reference-db (those that do: ${known.join(', ') || 'none'})`);
    }
  });
}

/** Validates a parsed YAML document; throws InvalidInputError naming the first bad field. */
export function parseTopology(document: unknown): TopologyConfig {
  const result = TopologySchema.safeParse(document ?? {});
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  if (!first) throw new InvalidInputError('topology', 'invalid');
  const more = rest.length ? ` (and ${rest.length} more: ${rest.map((i) => formatPath(i.path)).join(', ')})` : '';
  throw new InvalidInputError(formatPath(first.path) || 'topology', `${first.message}${more}`);
}

/** Reads a topology file (the bundled default when none is given). */
export function loadTopology(file?: string): TopologyConfig {
  const source = file ?? DEFAULT_TOPOLOGY_FILE;
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new InvalidInputError('--config', `cannot read ${String(source)}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text, YAML_LIMITS);
  } catch (error) {
    throw new InvalidInputError('--config', `${String(source)} is not valid YAML: ${yamlProblem(error, text)}`);
  }
  return parseTopology(document);
}

/** hosts[1].memory from ["hosts", 1, "memory"]. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

/**
 * The pre-copy model's inputs for moving `vm` from `source` to `destination`: the VM's memory,
 * the slower of the two links, and the VM's dirtying; model parameters from the VM's own `model`,
 * else its preset, else the topology's `model`, else the model's defaults.
 */
export function precopyInputFor(
  topology: TopologyConfig,
  vm: VmConfig,
  source: HostConfig,
  destination: HostConfig,
): PreCopyInput {
  const preset = vm.preset === undefined ? undefined : findPreCopyPreset(vm.preset).input;
  const own = vm.model ?? {};
  const pool = topology.model;
  return {
    memoryBytes: vm.memory,
    bandwidthBytesPerSecond: Math.min(source.linkBandwidth, destination.linkBandwidth),
    dirtyRateBytesPerSecond: vm.dirtyRate ?? preset?.dirtyRateBytesPerSecond ?? 0,
    writableWorkingSetBytes: vm.wws ?? preset?.writableWorkingSetBytes ?? 0,
    stopThresholdBytes: own.stopThreshold ?? preset?.stopThresholdBytes ?? pool.stopThreshold,
    maxIterations: own.maxIterations ?? preset?.maxIterations ?? pool.maxIterations,
    maxFactor: own.maxFactor ?? preset?.maxFactor ?? pool.maxFactor,
    resumeOverheadMs: own.resumeOverhead ?? preset?.resumeOverheadMs ?? pool.resumeOverhead,
    setupMs: own.setup ?? preset?.setupMs ?? pool.setup,
  };
}
