// The site's request handler: routes of docs/reference-app.md to pages, media and form posts.
// Each request reads the session, runs a few indexed queries and renders; bad input becomes a
// 400 page naming the field, an unknown path 404, a known path with the wrong method 405.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidInputError } from '../../invalid/index.ts';
import type { Logger } from '../../log/index.ts';
import { readForm } from './form-body.ts';
import { readCredentials, readEvent, readPage, readPerson, readTag } from './forms.ts';
import { generatedLiterature, generatedPicture } from './generated-media.ts';
import * as pages from './pages.ts';
import { clearedSessionCookie, sessionCookie, sessionIdFrom } from './session-cookie.ts';
import type { SessionUser, SocialStore } from './social-store.ts';
import { staticFile } from './statics.ts';

export interface SiteOptions {
  store: SocialStore;
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
  get?: Action;
  post?: Action;
}

const HOME_EVENTS = 10;
const TAG_CLOUD_SIZE = 30;
const TAG_PAGE_SIZE = 25;
const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private, no-cache' };
const MEDIA_CACHE = 'public, max-age=86400';

export function createSite(options: SiteOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { store, seed, log } = options;

  const routes: Route[] = [
    { pattern: /^\/$/, get: home },
    { pattern: /^\/static\/([\w.-]+)$/, get: staticAsset },
    { pattern: /^\/images\/events\/(\d{1,15})\.jpg$/, get: eventImage },
    { pattern: /^\/images\/people\/([^/]+)\.jpg$/, get: personImage },
    { pattern: /^\/healthz$/, get: health },
    { pattern: /^\/login$/, post: login },
    { pattern: /^\/logout$/, get: logout },
    { pattern: /^\/tagsearch$/, get: tagSearchByQuery, post: tagSearchByForm },
    { pattern: /^\/events\/new$/, get: newEventForm },
    { pattern: /^\/events$/, post: addEvent },
    { pattern: /^\/events\/(\d{1,15})$/, get: eventDetail },
    { pattern: /^\/events\/(\d{1,15})\/literature\.pdf$/, get: literature },
    { pattern: /^\/events\/(\d{1,15})\/attend$/, post: attend },
    { pattern: /^\/people\/new$/, get: newPersonForm },
    { pattern: /^\/people$/, post: addPerson },
    { pattern: /^\/people\/([^/]+)$/, get: personDetail },
  ];

  function home(x: Exchange): void {
    sendHtml(x, 200, pages.homePage(x.user, store.upcomingEvents(Date.now(), HOME_EVENTS), store.tagCloud(TAG_CLOUD_SIZE)));
  }

  function health(x: Exchange): void {
    send(x.response, 200, 'ok', { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  }

  async function login(x: Exchange): Promise<void> {
    const { username, password } = readCredentials(await readForm(x.request));
    const sessionId = store.logIn(username, password);
    if (!sessionId) {
      sendHtml(x, 200, pages.loginFailedPage());
      return;
    }
    if (x.sessionId) store.logOut(x.sessionId);
    redirect(x.response, '/', { 'set-cookie': sessionCookie(sessionId) });
  }

  function logout(x: Exchange): void {
    if (x.sessionId) store.logOut(x.sessionId);
    redirect(x.response, '/', { 'set-cookie': clearedSessionCookie() });
  }

  function tagSearchByQuery(x: Exchange): void {
    const tag = x.query.get('tag');
    if (tag === null || tag.trim() === '') {
      sendHtml(x, 200, pages.tagSearchPage(x.user, undefined, store.tagCloud(TAG_CLOUD_SIZE)));
      return;
    }
    tagSearch(x, readTag(tag), readPage(x.query.get('page')));
  }

  async function tagSearchByForm(x: Exchange): Promise<void> {
    const form = await readForm(x.request);
    tagSearch(x, readTag(form.fields.get('tag')), 1);
  }

  function tagSearch(x: Exchange, tag: string, page: number): void {
    const { total, events } = store.eventsTagged(tag, TAG_PAGE_SIZE, (page - 1) * TAG_PAGE_SIZE);
    const results = { tag, total, page, pageSize: TAG_PAGE_SIZE, events };
    sendHtml(x, 200, pages.tagSearchPage(x.user, results, []));
  }

  function eventDetail(x: Exchange): void {
    const id = Number(x.params[0]);
    const details = store.eventPage(id);
    if (!details) return notFound(x, `There is no event ${id}.`);
    const attending = x.user !== undefined && store.isAttending(id, x.user.id);
    sendHtml(x, 200, pages.eventPage(x.user, details, attending));
  }

  function attend(x: Exchange): void {
    x.request.resume();
    const id = Number(x.params[0]);
    if (!x.user) return unauthorized(x, 'Log in to attend an event.');
    if (!store.attend(id, x.user.id)) return notFound(x, `There is no event ${id}.`);
    redirect(x.response, `/events/${id}`);
  }

  function literature(x: Exchange): void {
    const id = Number(x.params[0]);
    const event = store.event(id);
    if (!event) return notFound(x, `There is no event ${id}.`);
    const stored = event.documentId === null ? undefined : store.blob(event.documentId);
    const body = stored ? Buffer.from(stored.data) : generatedLiterature(event);
    send(x.response, 200, body, { 'content-type': 'application/pdf', 'cache-control': MEDIA_CACHE });
  }

  function eventImage(x: Exchange): void {
    const id = Number(x.params[0]);
    const event = store.event(id);
    if (!event) return notFound(x, `There is no event ${id}.`);
    sendPicture(x, event.imageId, () => generatedPicture('event', seed, String(id)));
  }

  function personImage(x: Exchange): void {
    const username = decodedParam(x, 0);
    const person = store.person(username);
    if (!person) return notFound(x, `There is no person ${username}.`);
    sendPicture(x, person.imageId, () => generatedPicture('person', seed, username));
  }

  function sendPicture(x: Exchange, blobId: number | null, generate: () => Buffer): void {
    const stored = blobId === null ? undefined : store.blob(blobId);
    const headers = { 'content-type': stored?.contentType ?? 'image/jpeg', 'cache-control': MEDIA_CACHE };
    send(x.response, 200, stored ? Buffer.from(stored.data) : generate(), headers);
  }

  function personDetail(x: Exchange): void {
    const username = decodedParam(x, 0);
    const details = store.personPage(username);
    if (!details) return notFound(x, `There is no person ${username}.`);
    sendHtml(x, 200, pages.personPage(x.user, details));
  }

  function newPersonForm(x: Exchange): void {
    sendHtml(x, 200, pages.addPersonPage(x.user));
  }

  async function addPerson(x: Exchange): Promise<void> {
    const person = readPerson(await readForm(x.request));
    store.addPerson(person);
    redirect(x.response, `/people/${encodeURIComponent(person.username)}`);
  }

  function newEventForm(x: Exchange): void {
    if (!x.user) return redirect(x.response, '/');
    sendHtml(x, 200, pages.addEventPage(x.user));
  }

  async function addEvent(x: Exchange): Promise<void> {
    if (!x.user) {
      x.request.resume();
      return unauthorized(x, 'Log in to add an event.');
    }
    const id = store.addEvent(readEvent(await readForm(x.request)), x.user.id);
    redirect(x.response, `/events/${id}`);
  }

  function staticAsset(x: Exchange): void {
    const file = staticFile(x.params[0] ?? '');
    if (!file) return notFound(x, `There is no static file ${x.params[0]}.`);
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
    const user = sessionId ? store.sessionUser(sessionId) : undefined;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
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

function decodedParam(x: Exchange, index: number): string {
  try {
    return decodeURIComponent(x.params[index] ?? '');
  } catch {
    throw new InvalidInputError('path', `${x.request.url} is not a valid URL path`);
  }
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
