// The messages every class gets from XAPI's data model: get_all, get_all_records, get_record,
// get_by_uuid, get_by_name_label and set_name_description (classes with a name), one getter per
// field, and the other_config map's add_to/remove_from (which the xen-api client's barrier() uses
// on the pool).
import { SCHEMAS, type ClassName, type FieldKind } from './classes.ts';
import type { MethodSpec } from './dispatch.ts';
import { mapDuplicateKey } from './errors.ts';
import { encodeField, encodeRecord } from './records.ts';
import type { ObjectStore } from './store.ts';
import type { WireValue } from './wire.ts';

export function objectMethods(store: ObjectStore, cls: ClassName): MethodSpec[] {
  const schema = SCHEMAS[cls] as Record<string, FieldKind>;
  const read = (ref: unknown) => store.get(cls, String(ref)) as unknown as Record<string, unknown>;
  const method = (name: string, params: number, run: (args: unknown[]) => WireValue): MethodSpec => ({
    name: `${cls}.${name}`,
    params,
    session: true,
    run,
  });

  const methods: MethodSpec[] = [
    method('get_all', 0, () => store.all(cls).map(([ref]) => ref)),
    method('get_all_records', 0, () =>
      Object.fromEntries(store.all(cls).map(([ref, record]) => [ref, encodeRecord(cls, record)])),
    ),
    method('get_record', 1, ([ref]) => encodeRecord(cls, store.get(cls, String(ref)))),
    method('get_by_uuid', 1, ([uuid]) => store.byUuid(cls, String(uuid))),
  ];
  if ('name_description' in schema) {
    // An admin describes a pool in XenCenter this way; it is also how the testbed says what it is.
    methods.push(
      method('set_name_description', 2, ([ref, value]) => {
        read(ref);
        store.update(cls, String(ref), { name_description: String(value) } as never);
        return '';
      }),
    );
  }
  if ('name_label' in schema) {
    methods.push(
      method('get_by_name_label', 1, ([label]) =>
        store
          .all(cls)
          .filter(([, record]) => (record as unknown as { name_label: string }).name_label === String(label))
          .map(([ref]) => ref),
      ),
    );
  }
  for (const [field, kind] of Object.entries(schema)) {
    methods.push(method(`get_${field}`, 1, ([ref]) => encodeField(kind, read(ref)[field])));
  }
  methods.push(
    method('add_to_other_config', 3, ([ref, key, value]) => {
      const otherConfig = read(ref).other_config as Record<string, string>;
      if (Object.hasOwn(otherConfig, String(key))) throw mapDuplicateKey(cls, 'other_config', String(ref), String(key));
      store.update(cls, String(ref), { other_config: { ...otherConfig, [String(key)]: String(value) } } as never);
      return '';
    }),
    method('remove_from_other_config', 2, ([ref, key]) => {
      const { [String(key)]: _removed, ...rest } = read(ref).other_config as Record<string, string>;
      store.update(cls, String(ref), { other_config: rest } as never);
      return '';
    }),
  );
  return methods;
}
