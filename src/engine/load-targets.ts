// Where each namespace may send load: the cluster admin's allow-list (the chart's `loadTargets`),
// checked by the controller before an experiment starts and again by the worker before a shard or a
// migration's probe sends its first request (jobs come through Redis, which the controller does not
// own alone). Without the list, every namespace may send load anywhere (said once at start); with
// it, nothing is allowed that it does not name:
//
//   default: ["10.0.0.0/8", "app.example.com"]   # this namespace's targets
//   "*": ["*.lab.example.com", "fd00::/8"]         # every namespace's, added to its own
//
// An entry is a host name (matched exactly, case aside), `*.suffix` (any name below the suffix, not
// the suffix itself), an IP address or a CIDR range. Ports are ignored. A host the names do not
// allow is resolved, and every address it resolves to must lie in an allowed range, so a name of
// the user's choosing cannot reach a range the admin left out. (The worker resolves again when it
// connects: a name whose DNS answer changes in between is a limit of any check by name; list
// addresses, not names, where that matters.)
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { InvalidInputError } from '../invalid/index.ts';

/** Namespace (or "*": every namespace) to its allowed hosts and ranges. */
export type LoadTargetsConfig = Readonly<Record<string, readonly string[]>>;

export type Resolver = (host: string) => Promise<string[]>;

const HOST_NAME = /^(?:\*\.)?(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;

interface Rules {
  names: Set<string>;
  suffixes: string[];
  ranges: BlockList;
  entries: readonly string[];
}

export class LoadTargetAllowList {
  /** Undefined: no list configured, everything allowed. */
  readonly #rules: Map<string, Rules> | undefined;
  readonly #resolve: Resolver;

  /** Everything allowed: no list was configured. */
  static unrestricted(): LoadTargetAllowList {
    return new LoadTargetAllowList(undefined);
  }

  /**
   * The list from its document (YAML or JSON already parsed); `source` names it in refusals.
   * A refusal names the entry and what it should look like.
   */
  static parse(document: unknown, source: string, resolve?: Resolver): LoadTargetAllowList {
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw new InvalidInputError(source, 'must be a mapping of namespace (or "*") to a list of hosts and CIDR ranges, e.g. {default: ["10.0.0.0/8", "app.example.com"]}');
    }
    const config: Record<string, string[]> = {};
    for (const [namespace, entries] of Object.entries(document)) {
      const field = `${source}.${namespace}`;
      if (!Array.isArray(entries)) throw new InvalidInputError(field, 'must be a list of hosts and CIDR ranges (an empty list allows nothing)');
      config[namespace] = entries.map((entry: unknown, index) => {
        if (typeof entry !== 'string' || entryKind(entry) === undefined) {
          throw new InvalidInputError(`${field}[${index}]`, `${JSON.stringify(entry)} is no host name, *.suffix, IP address or CIDR range (like app.example.com, *.lab.example.com, 10.0.0.0/8 or fd00::/8)`);
        }
        return entry;
      });
    }
    return new LoadTargetAllowList(config, resolve);
  }

  constructor(config: LoadTargetsConfig | undefined, resolve: Resolver = resolveAll) {
    this.#resolve = resolve;
    this.#rules = config === undefined ? undefined : new Map(Object.entries(config).map(([namespace, entries]) => [namespace, rulesOf(entries)]));
  }

  /** False when every namespace may send load anywhere. */
  get restricted(): boolean {
    return this.#rules !== undefined;
  }

  /** Why `namespace` may not send load to `url`, or undefined when it may. */
  async refusal(namespace: string, url: string): Promise<string | undefined> {
    if (!this.#rules) return undefined;
    const own = this.#rules.get(namespace);
    const every = this.#rules.get('*');
    const host = hostOf(url);
    const allowed = [...(own?.entries ?? []), ...(every?.entries ?? [])];
    const tail = allowed.length === 0
      ? `the controller's load-target allow-list (loadTargets) names no target for namespace "${namespace}" nor for "*": ask the cluster admin to add one`
      : `namespace "${namespace}" may send load only to ${allowed.join(', ')} (the controller's loadTargets): ask the cluster admin to add it, or point the experiment at an allowed target`;
    const rules = [own, every].filter((each): each is Rules => each !== undefined);
    if (rules.some((each) => nameAllowed(each, host))) return undefined;
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.#resolve(host);
    } catch (error) {
      return `load target "${host}" cannot be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) to check it against its allowed ranges; ${tail}`;
    }
    const outside = addresses.map(unmapped).filter((address) => !rules.some((each) => each.ranges.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')));
    if (addresses.length > 0 && outside.length === 0) return undefined;
    const shown = host === outside[0] || outside.length === 0 ? '' : ` (${outside.join(', ')})`;
    return `load target "${host}"${shown} is not allowed: ${tail}`;
  }
}

function rulesOf(entries: readonly string[]): Rules {
  const rules: Rules = { names: new Set(), suffixes: [], ranges: new BlockList(), entries };
  for (const entry of entries) {
    const kind = entryKind(entry);
    const text = entry.toLowerCase().replace(/\.$/, '');
    if (kind === 'suffix') rules.suffixes.push(text.slice(1));
    else if (kind === 'name') rules.names.add(text);
    else if (kind === 'address') rules.ranges.addAddress(unmapped(text), isIP(unmapped(text)) === 6 ? 'ipv6' : 'ipv4');
    else if (kind === 'range') {
      const [address = '', prefix = ''] = text.split('/');
      rules.ranges.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
  }
  return rules;
}

function entryKind(entry: string): 'name' | 'suffix' | 'address' | 'range' | undefined {
  const text = entry.toLowerCase();
  if (isIP(text)) return 'address';
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (cidr) {
    const family = isIP(cidr[1] ?? '');
    const prefix = Number(cidr[2]);
    return family !== 0 && prefix <= (family === 6 ? 128 : 32) ? 'range' : undefined;
  }
  if (!HOST_NAME.test(text)) return undefined;
  return text.startsWith('*.') ? 'suffix' : 'name';
}

function nameAllowed(rules: Rules, host: string): boolean {
  return rules.names.has(host) || rules.suffixes.some((suffix) => host.endsWith(suffix));
}

/** The URL's host, lower case, without brackets, port or trailing dot. */
function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** ::ffff:10.0.0.1 is 10.0.0.1: an IPv4 range must not be bypassed by writing it as IPv6. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((each) => each.address);
}
