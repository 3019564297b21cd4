import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseDestination, refusal, type DestinationPolicy } from './destination.ts';
import { AmbiguousNameError, HostNotFoundError, NoDestinationError } from './errors.ts';
import type { Host, Vm } from './records.ts';

const GiB = 1024 ** 3;

function host(name: string, overrides: Partial<Host> = {}): Host {
  return {
    ref: `OpaqueRef:${name}`,
    uuid: `uuid-${name}`,
    name,
    address: '127.0.0.1',
    enabled: true,
    live: true,
    memoryFree: 8 * GiB,
    memoryTotal: 16 * GiB,
    residentVms: [],
    ...overrides,
  };
}

function vmOn(host: Host, memoryNeeded = 2 * GiB): Vm {
  return { ref: 'OpaqueRef:web', uuid: 'uuid-web', name: 'web', powerState: 'Running', residentOn: host.ref, memoryNeeded, vcpus: 1 };
}

const roundRobin: DestinationPolicy = { kind: 'roundRobin' };
const mostFree: DestinationPolicy = { kind: 'mostFreeMemory' };

describe('Given a pool of three healthy hosts and a VM on xen-1', () => {
  const hosts = [host('xen-3'), host('xen-1'), host('xen-2')];
  const vm = vmOn(hosts[1]!);

  describe('when the destination is named', () => {
    it('then it is found by name label', () => {
      expect(chooseDestination({ vm, hosts, policy: { kind: 'host', host: 'xen-2' } }).name).toBe('xen-2');
    });
    it('then it is found by uuid', () => {
      expect(chooseDestination({ vm, hosts, policy: { kind: 'host', host: 'uuid-xen-3' } }).name).toBe('xen-3');
    });
    it("then the VM's own host is refused, saying the VM is already there", () => {
      expect(() => chooseDestination({ vm, hosts, policy: { kind: 'host', host: 'xen-1' } })).toThrow(
        /cannot migrate VM web to host xen-1: the VM is already on it/,
      );
    });
    it('then an unknown host is refused, listing the hosts there are', () => {
      const attempt = () => chooseDestination({ vm, hosts, policy: { kind: 'host', host: 'xen-9' } });
      expect(attempt).toThrow(HostNotFoundError);
      expect(attempt).toThrow(/no host is named "xen-9".*hosts: xen-3, xen-1, xen-2/);
    });
    it('then the previous source does not matter: the person chose', () => {
      const policy: DestinationPolicy = { kind: 'host', host: 'xen-2' };
      expect(chooseDestination({ vm, hosts, policy, previousSource: 'xen-2' }).name).toBe('xen-2');
    });
  });

  describe('when round-robin chooses', () => {
    it('then it takes the next host after the current one in name order', () => {
      expect(chooseDestination({ vm, hosts, policy: roundRobin }).name).toBe('xen-2');
    });
    it('then it wraps around from the last host to the first', () => {
      expect(chooseDestination({ vm: vmOn(hosts[0]!), hosts, policy: roundRobin }).name).toBe('xen-1');
    });
    it("then it skips the previous migration's source", () => {
      expect(chooseDestination({ vm, hosts, policy: roundRobin, previousSource: 'xen-2' }).name).toBe('xen-3');
    });
    it('then the previous source may be given by uuid', () => {
      expect(chooseDestination({ vm, hosts, policy: roundRobin, previousSource: 'uuid-xen-2' }).name).toBe('xen-3');
    });
    it('then successive migrations, each told the last source, visit every host and never go back', () => {
      let current = hosts[1]!;
      let previous: string | undefined;
      const visited: string[] = [];
      for (let run = 0; run < 6; run += 1) {
        const next = chooseDestination({ vm: vmOn(current), hosts, policy: roundRobin, previousSource: previous });
        visited.push(next.name);
        previous = current.name;
        current = next;
      }
      expect(visited).toEqual(['xen-2', 'xen-3', 'xen-1', 'xen-2', 'xen-3', 'xen-1']);
    });
  });

  describe('when the host with the most free memory is chosen', () => {
    const uneven = [host('xen-1'), host('xen-2', { memoryFree: 4 * GiB }), host('xen-3', { memoryFree: 12 * GiB })];
    const onFirst = vmOn(uneven[0]!);
    it('then the host with the most free memory wins', () => {
      expect(chooseDestination({ vm: onFirst, hosts: uneven, policy: mostFree }).name).toBe('xen-3');
    });
    it('then the previous source is avoided even when it has the most memory', () => {
      expect(chooseDestination({ vm: onFirst, hosts: uneven, policy: mostFree, previousSource: 'xen-3' }).name).toBe('xen-2');
    });
    it("then the VM's own host never wins, however much memory it has", () => {
      const own = host('xen-1', { memoryFree: 64 * GiB });
      expect(chooseDestination({ vm: vmOn(own), hosts: [own, ...uneven.slice(1)], policy: mostFree }).name).toBe('xen-3');
    });
    it('then a tie goes to the name that sorts first', () => {
      const tied = [host('xen-1'), host('xen-c'), host('xen-b')];
      expect(chooseDestination({ vm: vmOn(tied[0]!), hosts: tied, policy: mostFree }).name).toBe('xen-b');
    });
  });
});

