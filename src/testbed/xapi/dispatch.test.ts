import { describe, expect, it } from 'vitest';
import { Dispatcher, type CallOutcome, type MethodSpec } from './dispatch.ts';
import { otherOperationInProgress, sessionInvalid, XapiFailure } from './errors.ts';
import { FaultPlan } from './faults.ts';
import { SessionTable } from './sessions.ts';
import { ObjectStore } from './store.ts';
import { TaskTable } from './tasks.ts';

function setUp(methods: MethodSpec[], faults?: FaultPlan) {
  const store = new ObjectStore();
  const sessions = new SessionTable({ username: 'root', password: 'secret' });
  const dispatcher = new Dispatcher(sessions, new TaskTable(store, 'OpaqueRef:host'), [
    { name: 'session.login_with_password', params: 2, optional: 2, session: false, run: ([u, p]) => sessions.login(u, p) },
    ...methods,
  ], faults);
  const session = sessions.login('root', 'secret');
  return { store, dispatcher, session };
}

function failure(outcome: CallOutcome): [string, string[]] {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  return [outcome.failure.code, outcome.failure.params];
}

const echo: MethodSpec = { name: 'thing.echo', params: 1, session: true, run: ([x]) => String(x) };

describe('Given the dispatcher', () => {
  describe('When logging in', () => {
    it('Then wrong credentials are SESSION_AUTHENTICATION_FAILED [user, reason]', async () => {
      const { dispatcher } = setUp([]);
      expect(failure(await dispatcher.call('session.login_with_password', ['root', 'nope']))).toEqual([
        'SESSION_AUTHENTICATION_FAILED',
        ['root', 'Authentication failure'],
      ]);
    });

    it('Then version and originator may follow the password (as the Python SDK sends them)', async () => {
      const { dispatcher } = setUp([]);
      expect(await dispatcher.call('session.login_with_password', ['root', 'secret', '1.0', 'test'])).toMatchObject({ ok: true });
    });
  });

  describe('When a method is called wrongly', () => {
    it('Then an unknown method is MESSAGE_METHOD_UNKNOWN [method]', async () => {
      const { dispatcher } = setUp([echo]);
      expect(failure(await dispatcher.call('thing.nope', []))).toEqual(['MESSAGE_METHOD_UNKNOWN', ['thing.nope']]);
    });

    it('Then an unknown method with parameters checks the session first, as XAPI tries it as an extension', async () => {
      const { dispatcher, session } = setUp([echo]);
      expect(failure(await dispatcher.call('thing.nope', ['OpaqueRef:bad']))).toEqual(['SESSION_INVALID', ['OpaqueRef:bad']]);
      expect(failure(await dispatcher.call('thing.nope', [session]))).toEqual(['MESSAGE_METHOD_UNKNOWN', ['thing.nope']]);
    });

    it('Then a wrong parameter count is MESSAGE_PARAMETER_COUNT_MISMATCH [method, expected, received], before the session check', async () => {
      const { dispatcher } = setUp([echo]);
      expect(failure(await dispatcher.call('thing.echo', ['OpaqueRef:bad', 'x', 'y']))).toEqual([
        'MESSAGE_PARAMETER_COUNT_MISMATCH',
        ['thing.echo', '1', '2'],
      ]);
    });

    it('Then a bad session is SESSION_INVALID [session]', async () => {
      const { dispatcher } = setUp([echo]);
      expect(failure(await dispatcher.call('thing.echo', ['OpaqueRef:bad', 'x']))).toEqual(['SESSION_INVALID', ['OpaqueRef:bad']]);
    });
  });

  describe('When a method is called by its alternative wire name', () => {
    it('Then class_message works like class.message (the Python SDK sends event_from)', async () => {
      const { dispatcher, session } = setUp([echo]);
      expect(await dispatcher.call('thing_echo', [session, 'x'])).toEqual({ ok: true, bare: false, value: 'x' });
    });
  });

  describe('When a method is called asynchronously', () => {
    it('Then a pending task comes back at once and ends success with the XML-RPC encoding of the result', async () => {
      const asyncEcho: MethodSpec = { ...echo, async: true, run: async ([x]) => `<${String(x)}>` };
      const { dispatcher, session, store } = setUp([asyncEcho]);
      const outcome = await dispatcher.call('Async.thing.echo', [session, 'hi']);
      if (!outcome.ok || typeof outcome.value !== 'string') throw new Error('no task');
      const task = outcome.value;
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.get('task', task)).toMatchObject({
        name_label: 'Async.thing.echo',
        status: 'success',
        progress: 1,
        result: '<value>&lt;hi&gt;</value>',
      });
    });

    it('Then a failure of the work lands on the task as error_info, not on the call', async () => {
      const failing: MethodSpec = {
        ...echo,
        async: true,
        run: () => {
          throw new XapiFailure('HOST_NOT_ENOUGH_FREE_MEMORY', ['2', '1']);
        },
      };
      const { dispatcher, session, store } = setUp([failing]);
      const outcome = await dispatcher.call('Async.thing.echo', [session, 'x']);
      if (!outcome.ok || typeof outcome.value !== 'string') throw new Error('no task');
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.get('task', outcome.value)).toMatchObject({
        status: 'failure',
        error_info: ['HOST_NOT_ENOUGH_FREE_MEMORY', '2', '1'],
      });
    });

    it('Then a method without an Async form is unknown under Async.', async () => {
      const { dispatcher, session } = setUp([echo]);
      expect(failure(await dispatcher.call('Async.thing.echo', [session, 'x']))).toEqual(['MESSAGE_METHOD_UNKNOWN', ['thing.echo']]);
    });
  });

  describe('When system.listMethods is called', () => {
    it('Then it lists every method, bare (without the Status wrapper), no session needed', async () => {
      const { dispatcher } = setUp([echo]);
      expect(await dispatcher.call('system.listMethods', [])).toEqual({
        ok: true,
        bare: true,
        value: ['session.login_with_password', 'thing.echo'],
      });
    });
  });

  describe('When a test planned faults', () => {
    const asyncEcho: MethodSpec = { ...echo, async: true, run: async ([x]) => String(x) };

    it("Then the planned error lands on the Async call's task with the call's own objects, once, and every call is counted", async () => {
      const faults = new FaultPlan();
      faults.failNext('thing.echo', ([x]) => otherOperationInProgress('VM', String(x), 'clean_reboot', 'OpaqueRef:other'));
      const { dispatcher, session, store } = setUp([asyncEcho], faults);
      const refused = await dispatcher.call('Async.thing.echo', [session, 'OpaqueRef:vm']);
      const served = await dispatcher.call('Async.thing.echo', [session, 'OpaqueRef:vm']);
      if (!refused.ok || !served.ok) throw new Error('no task');
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.get('task', String(refused.value))).toMatchObject({
        status: 'failure',
        error_info: ['OTHER_OPERATION_IN_PROGRESS', 'VM', 'OpaqueRef:vm', 'clean_reboot', 'OpaqueRef:other'],
      });
      expect(store.get('task', String(served.value))).toMatchObject({ status: 'success' });
      expect(faults.calls('thing.echo')).toBe(2);
    });

    it('Then a planned SESSION_INVALID refuses the call itself with its session, before any task, and the session is gone', async () => {
      const faults = new FaultPlan();
      faults.failNext('thing.echo', sessionInvalid(''));
      const { dispatcher, session, store } = setUp([asyncEcho], faults);
      expect(failure(await dispatcher.call('Async.thing.echo', [session, 'x']))).toEqual(['SESSION_INVALID', [session]]);
      expect(store.count('task')).toBe(0);
      expect(failure(await dispatcher.call('thing.echo', [session, 'x']))).toEqual(['SESSION_INVALID', [session]]);
    });
  });
});
