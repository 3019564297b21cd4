import { describe, expect, it } from 'vitest';
import type { HostMetricsRecord } from './classes.ts';
import { XapiFailure } from './errors.ts';
import { EventService, formatToken, parseToken, subscriptionFilter } from './events.ts';
import { ObjectStore } from './store.ts';
import { XapiInt32 } from './wire.ts';

interface EventFromResult {
  events: { id: string; class: string; operation: string; ref: string; snapshot?: Record<string, unknown> }[];
  valid_ref_counts: Record<string, XapiInt32>;
  token: string;
}

const metrics = (memoryFree: number): HostMetricsRecord => ({
  uuid: `uuid-${memoryFree}`,
  memory_total: 100,
  memory_free: memoryFree,
  live: true,
  last_updated: 0,
  other_config: {},
});

async function from(events: EventService, classes: string[], token: string, timeout = 0): Promise<EventFromResult> {
  return (await events.from(classes, token, timeout)) as unknown as EventFromResult;
}

describe('Given event tokens', () => {
  it('When formatted, Then they are two 20-digit generations, as XAPI writes them', () => {
    expect(formatToken(42)).toBe('00000000000000000042,00000000000000000000');
    expect(parseToken(formatToken(42))).toBe(42);
  });

  it('When empty, Then they mean "from the beginning"', () => {
    expect(parseToken('')).toBe(0);
  });

  it.each(['garbage', '1', '1,2,3', 'a,b'])('When unreadable (%s), Then EVENT_FROM_TOKEN_PARSE_FAILURE', (token) => {
    expect(() => parseToken(token)).toThrow(expect.objectContaining({ code: 'EVENT_FROM_TOKEN_PARSE_FAILURE', params: [token] }));
  });
});

describe('Given subscriptions', () => {
  it('When matching, Then class names ignore case, "*" is everything, "cls/ref" one object', () => {
    expect(subscriptionFilter(['vm'])('VM', 'OpaqueRef:a')).toBe(true);
    expect(subscriptionFilter(['VM'])('host', 'OpaqueRef:a')).toBe(false);
    expect(subscriptionFilter(['*'])('task', 'OpaqueRef:a')).toBe(true);
    expect(subscriptionFilter(['vm/OpaqueRef:a'])('VM', 'OpaqueRef:a')).toBe(true);
    expect(subscriptionFilter(['vm/OpaqueRef:a'])('VM', 'OpaqueRef:b')).toBe(false);
  });
});

describe('Given a store with objects', () => {
  describe('When event.from starts from the beginning', () => {
    it('Then every subscribed object comes back as `add` with its snapshot, and counts for every class', async () => {
      const store = new ObjectStore();
      const ref = store.add('host_metrics', metrics(10));
      const result = await from(new EventService(store), ['host_metrics'], '');
      expect(result.events).toHaveLength(1);
      expect(result.events[0]).toMatchObject({ class: 'host_metrics', operation: 'add', ref, id: expect.any(String) });
      expect(result.events[0]?.snapshot?.uuid).toBe('uuid-10');
      expect(result.valid_ref_counts.host_metrics).toEqual(new XapiInt32(1));
      expect(result.valid_ref_counts.task).toEqual(new XapiInt32(0));
      expect(parseToken(result.token)).toBe(store.generation);
    });
  });

  describe('When objects change after a token', () => {
    it('Then each changed object comes once, latest state, `mod`; removed ones as `del` without snapshot', async () => {
      const store = new ObjectStore();
      const events = new EventService(store);
      const kept = store.add('host_metrics', metrics(10));
      const removed = store.add('host_metrics', metrics(20));
      const { token } = await from(events, ['host_metrics'], '');
      store.update('host_metrics', kept, { memory_free: 5 });
      store.update('host_metrics', kept, { memory_free: 4 });
      store.remove('host_metrics', removed);
      const result = await from(events, ['host_metrics'], token);
      expect(result.events.map((e) => [e.operation, e.ref])).toEqual([
        ['mod', kept],
        ['del', removed],
      ]);
      expect(result.events[0]?.snapshot?.memory_free).toEqual(expect.objectContaining({ value: 4 }));
      expect(result.events[1]?.snapshot).toBeUndefined();
    });
  });

  describe('When nothing changed since the token', () => {
    it('Then event.from blocks until a subscribed change arrives', async () => {
      const store = new ObjectStore();
      const events = new EventService(store);
      const ref = store.add('host_metrics', metrics(10));
      const { token } = await from(events, ['host_metrics'], '');
      const pending = from(events, ['host_metrics'], token, 30);
      setTimeout(() => store.update('host_metrics', ref, { memory_free: 1 }), 20);
      const result = await pending;
      expect(result.events.map((e) => e.operation)).toEqual(['mod']);
    });

    it('Then it returns no events once the timeout passes, with a token to go on from', async () => {
      const store = new ObjectStore();
      const events = new EventService(store);
      store.add('host_metrics', metrics(10));
      const { token } = await from(events, ['host_metrics'], '');
      const result = await from(events, ['host_metrics'], token, 0.05);
      expect(result.events).toEqual([]);
      expect(result.token).toBe(token);
    });

    it('Then changes to classes not subscribed to do not end the wait', async () => {
      const store = new ObjectStore();
      const events = new EventService(store);
      const ref = store.add('host_metrics', metrics(10));
      const { token } = await from(events, ['vm'], '');
      setTimeout(() => store.update('host_metrics', ref, { memory_free: 1 }), 10);
      const result = await from(events, ['vm'], token, 0.1);
      expect(result.events).toEqual([]);
    });

    it('Then wakeAll ends the wait at once (the server is closing)', async () => {
      const store = new ObjectStore();
      const events = new EventService(store);
      const pending = from(events, ['vm'], formatToken(store.generation), 60);
      events.wakeAll();
      expect((await pending).events).toEqual([]);
    });
  });

  describe('When event.inject touches an object', () => {
    it('Then the token it returns yields exactly that object as `mod`', async () => {
      const store = new ObjectStore();
      const events = new EventService(store);
      const ref = store.add('host_metrics', metrics(10));
      store.add('host_metrics', metrics(20));
      const token = events.inject('host_metrics', ref);
      const result = await from(events, ['host_metrics'], token);
      expect(result.events.map((e) => [e.operation, e.ref])).toEqual([['mod', ref]]);
    });

    it('Then a reference of another class is HANDLE_INVALID [class, ref]', () => {
      const store = new ObjectStore();
      const ref = store.add('host_metrics', metrics(10));
      expect(() => new EventService(store).inject('VM', ref)).toThrow(
        expect.objectContaining({ code: 'HANDLE_INVALID', params: ['VM', ref] }) as XapiFailure,
      );
    });
  });
});

describe('Given event.from with a timeout beyond what a timer holds (1e7 s, about 116 days)', () => {
  it('Then it blocks (a timer overflow would return at once) until a change comes', async () => {
    const store = new ObjectStore();
    const events = new EventService(store);
    const { token } = await from(events, ['host_metrics'], '');
    let returned = false;
    const pending = from(events, ['host_metrics'], token, 1e7).then((result) => ((returned = true), result));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(returned).toBe(false);
    store.add('host_metrics', metrics(10));
    expect((await pending).events).toHaveLength(1);
  });
});
