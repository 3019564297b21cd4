// The testbed's XAPI as bytes on the wire, without any client library: JSON-RPC on /jsonrpc,
// XML-RPC on / and /RPC2, the records and getters of each class, events, tasks, migration checks
// and the memory accounting of a migration, each error with its XAPI code and parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, type Testbed } from '../../src/testbed/index.ts';
import { MiB, PASSWORD, smallTopology, WEB_MEMORY } from './testbed-topology.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface JsonReply {
  contentType: string | null;
  body: { jsonrpc?: string; id?: Json; result?: Json; error?: { code: number; message: string; data: string[] } | Json[] };
}

let testbed: Testbed;
let session: string;
const refs: Record<string, string> = {};

async function post(path: string, body: string, contentType: string): Promise<Response> {
  return fetch(new URL(path, testbed.xapi.url), { method: 'POST', body, headers: { 'content-type': contentType } });
}

async function jsonrpc(method: string, params: Json[], version: 1 | 2 = 2): Promise<JsonReply> {
  const request = version === 2 ? { jsonrpc: '2.0', id: 1, method, params } : { id: 'v1', method, params };
  const response = await post('/jsonrpc', JSON.stringify(request), 'application/json');
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), body: (await response.json()) as JsonReply['body'] };
}

/** The result of a JSON-RPC 2.0 call, or a thrown [CODE, params...] for comparing. */
async function call(method: string, ...params: Json[]): Promise<Json> {
  const { body } = await jsonrpc(method, params);
  if (body.error && !Array.isArray(body.error)) throw [body.error.message, ...body.error.data];
  return body.result ?? null;
}

async function failure(method: string, ...params: Json[]): Promise<string[]> {
  try {
    await call(method, ...params);
  } catch (error) {
    return error as string[];
  }
  throw new Error(`${method} succeeded`);
}

async function xmlrpc(path: string, method: string, params: string[]): Promise<{ contentType: string | null; text: string }> {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param><value><string>${p}</string></value></param>`)
    .join('')}</params></methodCall>`;
  const response = await post(path, body, 'text/xml');
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), text: await response.text() };
}

async function record(cls: string, ref: string): Promise<Record<string, Json>> {
  return (await call(`${cls}.get_record`, session, ref)) as Record<string, Json>;
}

async function memoryFree(host: string): Promise<number> {
  return (await call('host_metrics.get_memory_free', session, (await record('host', refs[host] ?? '')).metrics ?? '')) as number;
}

async function untilTaskEnds(task: string): Promise<Record<string, Json>> {
  for (;;) {
    const current = await record('task', task);
    if (current.status !== 'pending') return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  testbed = await startTestbed(smallTopology({ tls: false }));
  session = (await call('session.login_with_password', 'root', PASSWORD)) as string;
  for (const cls of ['host', 'VM']) {
    const all = (await call(`${cls}.get_all_records`, session)) as Record<string, Record<string, Json>>;
    for (const [ref, fields] of Object.entries(all)) refs[String(fields.name_label)] = ref;
  }
});

afterAll(async () => {
  await testbed?.close();
});

describe('Given the JSON-RPC endpoint', () => {
  it('When called, Then it answers with Content-Type exactly application/json and a JSON-RPC 2.0 reply', async () => {
    const reply = await jsonrpc('host.get_all', [session]);
    expect(reply.contentType).toBe('application/json');
    expect(reply.body).toEqual({ jsonrpc: '2.0', id: 1, result: expect.arrayContaining([refs.h1, refs.h2, refs.tiny]) });
  });

  it('When a call fails, Then the error is {code: 1, message: CODE, data: params}', async () => {
    const reply = await jsonrpc('VM.get_record', [session, 'OpaqueRef:gone']);
    expect(reply.body).toEqual({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'HANDLE_INVALID', data: ['VM', 'OpaqueRef:gone'] } });
  });

  it('When called as JSON-RPC 1.0, Then the reply has result and error, the error an array', async () => {
    expect((await jsonrpc('VM.get_record', [session, 'OpaqueRef:gone'], 1)).body).toEqual({
      result: null,
      error: ['HANDLE_INVALID', 'VM', 'OpaqueRef:gone'],
      id: 'v1',
    });
  });

  it('When the body is not a call, Then HTTP 500, as from xapi', async () => {
    expect((await post('/jsonrpc', '{"jsonrpc":"2.0","id":1}', 'application/json')).status).toBe(500);
  });
});

