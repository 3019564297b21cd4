// Performs one action for one user: its requests in order (as Faban's driver does, one after the
// other on the user's connection), each page's static files and images unless cached, the checks
// and captures of the profile. Returns how long the user waited: from the first timed request's
// dispatch (which includes setting up a connection, as a browser's user waits for it too) to the
// last byte of the last timed response.
import type { Action, Profile, RequestStep } from '../workloads/index.ts';
import type { ErrorKind } from '../recording/index.ts';
import { now } from './clock.ts';
import { ActionFailure, ActionTimeout, Exchange, type HttpRequest, type HttpResponse, type RequestDispatcher } from './exchange.ts';
import type { SimulatedUser } from './user.ts';

export interface ActionResult {
  /** Epoch ms the response time counts from. */
  startedAt: number;
  /** Epoch ms of the last byte (or of the failure). */
  endedAt: number;
  ok: boolean;
  errorKind: ErrorKind | undefined;
  /** Why it failed, for the log. */
  failure: ActionFailure | undefined;
}

/** One request as it completed: what `migrascope load --trace` prints for a person writing a profile. */
export interface RequestTrace {
  action: string;
  method: string;
  /** As sent, the URL's own path included. */
  path: string;
  /** undefined when no response came (connect failure, timeout). */
  status: number | undefined;
  /** From handing the request to the pool to its last byte (or its failure). */
  ms: number;
  /** Why the action failed at this request ("status: ...", "body: ..."), or undefined. */
  failure: string | undefined;
}

/** What the drivers need from a runner (tests give them one without HTTP). */
export interface ActionPerformer {
  /** `at`: now, when the caller has just read the clock. */
  run(user: SimulatedUser, action: Action, measuredFrom?: number, at?: number): Promise<ActionResult>;
}

export class ActionRunner implements ActionPerformer {
  readonly #dispatcher: RequestDispatcher;
  readonly #profile: Profile;
  readonly #pathPrefix: string;
  readonly #baseHeaders: readonly string[];
  readonly #shared = new WeakMap<RequestStep, HttpRequest>();
  /** Told of every request when set; when not, the hot path does nothing for it but one check. */
  readonly #trace: ((trace: RequestTrace) => void) | undefined;

  /**
   * `pathPrefix`: the URL's own path (e.g. "/olio"), prepended to every request path. `trace`:
   * called as each request completes (a dry run shows what a profile sends).
   */
  constructor(dispatcher: RequestDispatcher, profile: Profile, pathPrefix = '', trace?: (trace: RequestTrace) => void) {
    this.#dispatcher = dispatcher;
    this.#profile = profile;
    this.#pathPrefix = pathPrefix.replace(/\/+$/, '');
    this.#baseHeaders = profile.headers.flat();
    this.#trace = trace;
  }

