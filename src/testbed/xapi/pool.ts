// The simulated pool as XAPI objects: the pool, its hosts (each with metrics and a control
// domain), one network, and the VMs of the topology. It also keeps the books XAPI keeps for
// placement: a host's free memory is its total less the memory of every VM resident on it or
// scheduled to arrive (Memory_check.host_compute_free_memory_with_policy), so a migration holds
// memory on both hosts until the VM has moved.
import { randomUUID } from 'node:crypto';
import type { HostConfig, TopologyConfig, VmConfig } from '../config.ts';
import { NULL_REF, type VmRecord } from './classes.ts';
import type { ObjectStore } from './store.ts';

/** What a VM may do in each power state (a short form of Xapi_vm_lifecycle's tables). */
const ALLOWED_OPERATIONS: Record<VmRecord['power_state'], string[]> = {
  Running: ['pool_migrate', 'migrate_send', 'clean_shutdown', 'clean_reboot', 'hard_shutdown', 'hard_reboot', 'suspend', 'pause', 'checkpoint', 'snapshot'],
  Halted: ['start', 'start_on', 'migrate_send', 'export', 'clone', 'copy', 'destroy', 'snapshot'],
  Paused: ['unpause', 'migrate_send', 'hard_shutdown', 'hard_reboot', 'checkpoint', 'snapshot'],
  Suspended: ['resume', 'resume_on', 'migrate_send', 'hard_shutdown', 'checkpoint', 'snapshot', 'export', 'clone', 'copy', 'destroy'],
};

export interface PoolHost {
  ref: string;
  metricsRef: string;
  config: HostConfig;
}

export interface PoolVm {
  ref: string;
  config: VmConfig;
}

export class SimulatedPool {
  readonly store: ObjectStore;
  readonly poolRef: string;
  readonly masterRef: string;
  readonly hosts: PoolHost[] = [];
  readonly vms: PoolVm[] = [];
  readonly #nextDomid = new Map<string, number>();