describe('Given sessions', () => {
  it('When the password is wrong, Then SESSION_AUTHENTICATION_FAILED [user, reason]', async () => {
    expect(await failure('session.login_with_password', 'root', 'nope')).toEqual([
      'SESSION_AUTHENTICATION_FAILED',
      'root',
      'Authentication failure',
    ]);
  });

  it('When a session is made up or logged out, Then SESSION_INVALID [session]', async () => {
    expect(await failure('VM.get_all', 'OpaqueRef:made-up')).toEqual(['SESSION_INVALID', 'OpaqueRef:made-up']);
    const other = (await call('session.login_with_password', 'root', PASSWORD, '1.0', 'wire test')) as string;
    expect(await call('session.logout', other)).toBe('');
    expect(await failure('VM.get_all', other)).toEqual(['SESSION_INVALID', other]);
  });
});

describe('Given the classes the testbed serves', () => {
  it('When system.listMethods is called, Then every class offers get_all_records (what the xen-api client watches)', async () => {
    const methods = (await call('system.listMethods')) as string[];
    for (const cls of ['pool', 'host', 'host_metrics', 'VM', 'VM_metrics', 'task']) {
      expect(methods).toEqual(expect.arrayContaining([`${cls}.get_all_records`, `${cls}.get_record`, `${cls}.get_by_uuid`]));
    }
    expect(methods).toEqual(expect.arrayContaining(['VM.pool_migrate', 'VM.assert_can_migrate', 'event.from', 'event.inject', 'task.cancel']));
  });

  it.each(['pool', 'host', 'host_metrics', 'VM', 'VM_metrics', 'task'])(
    'When %s records are read every way, Then get_all, get_all_records, get_record, get_by_uuid and the field getters agree',
    async (cls) => {
      if (cls === 'task') await call('task.create', session, 'wire-test task', 'made to be read');
      const all = (await call(`${cls}.get_all_records`, session)) as Record<string, Record<string, Json>>;
      const [ref, fields] = Object.entries(all)[0] ?? [];
      if (!ref || !fields) throw new Error(`no ${cls}`);
      expect(new Set((await call(`${cls}.get_all`, session)) as string[])).toEqual(new Set(Object.keys(all)));
      expect(await record(cls, ref)).toEqual(fields);
      expect(await call(`${cls}.get_by_uuid`, session, fields.uuid ?? '')).toBe(ref);
      for (const [field, value] of Object.entries(fields)) expect(await call(`${cls}.get_${field}`, session, ref)).toEqual(value);
    },
  );

  it('When looking up by name label, Then every object with that name comes back, or none', async () => {
    expect(await call('VM.get_by_name_label', session, 'web')).toEqual([refs.web]);
    expect(await call('host.get_by_name_label', session, 'nowhere')).toEqual([]);
  });

  it('When a uuid is unknown, Then UUID_INVALID [class, uuid]', async () => {
    expect(await failure('VM.get_by_uuid', session, 'no-such-uuid')).toEqual(['UUID_INVALID', 'VM', 'no-such-uuid']);
  });

  it('When a reference is of another class, Then HANDLE_INVALID names the class asked for', async () => {
    expect(await failure('VM.get_power_state', session, refs.h1 ?? '')).toEqual(['HANDLE_INVALID', 'VM', refs.h1]);
  });

  it('When methods are called wrongly, Then MESSAGE_METHOD_UNKNOWN and MESSAGE_PARAMETER_COUNT_MISMATCH', async () => {
    expect(await failure('VM.fly', session)).toEqual(['MESSAGE_METHOD_UNKNOWN', 'VM.fly']);
    expect(await failure('VM.get_record', session)).toEqual(['MESSAGE_PARAMETER_COUNT_MISMATCH', 'VM.get_record', '1', '0']);
  });
});

