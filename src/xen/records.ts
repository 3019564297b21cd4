// The pool as this adapter sees it: VMs and hosts read from XAPI records, with the numbers made
// numbers. XAPI sends 64-bit integers as strings over XML-RPC and as numbers over JSON-RPC, and
// records may lack fields older versions did not have, so every field is read here, once.
import { XapiProtocolError } from './errors.ts';

/** What XAPI's get_record / get_all_records return: field name to value. */
export type XapiRecord = Record<string, unknown>;

export const NULL_REF = 'OpaqueRef:NULL';

export interface XenObject {
  /** XAPI's opaque reference, valid while XAPI runs. */
  ref: string;
  uuid: string;
  /** The name label, as people see it in XenCenter / Xen Orchestra. */
  name: string;
}

export interface Vm extends XenObject {
  /** Halted | Paused | Running | Suspended. */
  powerState: string;
  /** Reference of the host it runs on; NULL_REF when not running. */
  residentOn: string;
  /** The memory a destination must have free to receive it, in bytes. */
  memoryNeeded: number;
  vcpus: number;
}

export interface Host extends XenObject {
  address: string;
  /** A disabled host (maintenance mode) receives no VM. */
  enabled: boolean;
  /** From host_metrics: false when the pool master has lost the host's heartbeat. */
  live: boolean;
  memoryFree: number;
  memoryTotal: number;
  /** Name labels of the VMs running on it (the control domain left out). */
  residentVms: string[];
}

export function vmFromRecord(ref: string, record: XapiRecord): Vm {
  const read = fieldReader('VM', ref, record);
  // XAPI admits a VM on a host when the host can hold its dynamic minimum (what ballooning can
  // shrink it to) plus its overhead (Memory_check.vm_compute_start_memory); the static maximum
  // stands in when no dynamic range is reported.
  const start = read.optionalCount('memory_dynamic_min') ?? read.count('memory_static_max');
  return {
    ref,
    uuid: read.text('uuid'),
    name: read.text('name_label'),
    powerState: read.text('power_state'),
    residentOn: read.optionalText('resident_on') ?? NULL_REF,
    memoryNeeded: start + (read.optionalCount('memory_overhead') ?? 0),
    vcpus: read.optionalCount('VCPUs_max') ?? 0,
  };
}

/** Guests a person migrates: not templates, snapshots or the hosts' control domains. */
export function isGuest(record: XapiRecord): boolean {
  return record.is_a_template !== true && record.is_a_snapshot !== true && record.is_control_domain !== true;
}

export function hostFromRecords(
  ref: string,
  record: XapiRecord,
  metrics: XapiRecord | undefined,
  residentVms: string[],
): Host {
  const read = fieldReader('host', ref, record);
  const readMetrics = metrics === undefined ? undefined : fieldReader('host_metrics', read.text('metrics'), metrics);
  return {
    ref,
    uuid: read.text('uuid'),
    name: read.text('name_label'),
    address: read.optionalText('address') ?? '',
    enabled: read.flag('enabled'),
    // A host without metrics has never reported: it cannot be trusted to receive a VM.
    live: readMetrics?.optionalFlag('live') ?? readMetrics !== undefined,
    memoryFree: readMetrics?.count('memory_free') ?? 0,
    memoryTotal: readMetrics?.count('memory_total') ?? 0,
    residentVms,
  };
}

function fieldReader(type: string, ref: string, record: XapiRecord) {
  const broken = (field: string, expected: string): XapiProtocolError =>
    new XapiProtocolError(
      `XAPI sent a ${type} record (${ref}) whose ${field} is ${JSON.stringify(record[field])}, not ${expected}; ` +
        'is this server really XAPI?',
    );
  const optionalText = (field: string): string | undefined => {
    const value = record[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw broken(field, 'a string');
    return value;
  };
  const optionalCount = (field: string): number | undefined => {
    const value = record[field];
    if (value === undefined) return undefined;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) throw broken(field, 'a number');
    return number;
  };
  const optionalFlag = (field: string): boolean | undefined => {
    const value = record[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw broken(field, 'a boolean');
    return value;
  };
  const required = <T>(field: string, value: T | undefined, expected: string): T => {
    if (value === undefined) throw broken(field, expected);
    return value;
  };
  return {
    optionalText,
    optionalCount,
    optionalFlag,
    text: (field: string) => required(field, optionalText(field), 'a string'),
    count: (field: string) => required(field, optionalCount(field), 'a number'),
    flag: (field: string) => required(field, optionalFlag(field), 'a boolean'),
  };
}
