// The real `xen-api` npm client (Vates, the one xo-server uses) against the testbed, unchanged:
// over HTTPS trusting the testbed's CA, over plain HTTP, on both of its transports. Its object
// cache must fill and follow events, and callAsync('VM.pool_migrate') must live-migrate the VM.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'xen-api';
import { startTestbed, type MigrationReport, type Testbed } from '../../src/testbed/index.ts';
import { MiB, PASSWORD, smallTopology, WEB_MEMORY } from './testbed-topology.ts';

/** The parts of the client's API these tests use beyond src/xen/xen-api.d.ts. */
interface XapiObject {
  $id: string;
  $ref: string;
  $type: string;
  [field: string]: unknown;
}
interface XenApiClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  call(method: string, ...args: unknown[]): Promise<unknown>;
  callAsync(method: string, ...args: unknown[]): Promise<unknown>;
  watchTask(ref: string): Promise<unknown>;
  readonly objectsFetched: Promise<void>;
  readonly objects: {
    all: Record<string, XapiObject>;
    on(event: 'add' | 'update' | 'remove', listener: (items: Record<string, XapiObject>) => void): void;
  };
  getObjectByRef(ref: string): XapiObject;
}

function client(url: string, options: { password?: string; transport?: 'json-rpc' | 'xml-rpc' } = {}): XenApiClient {
  return createClient({
    url,
    auth: { user: 'root', password: options.password ?? PASSWORD },
    transport: options.transport,
  }) as unknown as XenApiClient;
}

function objectsOf(xapi: XenApiClient, type: string): XapiObject[] {
  return Object.values(xapi.objects.all).filter((o) => o.$type === type);
}

function named(xapi: XenApiClient, type: string, name: string): XapiObject {
  const found = objectsOf(xapi, type).find((o) => o.name_label === name);
  if (!found) throw new Error(`no ${type} named ${name} in the client's cache`);
  return found;
}

const memoryFree = (xapi: XenApiClient, host: string) =>
  xapi.getObjectByRef(named(xapi, 'host', host).metrics as string).memory_free as number;

/** Resolves once the client's cache shows `check` true (it follows event.from). */
function cacheShows(xapi: XenApiClient, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check()) return resolve();
    const poll = setInterval(() => {
      if (!check()) return;
      clearInterval(poll);
      resolve();
    }, 20);
  });
}

function nextMigration(testbed: Testbed): Promise<MigrationReport> {
  return new Promise((resolve) => testbed.migrations.once('migration', resolve));
}