describe('Given the XML-RPC endpoint', () => {
  it.each(['/', '/RPC2'])('When %s is called, Then Status/Value come back as text/xml with 64-bit ints as strings', async (path) => {
    const reply = await xmlrpc(path, 'VM.get_memory_static_max', [session, refs.web ?? '']);
    expect(reply.contentType).toBe('text/xml');
    expect(reply.text).toBe(
      `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value>${WEB_MEMORY}</value></member></struct></value></param></params></methodResponse>`,
    );
  });

  it('When a call fails, Then Status is Failure with ErrorDescription [code, params...]', async () => {
    const reply = await xmlrpc('/', 'VM.get_record', [session, 'OpaqueRef:gone']);
    expect(reply.text).toContain(
      '<member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name><value><array><data><value>HANDLE_INVALID</value><value>VM</value><value>OpaqueRef:gone</value></data></array></value></member>',
    );
  });

  it('When system.listMethods is called, Then the list is the bare param, without Status', async () => {
    const reply = await xmlrpc('/', 'system.listMethods', []);
    expect(reply.text).toMatch(/^<\?xml version="1.0"\?><methodResponse><params><param><value><array><data><value>/);
    expect(reply.text).not.toContain('Status');
  });

  it('When the body is not XML-RPC, Then HTTP 500', async () => {
    expect((await post('/', '<methodCall>', 'text/xml')).status).toBe(500);
  });
});

describe('Given event.from', () => {
  it('When nothing changes, Then it waits out its timeout and returns no events, valid_ref_counts and a token', async () => {
    const { token } = (await call('event.from', session, ['vm'], '', 0)) as { token: string };
    const result = (await call('event.from', session, ['vm'], token, 0.3)) as Record<string, Json>;
    expect(result).toEqual({ events: [], valid_ref_counts: expect.objectContaining({ vm: 6, task: expect.any(Number) }), token });
  });

  it('When an object changes, Then the waiting call returns it as `mod` with its snapshot', async () => {
    const { token } = (await call('event.from', session, ['pool'], '', 0)) as { token: string };
    const pool = ((await call('pool.get_all', session)) as string[])[0] ?? '';
    const waiting = call('event.from', session, ['pool'], token, 30);
    await call('pool.add_to_other_config', session, pool, 'wire-test', 'yes');
    const { events } = (await waiting) as { events: Record<string, Json>[] };
    expect(events).toEqual([
      expect.objectContaining({ class: 'pool', operation: 'mod', ref: pool, snapshot: expect.objectContaining({ other_config: { 'wire-test': 'yes' } }) }),
    ]);
  });
});

