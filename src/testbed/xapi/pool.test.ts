import { describe, expect, it } from 'vitest';
import { parseTopology } from '../config.ts';
import { NULL_REF } from './classes.ts';
import { SimulatedPool } from './pool.ts';
import { ObjectStore } from './store.ts';

const MiB = 1024 ** 2;

function pool(): SimulatedPool {
  const topology = parseTopology({
    hosts: [
      { name: 'a', memory: '1024MiB', linkBandwidth: '1Gbit/s', controlDomainMemory: '128MiB' },
      { name: 'b', memory: '1024MiB', linkBandwidth: '1Gbit/s', controlDomainMemory: '128MiB' },
    ],
    vms: [
      { name: 'web', memory: '256MiB', host: 'a' },
      { name: 'off', memory: '512MiB', powerState: 'Halted' },
    ],
  });
  return new SimulatedPool(new ObjectStore(), topology);
}

const memoryFree = (p: SimulatedPool, host: string) => p.store.get('host_metrics', p.hostNamed(host).metricsRef).memory_free;

describe('Given a pool built from a topology', () => {
  it('When it starts, Then each host runs its control domain and the running VMs, and free memory shows it', () => {
    const p = pool();
    const a = p.hostNamed('a');
    const resident = p.store.get('host', a.ref).resident_VMs.map((ref) => p.store.get('VM', ref));
    expect(resident.map((vm) => [vm.name_label, vm.is_control_domain, vm.domid])).toEqual([
      ['Control domain on host: a', true, 0],
      ['web', false, 1],
    ]);
    expect(memoryFree(p, 'a')).toBe((1024 - 128 - 256) * MiB);
    expect(memoryFree(p, 'b')).toBe((1024 - 128) * MiB);
  });

  it('When a VM is halted, Then it is on no host and holds no memory', () => {
    const p = pool();
    const off = p.vms.find((vm) => vm.config.name === 'off');
    expect(off && p.store.get('VM', off.ref)).toMatchObject({ power_state: 'Halted', resident_on: NULL_REF, domid: -1 });
  });

  describe('When a VM migrates', () => {
    it('Then the destination holds its memory from the start and the source frees it only once it moved', () => {
      const p = pool();
      const web = p.vms[0];
      if (!web) throw new Error('no web VM');
      const b = p.hostNamed('b');
      p.reserve(web.ref, b.ref);
      expect(memoryFree(p, 'b')).toBe((1024 - 128 - 256) * MiB);
      expect(memoryFree(p, 'a')).toBe((1024 - 128 - 256) * MiB);
      p.moveTo(web.ref, b.ref);
      expect(memoryFree(p, 'a')).toBe((1024 - 128) * MiB);
      expect(memoryFree(p, 'b')).toBe((1024 - 128 - 256) * MiB);
      expect(p.store.get('VM', web.ref)).toMatchObject({ resident_on: b.ref, scheduled_to_be_resident_on: NULL_REF, domid: 1 });
      expect(p.store.get('host', b.ref).resident_VMs).toContain(web.ref);
      expect(p.store.get('host', p.hostNamed('a').ref).resident_VMs).not.toContain(web.ref);
    });

    it('Then an abandoned migration gives the destination its memory back', () => {
      const p = pool();
      const web = p.vms[0];
      if (!web) throw new Error('no web VM');
      p.reserve(web.ref, p.hostNamed('b').ref);
      p.release(web.ref);
      expect(memoryFree(p, 'b')).toBe((1024 - 128) * MiB);
      expect(p.store.get('VM', web.ref).resident_on).toBe(p.hostNamed('a').ref);
    });

    it('Then while it runs the VM allows no other operation, and afterwards its usual ones again', () => {
      const p = pool();
      const web = p.vms[0];
      if (!web) throw new Error('no web VM');
      const before = p.store.get('VM', web.ref).allowed_operations;
      p.beginOperation(web.ref, 'pool_migrate', 'OpaqueRef:task');
      expect(p.store.get('VM', web.ref)).toMatchObject({ current_operations: { 'OpaqueRef:task': 'pool_migrate' }, allowed_operations: [] });
      p.endOperation(web.ref, 'OpaqueRef:task');
      expect(p.store.get('VM', web.ref)).toMatchObject({ current_operations: {}, allowed_operations: before });
    });
  });
});
