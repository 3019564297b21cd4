// Every method the testbed's XAPI serves: the session, event and task messages here, the
// per-class getters from object-methods.ts and the migration messages from vm-migration.ts.
// system.listMethods lists exactly these, and the xen-api client derives the object types it
// watches from their `<class>.get_all_records` entries.
import { CLASS_NAMES } from './classes.ts';
import type { MethodSpec } from './dispatch.ts';
import type { EventService } from './events.ts';
import { objectMethods } from './object-methods.ts';
import type { SessionTable } from './sessions.ts';
import type { ObjectStore } from './store.ts';
import type { TaskTable } from './tasks.ts';
import { migrationMethods, type MigrationEnvironment } from './vm-migration.ts';

export interface XapiServices {
  store: ObjectStore;
  sessions: SessionTable;
  tasks: TaskTable;
  events: EventService;
  migration: MigrationEnvironment;
}

export function xapiMethods(services: XapiServices): MethodSpec[] {
  const { store, sessions, tasks, events } = services;
  return [
    // version and originator have defaults, so XAPI accepts 2, 3 or 4 parameters (Python sends 4).
    {
      name: 'session.login_with_password',
      params: 2,
      optional: 2,
      session: false,
      run: ([user, password]) => sessions.login(user, password),
    },
    {
      name: 'session.logout',
      params: 0,
      session: true,
      run: (_args, { session }) => {
        sessions.logout(session);
        return '';
      },
    },
    {
      name: 'event.from',
      params: 3,
      session: true,
      run: ([classes, token, timeout]) =>
        events.from(Array.isArray(classes) ? classes.map(String) : [], String(token), Number(timeout)),
    },
    {
      name: 'event.inject',
      params: 2,
      session: true,
      run: ([cls, ref]) => events.inject(String(cls), String(ref)),
    },
    {
      name: 'task.create',
      params: 2,
      session: true,
      run: ([label, description]) => tasks.create(String(label), String(description)).ref,
    },
    {
      name: 'task.cancel',
      params: 1,
      session: true,
      run: ([task]) => {
        tasks.cancel(String(task));
        return '';
      },
    },
    {
      name: 'task.destroy',
      params: 1,
      session: true,
      run: ([task]) => {
        tasks.destroy(String(task));
        return '';
      },
    },
    ...CLASS_NAMES.flatMap((cls) => objectMethods(store, cls)),
    ...migrationMethods(services.migration),
  ];
}
