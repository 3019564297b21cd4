// The site's request handler: routes of docs/reference-app.md to pages, media and form posts,
// under the URLs of Olio's PHP application (index.php, events.php?socialEventID=N, ...), so that
// a load profile written for Olio drives this site unchanged. Each request reads the session,
// runs a few indexed queries and renders; bad input becomes a 400 page naming the field, an
// unknown path 404, a known path with the wrong method 405.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidInputError } from '../../invalid/index.ts';
import type { Logger } from '../../log/index.ts';
import { readForm } from './form-body.ts';
import { readCredentials, readEvent, readPage, readPerson, readTag } from './forms.ts';
import { generatedLiterature, generatedPicture } from './generated-media.ts';
import * as pages from './pages.ts';
import { clearedSessionCookie, sessionCookie, sessionIdFrom } from './session-cookie.ts';
import type { SiteStore } from './site-store.ts';
import type { SessionUser } from './social-store.ts';
import { staticFile } from './statics.ts';

export interface SiteOptions {
  /** The site's data: in this process, or the database guest's over TCP. */
  store: SiteStore;
  seed: number;
  log: Logger;
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  params: string[];
  query: URLSearchParams;
  sessionId: string | undefined;
  user: SessionUser | undefined;
}

type Action = (exchange: Exchange) => void | Promise<void>;

interface Route {
  pattern: RegExp;
  /** Answers the same to anyone: no session is looked up (static files need no database). */
  anonymous?: true;
  get?: Action;
  post?: Action;
}

const HOME_EVENTS = 10;
const TAG_CLOUD_SIZE = 30;
/** Olio's taggedEvents.php shows 10 events a page. */
const TAG_PAGE_SIZE = 10;
const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-cache' };
const MEDIA_CACHE = 'public, max-age=86400';
/** Files fileService.php serves, as Olio's loader names them: e<id>.jpg, its thumbnail e<id>t.jpg, e<id>l.pdf, p<id>.jpg, p<id>t.jpg. */
const SERVED_FILE = /^([ep])(\d{1,15})(t?\.jpg|l\.pdf)$/;