describe('Given the web VM migrating with Async.VM.pool_migrate', () => {
  it('When it runs, Then the destination holds its memory from the start, the source frees it at the end, and the task ends success', async () => {
    const source = (await record('VM', refs.web ?? '')).resident_on as string;
    const [sourceName, destinationName] = source === refs.h1 ? ['h1', 'h2'] : ['h2', 'h1'];
    const free = { source: await memoryFree(sourceName), destination: await memoryFree(destinationName) };
    const precopy = new Promise<void>((resolve) => testbed.migrations.on('phase', (e) => e.phase === 'precopy' && resolve()));

    const task = (await call('Async.VM.pool_migrate', session, refs.web ?? '', refs[destinationName] ?? '', { live: 'true' })) as string;
    await precopy;
    const during = await record('task', task);
    expect(during).toMatchObject({ status: 'pending', name_label: 'Async.VM.pool_migrate', allowed_operations: ['cancel'] });
    expect(await memoryFree(destinationName)).toBe(free.destination - WEB_MEMORY);
    expect(await memoryFree(sourceName)).toBe(free.source);
    expect(await record('VM', refs.web ?? '')).toMatchObject({ resident_on: source, scheduled_to_be_resident_on: refs[destinationName] });

    const ended = await untilTaskEnds(task);
    expect(ended).toMatchObject({ status: 'success', progress: 1, result: '<value></value>', error_info: [] });
    expect(await record('VM', refs.web ?? '')).toMatchObject({ resident_on: refs[destinationName], current_operations: {} });
    expect(await memoryFree(sourceName)).toBe(free.source + WEB_MEMORY);
    expect(await memoryFree(destinationName)).toBe(free.destination - WEB_MEMORY);

    expect(await call('task.destroy', session, task)).toBe('');
    expect(await failure('task.get_record', session, task)).toEqual(['HANDLE_INVALID', 'task', task]);
  });

  it('When it is cancelled during pre-copy, Then the task is cancelled with error_info [TASK_CANCELLED, task]', async () => {
    const source = (await record('VM', refs.web ?? '')).resident_on as string;
    const destination = source === refs.h1 ? refs.h2 : refs.h1;
    const precopy = new Promise<void>((resolve) => testbed.migrations.on('phase', (e) => e.phase === 'precopy' && resolve()));
    const task = (await call('Async.VM.pool_migrate', session, refs.web ?? '', destination ?? '', {})) as string;
    await precopy;
    expect(await call('task.cancel', session, task)).toBe('');
    const ended = await untilTaskEnds(task);
    expect(ended).toMatchObject({ status: 'cancelled', error_info: ['TASK_CANCELLED', task] });
    expect(await record('VM', refs.web ?? '')).toMatchObject({ resident_on: source, scheduled_to_be_resident_on: 'OpaqueRef:NULL' });
    await call('task.destroy', session, task);
  });

  it('When the destination is the host it is on and there is room, Then XAPI-like it is a localhost migration: same host, new domain', async () => {
    const before = await record('VM', refs.web ?? '');
    expect(await call('VM.pool_migrate', session, refs.web ?? '', before.resident_on ?? '', {})).toBe('');
    const after = await record('VM', refs.web ?? '');
    expect(after.resident_on).toBe(before.resident_on);
    expect(after.domid).not.toBe(before.domid);
  });
});

describe('Given VM.assert_can_migrate with a destination from host.migrate_receive', () => {
  const network = async () => ((await call('network.get_all', session)) as string[])[0] ?? '';

  it('When the destination has room, Then it passes', async () => {
    const dest = (await call('host.migrate_receive', session, refs.h1 ?? '', await network(), {})) as Record<string, string>;
    expect(dest).toMatchObject({ host: refs.h1, session_id: expect.stringMatching(/^OpaqueRef:/), xenops: expect.any(String) });
    expect(await call('VM.assert_can_migrate', session, refs.web ?? '', dest, true, {}, {}, {})).toBe('');
  });

  it('When the destination has no room, Then HOST_NOT_ENOUGH_FREE_MEMORY [needed, available]', async () => {
    const dest = (await call('host.migrate_receive', session, refs.tiny ?? '', await network(), {})) as Record<string, string>;
    expect(await failure('VM.assert_can_migrate', session, refs.web ?? '', dest, true, {}, {}, {})).toEqual([
      'HOST_NOT_ENOUGH_FREE_MEMORY',
      String(WEB_MEMORY),
      String(128 * MiB),
    ]);
  });

  it('When VIFs are mapped inside a pool, Then OPERATION_NOT_ALLOWED', async () => {
    const dest = (await call('host.migrate_receive', session, refs.h1 ?? '', await network(), {})) as Record<string, string>;
    const [code] = await failure('VM.assert_can_migrate', session, refs.web ?? '', dest, true, {}, { 'OpaqueRef:vif': 'OpaqueRef:net' }, {});
    expect(code).toBe('OPERATION_NOT_ALLOWED');
  });
});