describe('Given the testbed over HTTPS with its own CA', () => {
  let trusted: Testbed;
  let untrusted: Testbed;
  let xapi: XenApiClient;

  beforeAll(async () => {
    trusted = await startTestbed(smallTopology({ tls: true }));
    // A second pool whose CA nobody trusts: the client must refuse it.
    untrusted = await startTestbed(smallTopology({ tls: true }));
    const ca = readFileSync(trusted.xapi.caFile ?? '', 'utf8');
    // xen-api takes no CA option; a program trusts a CA bundle through Node's default CA list.
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca]);
    xapi = client(trusted.xapi.url);
    await xapi.connect();
    await xapi.objectsFetched;
  });

  afterAll(async () => {
    await xapi?.disconnect();
    await trusted?.close();
    await untrusted?.close();
  });

  describe('When the client connects to the pool whose CA it trusts', () => {
    it('Then its object cache fills with the pool, its hosts and their VMs', () => {
      expect(trusted.xapi.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(objectsOf(xapi, 'pool').map((p) => p.name_label)).toEqual(['testbed-test']);
      expect(objectsOf(xapi, 'host').map((h) => h.name_label).sort()).toEqual(['h1', 'h2', 'tiny']);
      const vms = objectsOf(xapi, 'VM').filter((vm) => !vm.is_control_domain);
      expect(vms.map((vm) => vm.name_label).sort()).toEqual(['db', 'spare', 'web']);
      const web = named(xapi, 'VM', 'web');
      expect(xapi.getObjectByRef(web.resident_on as string).name_label).toBe('h1');
      expect(web).toMatchObject({ power_state: 'Running', memory_static_max: WEB_MEMORY, VCPUs_max: 1 });
      expect(objectsOf(xapi, 'host_metrics')).toHaveLength(3);
      expect(objectsOf(xapi, 'VM_metrics').length).toBeGreaterThanOrEqual(6);
    });
  });

  describe("When the client connects to a pool whose CA it doesn't trust", () => {
    it('Then the TLS handshake is refused (verification is on)', async () => {
      const stranger = client(untrusted.xapi.url);
      const failure = await stranger.connect().then(
        () => undefined,
        (error: unknown) => error as { code?: string; cause?: { code?: string } },
      );
      await stranger.disconnect();
      expect(failure?.code ?? failure?.cause?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|CERT/);
    });
  });

  describe('When the web VM is live-migrated with callAsync("VM.pool_migrate")', () => {
    it('Then the task advances, ends success, and the cache follows the VM and the memory to h2', async () => {
      const web = named(xapi, 'VM', 'web');
      const h2 = named(xapi, 'host', 'h2');
      const freeBefore = { h1: memoryFree(xapi, 'h1'), h2: memoryFree(xapi, 'h2') };
      const progress: number[] = [];
      xapi.objects.on('update', (items) => {
        for (const item of Object.values(items)) {
          if (item.$type === 'task' && item.name_label === 'Async.VM.pool_migrate') progress.push(item.progress as number);
        }
      });
      const report = nextMigration(trusted);

      const result = await xapi.callAsync('VM.pool_migrate', web.$ref, h2.$ref, { live: 'true' });

      expect(result).toBe('');
      expect((await report).timeline.outcome).toBe('completed');
      await cacheShows(xapi, () => xapi.getObjectByRef(web.$ref).resident_on === h2.$ref);
      const moved = xapi.getObjectByRef(web.$ref);
      expect(moved.domid).not.toBe(web.domid);
      expect(moved.current_operations).toEqual({});
      await cacheShows(xapi, () => memoryFree(xapi, 'h1') === freeBefore.h1 + WEB_MEMORY);
      expect(memoryFree(xapi, 'h2')).toBe(freeBefore.h2 - WEB_MEMORY);
      expect(progress.length).toBeGreaterThan(2);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      expect(progress.every((p) => p >= 0 && p <= 1)).toBe(true);
      // callAsync destroys the task once it has its result.
      await cacheShows(xapi, () => objectsOf(xapi, 'task').length === 0);
    });
  });

  describe('When a migration is asked for that XAPI refuses', () => {
    it('Then a destination without room fails the task with HOST_NOT_ENOUGH_FREE_MEMORY [needed, available]', async () => {
      const web = named(xapi, 'VM', 'web');
      const tiny = named(xapi, 'host', 'tiny');
      const error = await xapi.callAsync('VM.pool_migrate', web.$ref, tiny.$ref, {}).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HOST_NOT_ENOUGH_FREE_MEMORY', params: [String(WEB_MEMORY), String(128 * MiB)] });
      expect((error as { task: { status: string } }).task.status).toBe('failure');
    });

    it('Then a halted VM is VM_BAD_POWER_STATE [vm, running, halted]', async () => {
      const spare = named(xapi, 'VM', 'spare');
      const h1 = named(xapi, 'host', 'h1');
      await expect(xapi.call('VM.pool_migrate', spare.$ref, h1.$ref, {})).rejects.toMatchObject({
        code: 'VM_BAD_POWER_STATE',
        params: [spare.$ref, 'running', 'halted'],
      });
    });

    it('Then the host the VM is on, without room for a second copy, is HOST_NOT_ENOUGH_FREE_MEMORY (XAPI would do a localhost migration)', async () => {
      const db = named(xapi, 'VM', 'db');
      const host = xapi.getObjectByRef(db.resident_on as string).name_label as string;
      const available = memoryFree(xapi, host);
      expect(available).toBeLessThan(1024 * MiB);
      await expect(xapi.call('VM.pool_migrate', db.$ref, db.resident_on, {})).rejects.toMatchObject({
        code: 'HOST_NOT_ENOUGH_FREE_MEMORY',
        params: [String(1024 * MiB), String(available)],
      });
    });

    it('Then an unknown reference is HANDLE_INVALID [class, ref]', async () => {
      const h1 = named(xapi, 'host', 'h1');
      await expect(xapi.call('VM.pool_migrate', 'OpaqueRef:no-such-vm', h1.$ref, {})).rejects.toMatchObject({
        code: 'HANDLE_INVALID',
        params: ['VM', 'OpaqueRef:no-such-vm'],
      });
      await expect(xapi.call('VM.get_record', 'OpaqueRef:no-such-vm')).rejects.toMatchObject({ code: 'HANDLE_INVALID' });
    });

    it('Then an unknown method is MESSAGE_METHOD_UNKNOWN and a wrong arity MESSAGE_PARAMETER_COUNT_MISMATCH', async () => {
      const web = named(xapi, 'VM', 'web');
      await expect(xapi.call('VM.teleport', web.$ref)).rejects.toMatchObject({ code: 'MESSAGE_METHOD_UNKNOWN', params: ['VM.teleport'] });
      await expect(xapi.call('VM.pool_migrate', web.$ref, web.resident_on)).rejects.toMatchObject({
        code: 'MESSAGE_PARAMETER_COUNT_MISMATCH',
        params: ['VM.pool_migrate', '3', '2'],
      });
    });

    it('Then a second migration while one runs is OTHER_OPERATION_IN_PROGRESS [VM, vm, pool_migrate, task]', async () => {
      const web = named(xapi, 'VM', 'web');
      const destination = objectsOf(xapi, 'host').find((h) => h.name_label !== 'tiny' && h.$ref !== web.resident_on);
      if (!destination) throw new Error('no destination');
      const task = (await xapi.call('Async.VM.pool_migrate', web.$ref, destination.$ref, {})) as string;
      await expect(xapi.call('VM.pool_migrate', web.$ref, destination.$ref, {})).rejects.toMatchObject({
        code: 'OTHER_OPERATION_IN_PROGRESS',
        params: ['VM', web.$ref, 'pool_migrate', task],
      });
      await xapi.watchTask(task);
      await xapi.call('task.destroy', task);
    });
  });

  describe('When a migration is cancelled during pre-copy', () => {
    it('Then the task ends cancelled with TASK_CANCELLED, the VM stays on its source and the destination gets its memory back', async () => {
      const web = named(xapi, 'VM', 'web');
      const source = web.resident_on as string;
      const destination = objectsOf(xapi, 'host').find((h) => h.name_label !== 'tiny' && h.$ref !== source);
      if (!destination) throw new Error('no destination');
      const freeBefore = memoryFree(xapi, destination.name_label as string);
      const precopy = new Promise<void>((resolve) =>
        trusted.migrations.on('phase', (event) => event.phase === 'precopy' && resolve()),
      );
      const task = (await xapi.call('Async.VM.pool_migrate', web.$ref, destination.$ref, {})) as string;
      await precopy;
      await xapi.call('task.cancel', task);

      await expect(xapi.watchTask(task)).rejects.toThrow(/cancel/);
      await cacheShows(xapi, () => xapi.getObjectByRef(task).status === 'cancelled');
      expect(xapi.getObjectByRef(task).error_info).toEqual(['TASK_CANCELLED', task]);
      expect(xapi.getObjectByRef(web.$ref).resident_on).toBe(source);
      await cacheShows(xapi, () => memoryFree(xapi, destination.name_label as string) === freeBefore);
      await xapi.call('task.destroy', task);
    });
  });

  describe('When the password is wrong', () => {
    it('Then connecting fails with SESSION_AUTHENTICATION_FAILED', async () => {
      const intruder = client(trusted.xapi.url, { password: 'wrong' });
      await expect(intruder.connect()).rejects.toMatchObject({ code: 'SESSION_AUTHENTICATION_FAILED', params: ['root', 'Authentication failure'] });
      await intruder.disconnect();
    });
  });
});