describe('Given hosts that cannot take the VM', () => {
  const source = host('xen-1');
  const full = host('xen-2', { memoryFree: 1.2 * GiB });
  const disabled = host('xen-3', { enabled: false });
  const dead = host('xen-4', { live: false });
  const vm = vmOn(source);

  it.each([
    ['xen-2', /to host xen-2: it has 1\.20 GiB free but the VM needs 2\.00 GiB/],
    ['xen-3', /to host xen-3: it is disabled \(maintenance mode\)/],
    ['xen-4', /to host xen-4: it is not live/],
  ])('when %s is named, then it is refused with the reason', (target, reason) => {
    const attempt = () => chooseDestination({ vm, hosts: [source, full, disabled, dead], policy: { kind: 'host', host: target } });
    expect(attempt).toThrow(NoDestinationError);
    expect(attempt).toThrow(reason);
  });

  it('when a policy has no eligible host, then the error lists every host with its reason', () => {
    const hosts = [source, full, disabled, dead];
    try {
      chooseDestination({ vm, hosts, policy: roundRobin });
      expect.fail('a destination was chosen among hosts that cannot take the VM');
    } catch (error) {
      expect(error).toBeInstanceOf(NoDestinationError);
      const rejections = (error as NoDestinationError).rejections;
      expect(rejections.map((rejection) => rejection.host).sort()).toEqual(['xen-1', 'xen-2', 'xen-3', 'xen-4']);
      expect((error as Error).message).toMatch(/xen-2: it has 1\.20 GiB free but the VM needs 2\.00 GiB/);
      expect((error as Error).message).toMatch(/xen-1: the VM is already on it/);
    }
  });

  it('when only the previous source could take the VM and a third host exists, then no-ping-pong refuses it and says so', () => {
    const hosts = [source, host('xen-2'), disabled];
    for (const policy of [roundRobin, mostFree]) {
      expect(() => chooseDestination({ vm, hosts, policy, previousSource: 'xen-2' })).toThrow(
        /xen-2: it was the previous migration's source \(no ping-pong\)/,
      );
    }
  });

  it('when exactly enough memory is free, then the host is eligible', () => {
    expect(refusal(vm, host('xen-5', { memoryFree: 2 * GiB }))).toBeUndefined();
  });
});

