// The XAPI classes the testbed serves, with the fields it keeps for each (a subset of
// ocaml/idl/datamodel*.ml, names and types as there). The field set of a class never changes:
// the xen-api client builds each type's wrapper from the first record it sees.
// Each field's kind decides its wire encoding (see wire.ts).

export type FieldKind = 'string' | 'int' | 'float' | 'bool' | 'datetime' | 'set' | 'map';
export type Schema<R> = { readonly [K in keyof R]-?: FieldKind };

type Map = Record<string, string>;

export interface PoolRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  master: string;
  default_SR: string;
  other_config: Map;
  tags: string[];
  ha_enabled: boolean;
  migration_compression: boolean;
  allowed_operations: string[];
  current_operations: Map;
}

export interface HostRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  enabled: boolean;
  address: string;
  hostname: string;
  metrics: string;
  resident_VMs: string[];
  API_version_major: number;
  API_version_minor: number;
  API_version_vendor: string;
  software_version: Map;
  cpu_info: Map;
  memory_overhead: number;
  other_config: Map;
  tags: string[];
  allowed_operations: string[];
  current_operations: Map;
}

export interface HostMetricsRecord {
  uuid: string;
  memory_total: number;
  memory_free: number;
  live: boolean;
  last_updated: number;
  other_config: Map;
}

export interface VmRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  power_state: 'Halted' | 'Paused' | 'Running' | 'Suspended';
  resident_on: string;
  scheduled_to_be_resident_on: string;
  affinity: string;
  is_a_template: boolean;
  is_a_snapshot: boolean;
  is_control_domain: boolean;
  domid: number;
  domain_type: string;
  memory_static_max: number;
  memory_static_min: number;
  memory_dynamic_max: number;
  memory_dynamic_min: number;
  memory_target: number;
  memory_overhead: number;
  VCPUs_max: number;
  VCPUs_at_startup: number;
  metrics: string;
  guest_metrics: string;
  allowed_operations: string[];
  current_operations: Map;
  blocked_operations: Map;
  other_config: Map;
  tags: string[];
}

export interface VmMetricsRecord {
  uuid: string;
  memory_actual: number;
  VCPUs_number: number;
  start_time: number;
  install_time: number;
  last_updated: number;
  current_domain_type: string;
  other_config: Map;
}

export interface TaskRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  allowed_operations: string[];
  current_operations: Map;
  created: number;
  finished: number;
  status: 'pending' | 'success' | 'failure' | 'cancelling' | 'cancelled';
  resident_on: string;
  progress: number;
  type: string;
  result: string;
  error_info: string[];
  other_config: Map;
  subtask_of: string;
  subtasks: string[];
  backtrace: string;
}

export interface NetworkRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  bridge: string;
  MTU: number;
  PIFs: string[];
  VIFs: string[];
  other_config: Map;
  tags: string[];
  allowed_operations: string[];
  current_operations: Map;
}

export interface RecordsByClass {
  pool: PoolRecord;
  host: HostRecord;
  host_metrics: HostMetricsRecord;
  VM: VmRecord;
  VM_metrics: VmMetricsRecord;
  task: TaskRecord;
  network: NetworkRecord;
}

export type ClassName = keyof RecordsByClass;

const common = { uuid: 'string', other_config: 'map' } as const;
const named = { name_label: 'string', name_description: 'string' } as const;
const operations = { allowed_operations: 'set', current_operations: 'map' } as const;

export const SCHEMAS: { readonly [C in ClassName]: Schema<RecordsByClass[C]> } = {
  pool: {
    ...common,
    ...named,
    ...operations,
    master: 'string',
    default_SR: 'string',
    tags: 'set',
    ha_enabled: 'bool',
    migration_compression: 'bool',
  },
  host: {
    ...common,
    ...named,
    ...operations,
    enabled: 'bool',
    address: 'string',
    hostname: 'string',
    metrics: 'string',
    resident_VMs: 'set',
    API_version_major: 'int',
    API_version_minor: 'int',
    API_version_vendor: 'string',
    software_version: 'map',
    cpu_info: 'map',
    memory_overhead: 'int',
    tags: 'set',
  },
  host_metrics: { ...common, memory_total: 'int', memory_free: 'int', live: 'bool', last_updated: 'datetime' },
  VM: {
    ...common,
    ...named,
    ...operations,
    power_state: 'string',
    resident_on: 'string',
    scheduled_to_be_resident_on: 'string',
    affinity: 'string',
    is_a_template: 'bool',
    is_a_snapshot: 'bool',
    is_control_domain: 'bool',
    domid: 'int',
    domain_type: 'string',
    memory_static_max: 'int',
    memory_static_min: 'int',
    memory_dynamic_max: 'int',
    memory_dynamic_min: 'int',
    memory_target: 'int',
    memory_overhead: 'int',
    VCPUs_max: 'int',
    VCPUs_at_startup: 'int',
    metrics: 'string',
    guest_metrics: 'string',
    blocked_operations: 'map',
    tags: 'set',
  },
  VM_metrics: {
    ...common,
    memory_actual: 'int',
    VCPUs_number: 'int',
    start_time: 'datetime',
    install_time: 'datetime',
    last_updated: 'datetime',
    current_domain_type: 'string',
  },
  task: {
    ...common,
    ...named,
    ...operations,
    created: 'datetime',
    finished: 'datetime',
    status: 'string',
    resident_on: 'string',
    progress: 'float',
    type: 'string',
    result: 'string',
    error_info: 'set',
    subtask_of: 'string',
    subtasks: 'set',
    backtrace: 'string',
  },
  network: {
    ...common,
    ...named,
    ...operations,
    bridge: 'string',
    MTU: 'int',
    PIFs: 'set',
    VIFs: 'set',
    tags: 'set',
  },
};

export const CLASS_NAMES = Object.keys(SCHEMAS) as ClassName[];

/** XAPI's null reference. */
export const NULL_REF = 'OpaqueRef:NULL';

export function isClassName(name: string): name is ClassName {
  return Object.hasOwn(SCHEMAS, name);
}
