// One simulated user: a small state object, not a running coroutine. Between actions (most of
// its life, thinking) it is a few fields: where it is in the chain, its variables, cookies and
// browser cache. The drivers move it along with timers; the action runner uses it while an
// action is in flight. A run holds up to 100 000 of these per GiB, so everything a user may
// never need (variables, cookies, the cache) is created on first use.
import type { Profile, Random, TemplateScope } from '../workloads/index.ts';
import { CookieJar } from './cookies.ts';
import type { Exchange } from './exchange.ts';
import { ResourceCache } from './resource-cache.ts';

export class SimulatedUser implements TemplateScope {
  /** 1-based, unique in the run. */
  readonly userNumber: number;
  readonly random: Random;
  /** The action it performs next (or is performing). */
  action: number;
  /** A warm browser cache: the user never loads `static` resources. */
  warmCache: boolean;
  /** While an action runs: when it must be over (epoch ms), and the request in flight. */
  deadline = Number.POSITIVE_INFINITY;
  inFlight: Exchange | undefined;
  /** While an action runs: when it started (epoch ms); NaN when idle. */
  actionStartedAt = Number.NaN;
  #sequence = 0;
  #vars: Map<string, string> | undefined;
  #cookies: CookieJar | undefined;
  #cache: ResourceCache | undefined;

  constructor(userNumber: number, profile: Profile, random: Random) {
    this.userNumber = userNumber;
    this.random = random;
    this.action = profile.mix.start;
    this.warmCache = random.next() >= profile.coldCacheFraction;
    for (const { name, value } of profile.initialVars) this.setVariable(name, value.render(this));
  }

  get busy(): boolean {
    return !Number.isNaN(this.actionStartedAt);
  }

  variable(name: string): string | undefined {
    return this.#vars?.get(name);
  }

  /** An empty value counts as unset, for `when`. */
  isSet(name: string): boolean {
    const value = this.#vars?.get(name);
    return value !== undefined && value !== '';
  }

  setVariable(name: string, value: string): void {
    (this.#vars ??= new Map()).set(name, value);
  }

  unsetVariable(name: string): void {
    this.#vars?.delete(name);
  }

  nextSequence(): number {
    this.#sequence += 1;
    return this.#sequence;
  }

  cookieHeader(): string | undefined {
    return this.#cookies?.header();
  }

  cookie(name: string): string | undefined {
    return this.#cookies?.get(name);
  }

  acceptCookie(setCookie: string): void {
    (this.#cookies ??= new CookieJar()).accept(setCookie);
  }

  /** Whether the user must load `path` (and, if so, it is now cached). */
  mustLoad(path: string, cache: 'static' | 'session' | 'none'): boolean {
    if (cache === 'none') return true;
    if (cache === 'static' && this.warmCache) return false;
    return (this.#cache ??= new ResourceCache()).add(path);
  }

  /**
   * Logout, as Faban's driver does it: a fresh HTTP client (no cookies), an emptied cache whose
   * warmth is drawn again, and the session's variables forgotten.
   */
  endSession(profile: Profile): void {
    this.#cookies?.clear();
    this.#cache?.clear();
    this.warmCache = this.random.next() >= profile.coldCacheFraction;
    for (const name of profile.sessionVars) this.unsetVariable(name);
  }
}