  constructor(store: ObjectStore, topology: TopologyConfig) {
    this.store = store;
    for (const config of topology.hosts) this.hosts.push(this.#addHost(config));
    const master = this.hosts[0];
    if (!master) throw new Error('a pool needs at least one host');
    this.masterRef = master.ref;
    this.poolRef = store.add('pool', {
      uuid: randomUUID(),
      name_label: topology.pool,
      name_description: 'A simulated pool (migrascope testbed)',
      master: master.ref,
      default_SR: NULL_REF,
      other_config: {},
      tags: [],
      ha_enabled: false,
      migration_compression: false,
      allowed_operations: [],
      current_operations: {},
    });
    store.add('network', {
      uuid: randomUUID(),
      name_label: 'Pool-wide network associated with eth0',
      name_description: '',
      bridge: 'xenbr0',
      MTU: 1500,
      PIFs: [],
      VIFs: [],
      other_config: {},
      tags: [],
      allowed_operations: [],
      current_operations: {},
    });
    for (const host of this.hosts) this.#addVm(controlDomain(host.config), host.ref, true);
    for (const config of topology.vms) {
      const host = config.host === undefined ? undefined : this.hostNamed(config.host);
      this.vms.push({ ref: this.#addVm(config, host?.ref, false), config });
    }
    for (const host of this.hosts) this.refreshHost(host.ref);
  }

  hostNamed(name: string): PoolHost {
    const host = this.hosts.find((h) => h.config.name === name);
    if (!host) throw new Error(`no host named ${name}`);
    return host;
  }

  hostByRef(ref: string): PoolHost | undefined {
    return this.hosts.find((h) => h.ref === ref);
  }

  vmByRef(ref: string): PoolVm | undefined {
    return this.vms.find((v) => v.ref === ref);
  }

  /** The memory a VM needs to start on a host (dynamic_min plus overhead, XAPI's default policy). */
  memoryNeeded(vmRef: string): number {
    const vm = this.store.get('VM', vmRef);
    return vm.memory_dynamic_min + vm.memory_overhead;
  }

  freeMemory(hostRef: string): number {
    const total = this.store.get('host_metrics', this.#host(hostRef).metricsRef).memory_total;
    let used = 0;
    for (const [, vm] of this.store.all('VM')) {
      if (vm.resident_on === hostRef) used += vm.memory_dynamic_min + vm.memory_overhead;
      if (vm.scheduled_to_be_resident_on === hostRef) used += vm.memory_dynamic_min + vm.memory_overhead;
    }
    return Math.max(0, total - used);
  }

  /** Holds the VM's memory on `hostRef` (scheduled_to_be_resident_on) while it migrates there. */
  reserve(vmRef: string, hostRef: string): void {
    this.store.update('VM', vmRef, { scheduled_to_be_resident_on: hostRef });
    this.refreshHost(hostRef);
  }

  release(vmRef: string): void {
    const host = this.store.get('VM', vmRef).scheduled_to_be_resident_on;
    this.store.update('VM', vmRef, { scheduled_to_be_resident_on: NULL_REF });
    if (host !== NULL_REF) this.refreshHost(host);
  }

  /** The VM now runs on `hostRef` as a new domain; the source's memory is free again. */
  moveTo(vmRef: string, hostRef: string): void {
    const source = this.store.get('VM', vmRef).resident_on;
    this.store.update('VM', vmRef, {
      resident_on: hostRef,
      scheduled_to_be_resident_on: NULL_REF,
      domid: this.#allocateDomid(hostRef),
    });
    for (const host of new Set([source, hostRef])) if (host !== NULL_REF) this.refreshHost(host);
  }

  /** Marks a VM busy with `operation` under `operationRef`; nothing else may start meanwhile. */
  beginOperation(vmRef: string, operation: string, operationRef: string): void {
    const vm = this.store.get('VM', vmRef);
    this.store.update('VM', vmRef, {
      current_operations: { ...vm.current_operations, [operationRef]: operation },
      allowed_operations: [],
    });
  }

  endOperation(vmRef: string, operationRef: string): void {
    const vm = this.store.get('VM', vmRef);
    const { [operationRef]: _done, ...current } = vm.current_operations;
    const idle = Object.keys(current).length === 0;
    this.store.update('VM', vmRef, {
      current_operations: current,
      allowed_operations: idle && !vm.is_control_domain ? ALLOWED_OPERATIONS[vm.power_state] : [],
    });
  }

  /** Rewrites a host's resident_VMs and its metrics' memory_free from the VMs' placement. */
  refreshHost(hostRef: string): void {
    const host = this.#host(hostRef);
    const resident = this.store.all('VM').filter(([, vm]) => vm.resident_on === hostRef).map(([ref]) => ref);
    this.store.update('host', hostRef, { resident_VMs: resident });
    this.store.update('host_metrics', host.metricsRef, { memory_free: this.freeMemory(hostRef), last_updated: Date.now() });
  }

  #host(ref: string): PoolHost {
    const host = this.hostByRef(ref);
    if (!host) throw new Error(`not a host of this pool: ${ref}`);
    return host;
  }

  #addHost(config: HostConfig): PoolHost {
    const metricsRef = this.store.add('host_metrics', {
      uuid: randomUUID(),
      memory_total: config.memory,
      memory_free: config.memory,
      live: true,
      last_updated: Date.now(),
      other_config: {},
    });
    const ref = this.store.add('host', {
      uuid: randomUUID(),
      name_label: config.name,
      name_description: 'A simulated host (migrascope testbed)',
      enabled: true,
      // Every simulated host is reached through the one testbed endpoint.
      address: '127.0.0.1',
      hostname: config.name,
      metrics: metricsRef,
      resident_VMs: [],
      API_version_major: 2,
      API_version_minor: 21,
      API_version_vendor: 'XenSource',
      software_version: { product_brand: 'XCP-ng', product_version: '8.3.0', xapi: '24.19', platform_name: 'XCP' },
      cpu_info: { cpu_count: String(config.cpus), socket_count: '1', vendor: 'GenuineIntel' },
      memory_overhead: 0,
      other_config: {},
      tags: [],
      allowed_operations: ['provision', 'evacuate', 'reboot', 'shutdown'],
      current_operations: {},
    });
    this.#nextDomid.set(ref, 1);
    return { ref, metricsRef, config };
  }

  #addVm(config: VmConfig, hostRef: string | undefined, isControlDomain: boolean): string {
    const now = Date.now();
    const running = config.powerState === 'Running' || config.powerState === 'Paused';
    const metrics = this.store.add('VM_metrics', {
      uuid: randomUUID(),
      memory_actual: running ? config.memory : 0,
      VCPUs_number: running ? config.vcpus : 0,
      start_time: running ? now : 0,
      install_time: now,
      last_updated: now,
      current_domain_type: running ? (isControlDomain ? 'pv' : 'hvm') : 'unspecified',
      other_config: {},
    });
    const resident = running && hostRef !== undefined;
    return this.store.add('VM', {
      uuid: randomUUID(),
      name_label: config.name,
      name_description: '',
      power_state: config.powerState,
      resident_on: resident ? hostRef : NULL_REF,
      scheduled_to_be_resident_on: NULL_REF,
      affinity: hostRef ?? NULL_REF,
      is_a_template: false,
      is_a_snapshot: false,
      is_control_domain: isControlDomain,
      domid: isControlDomain ? 0 : resident ? this.#allocateDomid(hostRef) : -1,
      domain_type: isControlDomain ? 'pv' : 'hvm',
      memory_static_max: config.memory,
      memory_static_min: config.memory,
      memory_dynamic_max: config.memory,
      memory_dynamic_min: config.memory,
      memory_target: running ? config.memory : 0,
      memory_overhead: 0,
      VCPUs_max: config.vcpus,
      VCPUs_at_startup: config.vcpus,
      metrics,
      guest_metrics: NULL_REF,
      allowed_operations: isControlDomain ? [] : ALLOWED_OPERATIONS[config.powerState],
      current_operations: {},
      blocked_operations: {},
      other_config: {},
      tags: [],
    });
  }

  #allocateDomid(hostRef: string): number {
    const domid = this.#nextDomid.get(hostRef) ?? 1;
    this.#nextDomid.set(hostRef, domid + 1);
    return domid;
  }
}

function controlDomain(host: HostConfig): VmConfig {
  return {
    name: `Control domain on host: ${host.name}`,
    memory: host.controlDomainMemory,
    vcpus: host.cpus,
    host: host.name,
    powerState: 'Running',
  };
}