  /**
   * Runs `action` for `user`. `measuredFrom` (open loop) makes the response time count from the
   * intended start rather than from the first request, so a queue before the start is not hidden.
   * `at`: now, when the caller has just read the clock (one reading fewer per action).
   */
  async run(user: SimulatedUser, action: Action, measuredFrom?: number, at = now()): Promise<ActionResult> {
    const begin = at;
    user.actionStartedAt = measuredFrom ?? begin;
    user.deadline = begin + action.timeoutMs;
    let startedAt = measuredFrom ?? Number.NaN;
    let endedAt = Number.NaN;
    try {
      const lets = action.lets;
      for (let i = 0; i < lets.length; i++) user.setVariable(lets[i]!.name, lets[i]!.value.render(user));
      // The clock is read once per request: its start (the first one's is `begin` when nothing was
      // rendered before it) and its end, which is the next one's start.
      let clock = lets.length === 0 ? begin : now();
      const requests = action.requests;
      for (let i = 0; i < requests.length; i++) {
        const step = requests[i]!;
        if (!this.#shouldRun(user, step)) continue;
        if (step.timed && Number.isNaN(startedAt)) startedAt = clock;
        // The step's own request is awaited here, not in a function of its own: one promise and
        // one resumption fewer per request, on the driver's hot path.
        const request = this.#request(user, step);
        let response: HttpResponse | undefined;
        try {
          response = await this.#send(user, action, request, step.readsBody, capturesHeader(step), clock);
          this.#acceptCookies(user, response);
          this.#accept(user, step, request, response);
        } catch (error) {
          if (this.#trace !== undefined) this.#traceRequest(action, request, response, clock, error);
          throw error;
        }
        if (this.#trace !== undefined) this.#traceRequest(action, request, response, clock, undefined);
        if (step.resources.length > 0) await this.#loadPageResources(user, action, step, request, response);
        clock = now();
        if (step.timed) endedAt = clock;
      }
      if (Number.isNaN(startedAt)) startedAt = endedAt = clock;
      return { startedAt, endedAt, ok: true, errorKind: undefined, failure: undefined };
    } catch (error) {
      const failure = error instanceof ActionFailure ? error : new ActionFailure('body', (error as Error).message, { cause: error });
      const failedAt = now();
      return { startedAt: Number.isNaN(startedAt) ? begin : startedAt, endedAt: failedAt, ok: false, errorKind: failure.kind, failure };
    } finally {
      user.actionStartedAt = Number.NaN;
      user.deadline = Number.POSITIVE_INFINITY;
      user.inFlight = undefined;
    }
  }

  #shouldRun(user: SimulatedUser, step: RequestStep): boolean {
    for (const condition of step.when) if (user.isSet(condition.name) !== condition.set) return false;
    return step.probability >= 1 || user.random.next() < step.probability;
  }

  /** The static files and images of a step's page, unless cached. */
  async #loadPageResources(user: SimulatedUser, action: Action, step: RequestStep, request: HttpRequest, response: HttpResponse): Promise<void> {
    for (const rule of step.resources) {
      for (const resource of rule.paths) await this.#loadResource(user, action, resource, rule.cache);
      if (rule.regex) {
        for (const match of (response.body ?? '').matchAll(rule.regex)) {
          const resource = resolvedOnPage(attributeValue(match[1] ?? match[0]), request.path.slice(this.#pathPrefix.length));
          await this.#loadResource(user, action, resource, rule.cache);
        }
      }
    }
  }

  /** The response's checks, then what the step captures, sets and unsets. */
  #accept(user: SimulatedUser, step: RequestStep, request: HttpRequest, response: HttpResponse): void {
    const status = response.status;
    if (step.expectStatus ? !step.expectStatus.has(status) : status >= 400) {
      throw new ActionFailure('status', `${step.method} ${request.path} answered ${status}${step.expectStatus ? ` (expected ${[...step.expectStatus].join(' or ')})` : ''}`);
    }
    const text = response.body ?? '';
    if (step.bodyMatches && !step.bodyMatches.test(text)) throw new ActionFailure('body', `${step.method} ${request.path}: the page does not match /${step.bodyMatches.source}/`);
    if (step.bodyNotMatches?.test(text)) throw new ActionFailure('body', `${step.method} ${request.path}: the page matches /${step.bodyNotMatches.source}/`);
    if (step.captures.length > 0) this.#capture(user, step, response, request.path);
    for (const { name, value } of step.set) user.setVariable(name, value.render(user));
    for (const name of step.unset) user.unsetVariable(name);
    if (step.endSession) user.endSession(this.#profile);
  }

  #traceRequest(action: Action, request: HttpRequest, response: HttpResponse | undefined, sentAt: number, error: unknown): void {
    const failure = error === undefined ? undefined : error instanceof ActionFailure ? `${error.kind}: ${error.message}` : `body: ${(error as Error).message}`;
    this.#trace?.({ action: action.name, method: request.method, path: request.path, status: response?.status, ms: now() - sentAt, failure });
  }

  /**
   * The request of a step for this user. A step that is the same for everyone (a fixed path, no
   * body, no headers of its own) is encoded once and reused while the user has no cookies: the
   * hot path of a simple profile then builds nothing per request.
   */
  #request(user: SimulatedUser, step: RequestStep): HttpRequest {
    const cookie = user.cookieHeader();
    const fixed = step.body === undefined && step.headers.length === 0 ? step.path.constant : undefined;
    if (fixed !== undefined && cookie === undefined) {
      let shared = this.#shared.get(step);
      if (shared === undefined) {
        shared = { method: step.method, path: this.#pathPrefix + fixed, headers: [...this.#baseHeaders], body: undefined, reused: true };
        this.#shared.set(step, shared);
      }
      return shared;
    }
    const body = step.body?.render(user);
    const headers = this.#headers(cookie, body?.contentType);
    for (const [name, value] of step.headers) headers.push(name, value.render(user));
    return { method: step.method, path: this.#pathPrefix + step.path.render(user), headers, body: body?.payload };
  }

  async #loadResource(user: SimulatedUser, action: Action, path: string, cache: 'static' | 'session' | 'none'): Promise<void> {
    if (!user.mustLoad(path, cache)) return;
    const request: HttpRequest = { method: 'GET', path: this.#pathPrefix + path, headers: this.#headers(user.cookieHeader(), undefined), body: undefined };
    const sentAt = this.#trace === undefined ? 0 : now();
    let response: HttpResponse | undefined;
    try {
      response = await this.#send(user, action, request, false, false, now());
      this.#acceptCookies(user, response);
      if (response.status >= 400) throw new ActionFailure('status', `GET ${path} answered ${response.status}`);
    } catch (error) {
      if (this.#trace !== undefined) this.#traceRequest(action, request, response, sentAt, error);
      throw error;
    }
    if (this.#trace !== undefined) this.#traceRequest(action, request, response, sentAt, undefined);
  }

  #headers(cookie: string | undefined, contentType: string | undefined): string[] {
    const headers = this.#baseHeaders.slice();
    if (cookie !== undefined) headers.push('cookie', cookie);
    if (contentType !== undefined) headers.push('content-type', contentType);
    return headers;
  }

  /** Sends `request` unless the action is past its deadline at `at` (now). */
  #send(user: SimulatedUser, action: Action, request: HttpRequest, keepBody: boolean, keepHeaders: boolean, at: number): Promise<HttpResponse> {
    if (at > user.deadline) throw new ActionTimeout(action.timeoutMs);
    return Exchange.send(this.#dispatcher, request, keepBody, keepHeaders, user);
  }

  #acceptCookies(user: SimulatedUser, response: HttpResponse): void {
    user.inFlight = undefined;
    const cookies = response.setCookies;
    if (cookies !== undefined) for (const setCookie of cookies) user.acceptCookie(setCookie);
  }

  #capture(user: SimulatedUser, step: RequestStep, response: HttpResponse, path: string): void {
    for (const capture of step.captures) {
      let value: string | undefined;
      if (capture.from === 'body') {
        const matches = [...(response.body ?? '').matchAll(capture.regex)];
        const match = capture.pick === 'first' ? matches[0] : capture.pick === 'last' ? matches.at(-1) : matches.length > 0 ? user.random.pick(matches) : undefined;
        value = match === undefined ? undefined : (match[1] ?? match[0]);
      } else if (capture.from === 'header') {
        value = response.headers?.values(capture.header)[0];
      } else {
        value = user.cookie(capture.cookie);
      }
      if (value !== undefined) user.setVariable(capture.var, value);
      else if (capture.onMissing === 'unset') user.unsetVariable(capture.var);
      else if (capture.onMissing === 'fail') throw new ActionFailure('body', `${step.method} ${path}: nothing to capture into "${capture.var}"`);
    }
  }
}

/**
 * A path found in a page is an HTML attribute value: a browser reads `&amp;` as `&` (DokuWiki
 * writes `css.php?t=dokuwiki&amp;tseed=...`), and so must the request for it.
 */
function attributeValue(text: string): string {
  return text.includes('&amp;') ? text.replaceAll('&amp;', '&') : text;
}

/** Whether the step captures a header (only then are a response's headers kept). */
function capturesHeader(step: RequestStep): boolean {
  for (const capture of step.captures) if (capture.from === 'header') return true;
  return false;
}

/**
 * A file a page names, as a path from the site's root. Pages name files from the root ("/css/a.css")
 * or relative to themselves (Olio writes src="fileService.php?file=..."); a browser, and Faban's
 * driver, resolve the latter against the page's directory.
 */
export function resolvedOnPage(resource: string, pagePath: string): string {
  if (resource.startsWith('/')) return resource;
  const query = pagePath.indexOf('?');
  const path = query === -1 ? pagePath : pagePath.slice(0, query);
  return path.slice(0, path.lastIndexOf('/') + 1) + resource;
}
