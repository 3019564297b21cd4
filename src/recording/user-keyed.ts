// Records keyed by names a user chose (actions): no prototype, so "constructor", "toString" or
// "__proto__" are keys like any other, never Object.prototype's members ({}["constructor"] is a
// function, and {}["__proto__"] = x replaces the prototype).

export function userKeyed<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