describe('Given the testbed over plain HTTP', () => {
  let testbed: Testbed;

  beforeAll(async () => {
    testbed = await startTestbed(smallTopology({ tls: false }));
  });

  afterAll(async () => {
    await testbed?.close();
  });

  describe.each(['json-rpc', 'xml-rpc'] as const)('When the client speaks %s', (transport) => {
    it('Then it logs in, fills its cache and live-migrates the web VM there and back', async () => {
      expect(testbed.xapi.url).toMatch(/^http:\/\//);
      expect(testbed.xapi.caFile).toBeUndefined();
      const xapi = client(testbed.xapi.url, { transport });
      try {
        await xapi.connect();
        await xapi.objectsFetched;
        const web = named(xapi, 'VM', 'web');
        // Over XML-RPC, 64-bit ints arrive as strings, exactly as from a real host.
        expect(web.memory_static_max).toBe(transport === 'xml-rpc' ? String(WEB_MEMORY) : WEB_MEMORY);
        const source = web.resident_on as string;
        const destination = objectsOf(xapi, 'host').find((h) => h.name_label !== 'tiny' && h.$ref !== source);
        if (!destination) throw new Error('no destination');
        await xapi.callAsync('VM.pool_migrate', web.$ref, destination.$ref, { live: 'true' });
        await cacheShows(xapi, () => xapi.getObjectByRef(web.$ref).resident_on === destination.$ref);
        await xapi.callAsync('VM.pool_migrate', web.$ref, source, { live: 'true' });
        await cacheShows(xapi, () => xapi.getObjectByRef(web.$ref).resident_on === source);
      } finally {
        await xapi.disconnect();
      }
    });
  });
});
