import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatPath, loadTopology, parseTopology, precopyInputFor } from './config.ts';
import { findPreCopyPreset } from './presets.ts';
import { refusalOf } from '../invalid/testing.ts';

const host = (name: string, extra: object = {}) => ({ name, memory: '4GiB', linkBandwidth: '1Gbit/s', ...extra });
const vm = (name: string, extra: object = {}) => ({ name, memory: '1GiB', host: 'a', ...extra });

const refusal = (document: unknown) => refusalOf(() => parseTopology(document));

describe('Given the bundled default topology', () => {
  const topology = loadTopology();

  it("When loaded, Then it is one pool of three hosts with a web VM fronting the reference app, whose data is the db VM's guest", () => {
    expect(topology.hosts.map((h) => h.name)).toHaveLength(3);
    const web = topology.vms.find((v) => v.name === 'web');
    expect(web).toMatchObject({ memory: 2 * 1024 ** 3, vcpus: 1, powerState: 'Running', guest: { app: 'reference', database: 'db' } });
    expect(topology.vms.find((v) => v.name === 'db')?.guest).toMatchObject({ app: 'reference-db', scale: 500, seed: 1 });
  });

  it("When the web VM migrates, Then its model inputs are the study preset's", () => {
    const web = topology.vms.find((v) => v.name === 'web');
    const [source, destination] = topology.hosts;
    if (!web || !source || !destination) throw new Error('incomplete default topology');
    const input = precopyInputFor(topology, web, source, destination);
    const preset = findPreCopyPreset('study-web-vm').input;
    expect(input).toMatchObject({
      dirtyRateBytesPerSecond: preset.dirtyRateBytesPerSecond,
      writableWorkingSetBytes: preset.writableWorkingSetBytes,
      resumeOverheadMs: preset.resumeOverheadMs,
      bandwidthBytesPerSecond: preset.bandwidthBytesPerSecond,
    });
  });
});

describe('Given a topology written by a person', () => {
  it('When quantities are written with units, Then they are read as bytes, bytes/s and ms', () => {
    const topology = parseTopology({
      model: { setup: '1s' },
      hosts: [host('a', { linkBandwidth: '800Mbit/s' })],
      vms: [vm('w', { dirtyRate: '100MB/s', wws: '64MiB', warmup: { penalty: '200ms', decay: '5s' } })],
    });
    expect(topology.model.setup).toBe(1000);
    expect(topology.hosts[0]?.linkBandwidth).toBe(100e6);
    expect(topology.vms[0]).toMatchObject({ dirtyRate: 100e6, wws: 64 * 1024 ** 2, warmup: { penalty: 200, decay: 5000 } });
    expect(topology).toMatchObject({ pool: 'migrascope-testbed', tls: true, port: 0, credentials: { username: 'root' } });
  });

  it('When a VM sets its own model, Then it wins over its preset, which wins over the pool model', () => {
    const topology = parseTopology({
      model: { resumeOverhead: '1s', setup: '1s' },
      hosts: [host('a'), host('b', { linkBandwidth: '100Mbit/s' })],
      vms: [vm('w', { preset: 'study-web-vm', model: { setup: '10ms' } })],
    });
    const [a, b] = topology.hosts;
    const w = topology.vms[0];
    if (!a || !b || !w) throw new Error('incomplete topology');
    const input = precopyInputFor(topology, w, a, b);
    expect(input.setupMs).toBe(10);
    expect(input.resumeOverheadMs).toBe(findPreCopyPreset('study-web-vm').input.resumeOverheadMs);
    expect(input.bandwidthBytesPerSecond).toBe(12.5e6);
  });

  describe('When a field is wrong, Then it is refused naming its path', () => {
    it.each([
      ['a size without a number', { hosts: [host('a'), host('b', { memory: 'lots' })] }, 'hosts[1].memory', /cannot read "lots"/],
      ['a zero bandwidth', { hosts: [host('a', { linkBandwidth: '0Gbit/s' })] }, 'hosts[0].linkBandwidth', /greater than zero/],
      ['an unknown unit', { hosts: [host('a')], vms: [vm('w', { dirtyRate: '5 parsecs/s' })] }, 'vms[0].dirtyRate', /unit/],
      ['an unknown field', { hosts: [host('a', { ram: '1GiB' })] }, 'hosts[0]', /ram/],
      ['no hosts', { hosts: [] }, 'hosts', /at least one host/],
      ['a duplicate host', { hosts: [host('a'), host('a')] }, 'hosts[1].name', /duplicate/],
      ['a VM on no known host', { hosts: [host('a')], vms: [vm('w', { host: 'zz' })] }, 'vms[0].host', /no host named "zz"/],
      ['a running VM without host', { hosts: [host('a')], vms: [vm('w', { host: undefined })] }, 'vms[0].host', /needs a host/],
      ['a WWS above memory', { hosts: [host('a')], vms: [vm('w', { wws: '2GiB' })] }, 'vms[0].wws', /cannot exceed/],
      ['VMs overfilling a host', { hosts: [host('a')], vms: [vm('w', { memory: '3GiB' }), vm('x')] }, 'vms[1].memory', /does not fit/],
      ['an unknown preset', { hosts: [host('a')], vms: [vm('w', { preset: 'nope' })] }, 'vms[0].preset', /study-web-vm/],
      ['a guest with both app and url', { hosts: [host('a')], vms: [vm('w', { guest: { app: 'reference', url: 'http://127.0.0.1:1' } })] }, 'vms[0].guest', /exactly one/],
      ['a database that is no reference-db guest', { hosts: [host('a')], vms: [vm('w', { guest: { app: 'reference', database: 'x' } }), vm('x', { memory: '1GiB' })] }, 'vms[0].guest.database', /no VM named "x" has guest app: reference-db/],
      ['a database with its own scale', { hosts: [host('a')], vms: [vm('w', { guest: { app: 'reference', database: 'x', scale: 5 } })] }, 'vms[0].guest.database', /scale and seed are the database guest's/],
      ['a database for an outside url', { hosts: [host('a')], vms: [vm('w', { guest: { url: 'http://127.0.0.1:1', database: 'x' } })] }, 'vms[0].guest.database', /goes with app: reference/],
      ['a bad power state', { hosts: [host('a')], vms: [vm('w', { powerState: 'On' })] }, 'vms[0].powerState', /Running/],
      ['a slowdown below 1', { hosts: [host('a')], vms: [vm('w', { precopySlowdown: 0.5 })] }, 'vms[0].precopySlowdown', /1/],
    ])('%s', (_case, document, field, message) => {
      const error = refusal(document);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
      expect(error.message.startsWith(`${field}: `)).toBe(true);
    });
  });
});

describe('Given topology files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-config-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('When a file is not YAML, Then --config is refused with the reason', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'hosts: [\n');
    expect(() => loadTopology(file)).toThrow(expect.objectContaining({ field: '--config' }));
  });

  it('When a file is missing, Then --config is refused', () => {
    expect(() => loadTopology(join(dir, 'absent.yaml'))).toThrow(expect.objectContaining({ field: '--config' }));
  });

  it('When paths are formatted, Then indexes use brackets', () => {
    expect(formatPath(['vms', 2, 'guest', 'url'])).toBe('vms[2].guest.url');
  });
});