export function createSite(options: SiteOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { store, seed, log } = options;

  const routes: Route[] = [
    { pattern: /^\/(?:index\.php)?$/, get: home },
    { pattern: /^(\/(?:js|css|images)\/[\w./-]+)$/, get: staticAsset, anonymous: true },
    { pattern: /^\/fileService\.php$/, get: fileService },
    { pattern: /^\/healthz$/, get: health, anonymous: true },
    { pattern: /^\/login\.php$/, post: login },
    { pattern: /^\/logout\.php$/, get: logout },
    { pattern: /^\/taggedEvents\.php$/, get: tagSearchByQuery, post: tagSearchByForm },
    { pattern: /^\/events\.php$/, get: eventDetail },
    { pattern: /^\/addAttendee\.php$/, get: attend },
    { pattern: /^\/users\.php$/, get: personDetail },
    { pattern: /^\/addPerson\.php$/, get: newPersonForm },
    { pattern: /^\/addPersonResult\.php$/, post: addPerson },
    { pattern: /^\/addEvent\.php$/, get: newEventForm },
    { pattern: /^\/addEventResult\.php$/, post: addEvent },
  ];

  async function home(x: Exchange): Promise<void> {
    sendHtml(x, 200, pages.homePage(x.user, await store.upcomingEvents(Date.now(), HOME_EVENTS), await store.tagCloud(TAG_CLOUD_SIZE)));
  }

  /** Ready when the data answers: with the database in a VM of its own, a paused db VM holds it. */
  async function health(x: Exchange): Promise<void> {
    await store.ping();
    send(x.response, 200, 'ok', { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  }

  /** As Olio's login.php: home either way, with a session only when the password was right. */
  async function login(x: Exchange): Promise<void> {
    const { username, password } = readCredentials(await readForm(x.request));
    const sessionId = await store.logIn(username, password);
    if (!sessionId) return redirect(x.response, '/index.php');
    if (x.sessionId) await store.logOut(x.sessionId);
    redirect(x.response, '/index.php?flag=authenticated', { 'set-cookie': sessionCookie(sessionId) });
  }

  async function logout(x: Exchange): Promise<void> {
    if (x.sessionId) await store.logOut(x.sessionId);
    redirect(x.response, '/index.php', { 'set-cookie': clearedSessionCookie() });
  }

  async function tagSearchByQuery(x: Exchange): Promise<void> {
    const tag = x.query.get('tag');
    if (tag === null || tag.trim() === '') {
      sendHtml(x, 200, pages.tagSearchPage(x.user, undefined, await store.tagCloud(TAG_CLOUD_SIZE)));
      return;
    }
    await tagSearch(x, readTag(tag), readPage(x.query.get('page')));
  }

  async function tagSearchByForm(x: Exchange): Promise<void> {
    const form = await readForm(x.request);
    await tagSearch(x, readTag(form.fields.get('tag')), 1);
  }

  async function tagSearch(x: Exchange, tag: string, page: number): Promise<void> {
    const { total, events } = await store.eventsTagged(tag, TAG_PAGE_SIZE, (page - 1) * TAG_PAGE_SIZE);
    const results = { tag, total, page, pageSize: TAG_PAGE_SIZE, events };
    sendHtml(x, 200, pages.tagSearchPage(x.user, results, []));
  }

  async function eventDetail(x: Exchange): Promise<void> {
    const id = readId(x.query, 'socialEventID');
    const details = await store.eventPage(id);
    if (!details) return notFound(x, `There is no event ${id}.`);
    const attending = x.user !== undefined && (await store.isAttending(id, x.user.id));
    sendHtml(x, 200, pages.eventPage(x.user, details, attending));
  }

  /** As Olio's addAttendee.php: a GET that adds the user (once) and answers the attendee block. */
  async function attend(x: Exchange): Promise<void> {
    const id = readId(x.query, 'id');
    if (!x.user) return unauthorized(x, 'Log in to attend an event.');
    if (!(await store.attend(id, x.user.id))) return notFound(x, `There is no event ${id}.`);
    const details = await store.eventPage(id);
    if (!details) return notFound(x, `There is no event ${id}.`);
    sendHtml(x, 200, pages.attendeesFragment(details));
  }

  async function fileService(x: Exchange): Promise<void> {
    const name = x.query.get('file') ?? '';
    const match = SERVED_FILE.exec(name);
    if (!match) return notFound(x, `There is no file "${name}".`);
    const [, kind, digits, suffix] = match;
    const id = Number(digits);
    if (kind === 'p') {
      const person = await store.personById(id);
      if (!person) return notFound(x, `There is no person ${id}.`);
      return sendPicture(x, person.imageId, () => generatedPicture('person', seed, person.username));
    }
    const event = await store.event(id);
    if (!event) return notFound(x, `There is no event ${id}.`);
    if (suffix === 'l.pdf') {
      const stored = event.documentId === null ? undefined : await store.blob(event.documentId);
      const body = stored ? Buffer.from(stored.data) : generatedLiterature(event);
      return send(x.response, 200, body, { 'content-type': 'application/pdf', 'cache-control': MEDIA_CACHE });
    }
    await sendPicture(x, event.imageId, () => generatedPicture('event', seed, String(id)));
  }

  async function sendPicture(x: Exchange, blobId: number | null, generate: () => Buffer): Promise<void> {
    const stored = blobId === null ? undefined : await store.blob(blobId);
    const headers = { 'content-type': stored?.contentType ?? 'image/jpeg', 'cache-control': MEDIA_CACHE };
    send(x.response, 200, stored ? Buffer.from(stored.data) : generate(), headers);
  }

  async function personDetail(x: Exchange): Promise<void> {
    const username = x.query.get('username') ?? '';
    const details = await store.personPage(username);
    if (!details) return notFound(x, `There is no person ${username}.`);
    sendHtml(x, 200, pages.personPage(x.user, details));
  }

  function newPersonForm(x: Exchange): void {
    sendHtml(x, 200, pages.addPersonPage(x.user));
  }

  async function addPerson(x: Exchange): Promise<void> {
    const person = readPerson(await readForm(x.request));
    await store.addPerson(person);
    redirect(x.response, `/users.php?username=${encodeURIComponent(person.username)}`);
  }

  function newEventForm(x: Exchange): void {
    sendHtml(x, 200, pages.addEventPage(x.user));
  }

  async function addEvent(x: Exchange): Promise<void> {
    if (!x.user) {
      x.request.resume();
      return unauthorized(x, 'Log in to add an event.');
    }
    const id = await store.addEvent(readEvent(await readForm(x.request)), x.user.id);
    redirect(x.response, `/events.php?socialEventID=${id}`);
  }

  function staticAsset(x: Exchange): void {
    const path = x.params[0] ?? '';
    const file = staticFile(path);
    if (!file) return notFound(x, `There is no static file ${path}.`);
    if (x.request.headers['if-none-match'] === file.etag) {
      x.response.writeHead(304, { etag: file.etag, 'cache-control': file.headers['cache-control'] ?? '' }).end();
      return;
    }
    x.response.writeHead(200, file.headers).end(file.body);
  }

  function notFound(x: Exchange, message: string): void {
    sendHtml(x, 404, pages.errorPage(x.user, 'Not found', message));
  }

  function unauthorized(x: Exchange, message: string): void {
    sendHtml(x, 401, pages.errorPage(x.user, 'Log in first', message));
  }

  async function dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
    const sessionId = sessionIdFrom(request.headers.cookie);
    const route = routes.find((candidate) => candidate.pattern.test(path));
    const user = sessionId && !route?.anonymous ? await store.sessionUser(sessionId) : undefined;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    if (route) {
      const match = route.pattern.exec(path) ?? [];
      const action = method === 'GET' ? route.get : method === 'POST' ? route.post : undefined;
      const x: Exchange = { request, response, params: match.slice(1), query, sessionId, user };
      if (!action) {
        request.resume();
        const allow = [route.get ? 'GET, HEAD' : '', route.post ? 'POST' : ''].filter(Boolean).join(', ');
        response.setHeader('allow', allow);
        sendHtml(x, 405, pages.errorPage(user, 'Method not allowed', `${path} answers ${allow}.`));
        return;
      }
      try {
        await action(x);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        request.resume();
        sendHtml(x, 400, pages.errorPage(user, 'Invalid input', error.message, error.field));
      }
      return;
    }
    request.resume();
    sendHtml(
      { request, response, params: [], query, sessionId, user },
      404,
      pages.errorPage(user, 'Not found', `There is no page ${path}.`),
    );
  }

  return (request, response) => {
    dispatch(request, response).catch((error: unknown) => {
      log.error({ err: error, method: request.method, url: request.url }, 'reference app: request failed');
      if (!response.headersSent) send(response, 500, 'internal error\n', { 'content-type': 'text/plain; charset=utf-8' });
      else response.destroy();
    });
  };
}

/** A record's number from a query parameter (events.php?socialEventID=N, addAttendee.php?id=N). */
function readId(query: URLSearchParams, name: string): number {
  const value = query.get(name) ?? '';
  if (!/^\d{1,15}$/.test(value)) throw new InvalidInputError(name, 'must be a whole number');
  return Number(value);
}

function sendHtml(x: Exchange, status: number, body: string): void {
  send(x.response, status, body, HTML_HEADERS);
}

function redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  response.writeHead(302, { location, 'content-length': '0', ...headers }).end();
}

function send(response: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>): void {
  // Encode once: the length and the bytes come from the same buffer.
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { ...headers, 'content-length': String(bytes.length) }).end(bytes);
}
