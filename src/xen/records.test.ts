import { describe, expect, it } from 'vitest';
import { XapiProtocolError } from './errors.ts';
import { hostFromRecords, isGuest, NULL_REF, vmFromRecord } from './records.ts';
import { taskState } from './task-follower.ts';

const GiB = 1024 ** 3;

describe('Given a VM record', () => {
  const jsonRpc = {
    uuid: 'uuid-web',
    name_label: 'web',
    power_state: 'Running',
    resident_on: 'OpaqueRef:host-1',
    memory_static_max: 2 * GiB,
    memory_dynamic_max: 2 * GiB,
    memory_dynamic_min: 1.5 * GiB,
    memory_overhead: 20 * 1024 ** 2,
    VCPUs_max: 1,
  };

  it('when it came over JSON-RPC (numbers), then the memory needed is dynamic min plus overhead, as XAPI counts it', () => {
    const vm = vmFromRecord('OpaqueRef:web', jsonRpc);
    expect(vm).toEqual({
      ref: 'OpaqueRef:web',
      uuid: 'uuid-web',
      name: 'web',
      powerState: 'Running',
      residentOn: 'OpaqueRef:host-1',
      memoryNeeded: 1.5 * GiB + 20 * 1024 ** 2,
      vcpus: 1,
    });
  });

  it('when it came over XML-RPC (64-bit integers as strings), then it reads the same', () => {
    const xmlRpc = Object.fromEntries(Object.entries(jsonRpc).map(([key, value]) => [key, String(value)]));
    expect(vmFromRecord('OpaqueRef:web', xmlRpc)).toEqual(vmFromRecord('OpaqueRef:web', jsonRpc));
  });

  it('when dynamic minimum and overhead are missing, then the static maximum is what is needed', () => {
    const { memory_dynamic_min: _dynamic, memory_overhead: _overhead, ...older } = jsonRpc;
    expect(vmFromRecord('OpaqueRef:web', older).memoryNeeded).toBe(2 * GiB);
  });

  it('when the VM is not resident anywhere, then it is on the null reference', () => {
    const { resident_on: _host, ...halted } = jsonRpc;
    expect(vmFromRecord('OpaqueRef:web', halted).residentOn).toBe(NULL_REF);
  });

  it('when a field is not what XAPI sends, then the record is refused naming the field', () => {
    expect(() => vmFromRecord('OpaqueRef:web', { ...jsonRpc, memory_static_max: 'lots', memory_dynamic_min: undefined })).toThrow(
      XapiProtocolError,
    );
    expect(() => vmFromRecord('OpaqueRef:web', { ...jsonRpc, name_label: undefined })).toThrow(/whose name_label is undefined/);
  });

  it('when it is a template, snapshot or control domain, then it is not a guest', () => {
    expect(isGuest(jsonRpc)).toBe(true);
    expect(isGuest({ ...jsonRpc, is_a_template: true })).toBe(false);
    expect(isGuest({ ...jsonRpc, is_a_snapshot: true })).toBe(false);
    expect(isGuest({ ...jsonRpc, is_control_domain: true })).toBe(false);
  });
});

describe('Given a host record and its metrics', () => {
  const record = { uuid: 'uuid-1', name_label: 'xen-1', address: '10.0.0.1', enabled: true, metrics: 'OpaqueRef:m1' };
  const metrics = { memory_total: String(16 * GiB), memory_free: String(6 * GiB), live: true };

  it('when both are there, then free and total memory come from the metrics', () => {
    expect(hostFromRecords('OpaqueRef:h1', record, metrics, ['db', 'web'])).toEqual({
      ref: 'OpaqueRef:h1',
      uuid: 'uuid-1',
      name: 'xen-1',
      address: '10.0.0.1',
      enabled: true,
      live: true,
      memoryFree: 6 * GiB,
      memoryTotal: 16 * GiB,
      residentVms: ['db', 'web'],
    });
  });

  it('when the metrics are missing, then the host is not live and has no memory to offer', () => {
    const host = hostFromRecords('OpaqueRef:h1', record, undefined, []);
    expect(host.live).toBe(false);
    expect(host.memoryFree).toBe(0);
  });
});

describe('Given a task record', () => {
  it('when it is running, then progress is a number whatever the transport', () => {
    expect(taskState('OpaqueRef:t', { status: 'pending', progress: '0.25', error_info: [] })).toEqual({
      ref: 'OpaqueRef:t',
      status: 'pending',
      progress: 0.25,
      errorInfo: [],
    });
  });
  it('when it failed, then error_info is kept', () => {
    expect(taskState('OpaqueRef:t', { status: 'failure', progress: 1, error_info: ['VM_MIGRATE_FAILED', 'x'] }).errorInfo).toEqual([
      'VM_MIGRATE_FAILED',
      'x',
    ]);
  });
  it('when the status is unknown, then the record is refused', () => {
    expect(() => taskState('OpaqueRef:t', { status: 'exploded' })).toThrow(/status "exploded"/);
  });
});
