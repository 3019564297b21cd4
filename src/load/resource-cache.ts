// A simulated user's browser cache: the static files and images it has already loaded in this
// session. A user can hold hundreds of them and a run can hold 100 000 users, so the cache keeps
// 32-bit hashes of the paths in an open-addressing table rather than the strings. Two paths that
// collide (about one chance in ten million for a user with 400 entries) make the user skip one
// file it never loaded: a negligible error in the load offered, never in what is measured.

export class ResourceCache {
  /** 0 marks an empty slot, so a hash of 0 is stored as 1. */
  #slots = new Int32Array(32);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `path`; true when it was not there yet (so the user must load it). */
  add(path: string): boolean {
    if ((this.#size + 1) * 2 > this.#slots.length) this.#grow();
    if (!insert(this.#slots, hash(path))) return false;
    this.#size += 1;
    return true;
  }

  has(path: string): boolean {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const key = hash(path);
    for (let i = key & mask; ; i = (i + 1) & mask) {
      const slot = slots[i];
      if (slot === 0) return false;
      if (slot === key) return true;
    }
  }

  clear(): void {
    this.#slots = new Int32Array(32);
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Int32Array(old.length * 2);
    for (const key of old) if (key !== 0) insert(this.#slots, key);
  }
}

function insert(slots: Int32Array, key: number): boolean {
  const mask = slots.length - 1;
  for (let i = key & mask; ; i = (i + 1) & mask) {
    const slot = slots[i];
    if (slot === key) return false;
    if (slot === 0) {
      slots[i] = key;
      return true;
    }
  }
}

/** FNV-1a over the UTF-16 code units, never 0. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h === 0 ? 1 : h | 0;
}
