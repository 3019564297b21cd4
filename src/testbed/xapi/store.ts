// The object database: every object of every class, keyed by opaque reference, stamped with the
// generation that created and last modified it, as XAPI's database stamps its rows. event.from
// reads changes "since generation N" from these stamps, so a client that was away sees each
// changed object once, in its latest state, and deletions as `del`.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CLASS_NAMES, type ClassName, type RecordsByClass } from './classes.ts';
import { handleInvalid, uuidInvalid } from './errors.ts';

interface Row<C extends ClassName = ClassName> {
  cls: C;
  ref: string;
  record: Readonly<RecordsByClass[C]>;
  created: number;
  modified: number;
}

export interface Change {
  cls: ClassName;
  ref: string;
  operation: 'add' | 'mod' | 'del';
  generation: number;
  /** The record now (absent for `del`). */
  record?: Readonly<RecordsByClass[ClassName]>;
}

export function newRef(): string {
  return `OpaqueRef:${randomUUID()}`;
}

export class ObjectStore {
  #generation = 0;
  readonly #rows = new Map<string, Row>();
  readonly #deleted: { cls: ClassName; ref: string; generation: number }[] = [];
  /** Emits 'change' (generation) after every write, for event.from waiters. */
  readonly changes = new EventEmitter().setMaxListeners(0);

  get generation(): number {
    return this.#generation;
  }

  add<C extends ClassName>(cls: C, record: RecordsByClass[C], ref = newRef()): string {
    const generation = this.#bump();
    const frozen = Object.freeze({ ...record }) as Readonly<RecordsByClass[ClassName]>;
    this.#rows.set(ref, { cls, ref, record: frozen, created: generation, modified: generation });
    this.#notify();
    return ref;
  }

  get<C extends ClassName>(cls: C, ref: string): Readonly<RecordsByClass[C]> {
    return this.#row(cls, ref).record;
  }

  find<C extends ClassName>(cls: C, ref: string): Readonly<RecordsByClass[C]> | undefined {
    const row = this.#rows.get(ref);
    return row?.cls === cls ? (row.record as RecordsByClass[C]) : undefined;
  }

  update<C extends ClassName>(cls: C, ref: string, patch: Partial<RecordsByClass[C]>): Readonly<RecordsByClass[C]> {
    const row = this.#row(cls, ref);
    row.record = Object.freeze({ ...row.record, ...patch }) as Readonly<RecordsByClass[C]>;
    row.modified = this.#bump();
    this.#notify();
    return row.record;
  }

  /** Marks an object modified without changing it (event.inject). */
  touch(cls: ClassName, ref: string): number {
    const row = this.#row(cls, ref);
    row.modified = this.#bump();
    this.#notify();
    return row.modified;
  }

  remove(cls: ClassName, ref: string): void {
    this.#row(cls, ref);
    this.#rows.delete(ref);
    this.#deleted.push({ cls, ref, generation: this.#bump() });
    this.#notify();
  }

  all<C extends ClassName>(cls: C): [string, Readonly<RecordsByClass[C]>][] {
    const result: [string, Readonly<RecordsByClass[C]>][] = [];
    for (const row of this.#rows.values()) {
      if (row.cls === cls) result.push([row.ref, row.record as RecordsByClass[C]]);
    }
    return result;
  }

  byUuid(cls: ClassName, uuid: string): string {
    for (const row of this.#rows.values()) if (row.cls === cls && row.record.uuid === uuid) return row.ref;
    throw uuidInvalid(cls, uuid);
  }

  count(cls: ClassName): number {
    let n = 0;
    for (const row of this.#rows.values()) if (row.cls === cls) n += 1;
    return n;
  }

  /** Objects created, modified or deleted after `generation`, oldest change first. */
  changesSince(generation: number, wanted: (cls: ClassName, ref: string) => boolean): Change[] {
    const changes: Change[] = [];
    for (const row of this.#rows.values()) {
      if (row.modified <= generation || !wanted(row.cls, row.ref)) continue;
      const operation = row.created > generation ? 'add' : 'mod';
      changes.push({ cls: row.cls, ref: row.ref, operation, generation: row.modified, record: row.record });
    }
    for (const gone of this.#deleted) {
      if (gone.generation > generation && wanted(gone.cls, gone.ref)) changes.push({ ...gone, operation: 'del' });
    }
    return changes.sort((a, b) => a.generation - b.generation);
  }

  classCounts(): Record<string, number> {
    return Object.fromEntries(CLASS_NAMES.map((cls) => [cls.toLowerCase(), this.count(cls)]));
  }

  #row<C extends ClassName>(cls: C, ref: string): Row<C> {
    const row = this.#rows.get(ref);
    if (!row || row.cls !== cls) throw handleInvalid(cls, ref);
    return row as unknown as Row<C>;
  }

  #bump(): number {
    this.#generation += 1;
    return this.#generation;
  }

  #notify(): void {
    this.changes.emit('change', this.#generation);
  }
}
