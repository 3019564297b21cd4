// A simulated user's cookies for the one site it talks to: what a browser keeps between requests
// (the session cookie above all). Only name=value and deletion matter here; domain and path do
// not, because a run targets one origin.

export class CookieJar {
  #values = new Map<string, string>();
  #header: string | undefined;

  /** The Cookie header to send, or undefined when there are none. */
  header(): string | undefined {
    if (this.#header === undefined && this.#values.size > 0) {
      let header = '';
      for (const [name, value] of this.#values) header += `${header ? '; ' : ''}${name}=${value}`;
      this.#header = header;
    }
    return this.#header;
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  get size(): number {
    return this.#values.size;
  }

  /** Applies one Set-Cookie header value: stores it, or deletes it when it is expired or empty. */
  accept(setCookie: string): void {
    const end = setCookie.indexOf(';');
    const pair = end === -1 ? setCookie : setCookie.slice(0, end);
    const equals = pair.indexOf('=');
    if (equals <= 0) return;
    const name = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    const attributes = end === -1 ? '' : setCookie.slice(end + 1).toLowerCase();
    this.#header = undefined;
    if (value === '' || expired(attributes)) this.#values.delete(name);
    else this.#values.set(name, value);
  }

  clear(): void {
    this.#values.clear();
    this.#header = undefined;
  }
}

function expired(attributes: string): boolean {
  if (attributes === '') return false;
  const maxAge = /(?:^|;)\s*max-age\s*=\s*(-?\d+)/.exec(attributes);
  if (maxAge) return Number(maxAge[1]) <= 0;
  const expires = /(?:^|;)\s*expires\s*=\s*([^;]+)/.exec(attributes);
  if (expires) {
    const at = Date.parse(expires[1] ?? '');
    return Number.isFinite(at) && at <= Date.now();
  }
  return false;
}