describe('Given a pool of two hosts (no third host to go to)', () => {
  const hosts = [host('xen-b'), host('xen-a')];
  const [onB, onA] = [vmOn(hosts[0]!), vmOn(hosts[1]!)];

  it.each([
    ['round-robin', roundRobin],
    ['most free memory', mostFree],
  ])('when %s chooses after a migration from the other host, then the VM goes back there: the two hosts alternate', (_name, policy) => {
    expect(chooseDestination({ vm: onB, hosts, policy, previousSource: 'xen-a' }).name).toBe('xen-a');
    expect(chooseDestination({ vm: onA, hosts, policy, previousSource: 'uuid-xen-b' }).name).toBe('xen-b');
  });

  it('when successive migrations are each told the last source, then the VM alternates between the two hosts', () => {
    let vm = onA;
    let previous: string | undefined;
    const visited: string[] = [];
    for (let migration = 0; migration < 5; migration += 1) {
      const next = chooseDestination({ vm, hosts, policy: roundRobin, previousSource: previous });
      visited.push(next.name);
      previous = hosts.find((candidate) => candidate.ref === vm.residentOn)!.name;
      vm = vmOn(next);
    }
    expect(visited).toEqual(['xen-b', 'xen-a', 'xen-b', 'xen-a', 'xen-b']);
  });

  it('when the other host cannot take the VM, then it is refused with its own reason, not as a ping-pong', () => {
    const full = [host('xen-a'), host('xen-b', { memoryFree: GiB })];
    expect(() => chooseDestination({ vm: vmOn(full[0]!), hosts: full, policy: roundRobin, previousSource: 'xen-b' })).toThrow(
      /xen-b: it has 1\.00 GiB free but the VM needs 2\.00 GiB/,
    );
  });
});

describe('Given two hosts with the same name label', () => {
  const hosts = [host('xen-1'), { ...host('twin'), uuid: 'uuid-a', ref: 'OpaqueRef:a' }, { ...host('twin'), uuid: 'uuid-b', ref: 'OpaqueRef:b' }];
  const vm = vmOn(hosts[0]!);
  it('when that name is given, then it is refused as ambiguous, listing the uuids', () => {
    const attempt = () => chooseDestination({ vm, hosts, policy: { kind: 'host', host: 'twin' } });
    expect(attempt).toThrow(AmbiguousNameError);
    expect(attempt).toThrow(/uuid-a, uuid-b/);
  });
  it('when a uuid is given, then that host is chosen', () => {
    expect(chooseDestination({ vm, hosts, policy: { kind: 'host', host: 'uuid-b' } }).ref).toBe('OpaqueRef:b');
  });
});

describe('Given any pool (property)', () => {
  const arbitraryHost = fc.record({
    enabled: fc.boolean(),
    live: fc.boolean(),
    memoryFree: fc.integer({ min: 0, max: 16 }).map((gib) => gib * GiB),
  });
  const arbitraryPool = fc
    .record({
      hosts: fc.array(arbitraryHost, { minLength: 1, maxLength: 7 }),
      residentIndex: fc.nat(),
      previousIndex: fc.option(fc.nat(), { nil: undefined }),
      needGiB: fc.integer({ min: 1, max: 8 }),
      policy: fc.constantFrom<DestinationPolicy>(roundRobin, mostFree),
    })
    .map(({ hosts, residentIndex, previousIndex, needGiB, policy }) => {
      const pool = hosts.map((fields, i) => host(`xen-${i}`, fields));
      const resident = pool[residentIndex % pool.length]!;
      const previous = previousIndex === undefined ? undefined : pool[previousIndex % pool.length]!.name;
      return { pool, vm: vmOn(resident, needGiB * GiB), previous, policy };
    });

  it('when an automatic policy chooses, then the host can take the VM, is not its own and, when the pool has a third host, not the previous source; it fails only when no such host exists', () => {
    fc.assert(
      fc.property(arbitraryPool, ({ pool, vm, previous, policy }) => {
        const third = pool.some((candidate) => candidate.ref !== vm.residentOn && candidate.name !== previous);
        const acceptable = pool.filter((candidate) => refusal(vm, candidate) === undefined && (!third || candidate.name !== previous));
        let chosen: Host | undefined;
        try {
          chosen = chooseDestination({ vm, hosts: pool, policy, previousSource: previous });
        } catch (error) {
          expect(error).toBeInstanceOf(NoDestinationError);
          expect(acceptable).toEqual([]);
          return;
        }
        expect(acceptable).toContain(chosen);
        if (policy.kind === 'mostFreeMemory') {
          expect(chosen.memoryFree).toBe(Math.max(...acceptable.map((candidate) => candidate.memoryFree)));
        }
      }),
    );
  });
});
