// Where a VM goes next. Three policies: a host a person named, round-robin over the pool, and the
// host with the most free memory. Whatever the policy, a destination must be able to take the VM
// (enabled, live, enough free memory, not where the VM already is). The automatic policies also
// never send the VM back to the previous migration's source: migrating A -> B -> A measures the
// same pair of hosts twice (the study's "no ping-pong" rule). The rule needs a third host to go
// to: in a pool of two hosts, the pool users most often have and the study's own, the VM can
// only alternate, so there the previous source is the destination (the study alternated between
// its two hosts across runs). A third host that exists but cannot take the VM (disabled, full)
// keeps the rule: the refusal names it, rather than quietly measuring the same pair again. The
// previous source is an input, not remembered state, so the rule holds across runs, processes
// and restarts.
import { formatBytes } from '../quantity/index.ts';
import { AmbiguousNameError, HostNotFoundError, NoDestinationError, type HostRejection } from './errors.ts';
import type { Host, Vm } from './records.ts';

export type DestinationPolicy =
  | { kind: 'host'; host: string }
  | { kind: 'roundRobin' }
  | { kind: 'mostFreeMemory' };

export interface DestinationRequest {
  vm: Vm;
  hosts: readonly Host[];
  policy: DestinationPolicy;
  /** Name label or uuid of the host the previous migration left; automatic policies avoid it when the pool has a third host. */
  previousSource?: string | undefined;
}

export function chooseDestination(request: DestinationRequest): Host {
  const { vm, hosts, policy } = request;
  if (policy.kind === 'host') return namedHost(vm, hosts, policy.host);

  const previous = request.previousSource === undefined ? undefined : findHostOrUndefined(hosts, request.previousSource);
  const avoided = previous !== undefined && hasThirdHost(vm, hosts, previous) ? previous : undefined;
  const rejections: HostRejection[] = [];
  const eligible = (host: Host): boolean => {
    const reason =
      refusal(vm, host) ??
      (host.ref === avoided?.ref ? "it was the previous migration's source (no ping-pong)" : undefined);
    if (reason !== undefined) rejections.push({ host: host.name, reason });
    return reason === undefined;
  };

  const choice = policy.kind === 'roundRobin' ? nextInRing(vm, hosts, eligible) : mostFreeMemory(hosts.filter(eligible));
  if (choice === undefined) {
    const explained = rejections.map(({ host, reason }) => `${host}: ${reason}`).join('; ');
    throw new NoDestinationError(
      `no host can receive VM ${vm.name} (${explained || 'the pool has no hosts'}); ` +
        'add a host, free memory, enable a host, or name the destination yourself',
      rejections,
    );
  }
  return choice;
}

/** Whether the pool has a host that is neither the VM's nor the previous source, eligible or not. */
function hasThirdHost(vm: Vm, hosts: readonly Host[], previous: Host): boolean {
  return hosts.some((host) => host.ref !== vm.residentOn && host.ref !== previous.ref);
}

/** Why a host cannot receive the VM, or undefined when it can. */
export function refusal(vm: Vm, host: Host): string | undefined {
  if (host.ref === vm.residentOn) return 'the VM is already on it';
  if (!host.enabled) return 'it is disabled (maintenance mode); enable it first';
  if (!host.live) return 'it is not live (the pool master has lost its heartbeat)';
  if (host.memoryFree < vm.memoryNeeded) {
    return `it has ${formatBytes(host.memoryFree)} free but the VM needs ${formatBytes(vm.memoryNeeded)}`;
  }
  return undefined;
}

/** A host by name label or uuid; a name shared by several hosts must be given as a uuid. */
export function findHost(hosts: readonly Host[], nameOrUuid: string): Host {
  const host = findHostOrUndefined(hosts, nameOrUuid);
  if (host === undefined) {
    const known = hosts.map((candidate) => candidate.name).join(', ') || 'none';
    throw new HostNotFoundError(`no host is named "${nameOrUuid}" or has that uuid (hosts: ${known})`);
  }
  return host;
}

function findHostOrUndefined(hosts: readonly Host[], nameOrUuid: string): Host | undefined {
  const byUuid = hosts.find((host) => host.uuid === nameOrUuid);
  if (byUuid !== undefined) return byUuid;
  const byName = hosts.filter((host) => host.name === nameOrUuid);
  if (byName.length > 1) {
    throw new AmbiguousNameError(
      `${byName.length} hosts are named "${nameOrUuid}"; give one by uuid: ${byName.map((host) => host.uuid).join(', ')}`,
      byName.map((host) => host.uuid),
    );
  }
  return byName[0];
}

function namedHost(vm: Vm, hosts: readonly Host[], nameOrUuid: string): Host {
  const host = findHost(hosts, nameOrUuid);
  const reason = refusal(vm, host);
  if (reason !== undefined) {
    throw new NoDestinationError(`cannot migrate VM ${vm.name} to host ${host.name}: ${reason}`, [
      { host: host.name, reason },
    ]);
  }
  return host;
}

/**
 * The first eligible host after the VM's current one in a fixed order (name, then uuid), so
 * successive migrations visit every host in turn: A -> B -> C -> A ...
 */
function nextInRing(vm: Vm, hosts: readonly Host[], eligible: (host: Host) => boolean): Host | undefined {
  const ring = [...hosts].sort((a, b) => a.name.localeCompare(b.name) || a.uuid.localeCompare(b.uuid));
  const here = ring.findIndex((host) => host.ref === vm.residentOn);
  const ordered = [...ring.slice(here + 1), ...ring.slice(0, here + 1)];
  return ordered.filter(eligible)[0];
}

/** Ties go to the name that sorts first, so the same pool state always gives the same answer. */
function mostFreeMemory(candidates: readonly Host[]): Host | undefined {
  return [...candidates].sort((a, b) => b.memoryFree - a.memoryFree || a.name.localeCompare(b.name))[0];
}
