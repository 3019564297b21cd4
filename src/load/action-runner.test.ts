// The action runner against a small real HTTP server (in-process, 127.0.0.1, port 0) whose pages
// exercise captures, caches, cookies, conditions and every kind of failure.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProfile, parseProfileDocument, Random, type Profile, type ProfileDocumentInput } from '../workloads/index.ts';
import { ActionRunner, type RequestTrace } from './action-runner.ts';
import { Http1Pool } from './http1-pool.ts';
import { now } from './clock.ts';
import { Population } from './population.ts';
import type { SimulatedUser } from './user.ts';

const PAGE = `<html><head><link href="/static/a.css" rel="stylesheet"><script src="/static/b.js"></script></head>
<body><img class="e" src="/images/events/1.jpg"><img class="e" src="/images/events/2.jpg">
<a href="/events/7">seven</a><a href="/events/9">nine</a></body></html>`;

interface Seen {
  method: string;
  path: string;
  cookie: string | undefined;
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = request.url ?? '';
      seen.push({ method: request.method ?? '', path, cookie: request.headers.cookie, body });
      if (path === '/page') {
        response.writeHead(200, { 'content-type': 'text/html', 'x-token': 't123' });
        response.end(PAGE);
      } else if (path === '/login' && request.method === 'POST') {
        response.writeHead(302, { location: '/', 'set-cookie': 'sid=abc; Path=/; HttpOnly' });
        response.end();
      } else if (path === '/private') {
        const allowed = request.headers.cookie?.includes('sid=abc') === true;
        response.writeHead(allowed ? 200 : 401);
        response.end(allowed ? 'hello member' : 'who are you');
      } else if (path === '/logout') {
        response.writeHead(302, { location: '/', 'set-cookie': 'sid=; Max-Age=0' });
        response.end();
      } else if (path === '/slow') {
        setTimeout(() => response.end('slow'), 300);
      } else if (path === '/hang') {
        // Never answers: the action's timeout must end it.
      } else if (path === '/cut') {
        response.writeHead(200, { 'content-length': '100' });
        response.write('0123456789');
        setTimeout(() => response.destroy(), 10);
      } else if (path === '/entities') {
        response.end('<link href="/static/c.css?t=wiki&amp;seed=1" rel="stylesheet">');
      } else if (path.startsWith('/static/') || path.startsWith('/images/') || path === '/') {
        response.end('x');
      } else {
        response.writeHead(404);
        response.end('not here');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A profile of the given actions (each a list of requests), any variables they need. */
function profileOf(actions: Record<string, ProfileDocumentInput['actions'][number]['requests']>, extra: Partial<ProfileDocumentInput> = {}): Profile {
  const names = Object.keys(actions);
  return compileProfile(
    parseProfileDocument({
      name: 'test',
      think: { mean: 1, distribution: 'fixed' },
      timeout: '5s',
      cache: { coldFraction: 1 },
      mix: Object.fromEntries(names.map((name) => [name, 1 / names.length])),
      actions: names.map((name) => ({ name, requests: actions[name] ?? [] })),
      ...extra,
    }),
  );
}

function harness(profile: Profile, seed = 1) {
  const pool = new Http1Pool(base, { connections: 4 });
  const runner = new ActionRunner(pool, profile);
  const population = new Population(profile, 2, new Random(seed));
  const run = (user: SimulatedUser, name: string) => {
    const action = profile.actions.find((candidate) => candidate.name === name);
    if (!action) throw new Error(`no action ${name}`);
    return runner.run(user, action);
  };
  return { pool, runner, population, run, users: population.users as [SimulatedUser, SimulatedUser] };
}

function requestsSince(mark: number): string[] {
  return seen.slice(mark).map((request) => `${request.method} ${request.path}`);
}

describe('Given a page with statics, event images and event links', () => {
  const profile = profileOf(
    {
      Home: [
        {
          path: '/page',
          capture: [
            { var: 'event', regex: 'href="/events/(\\d+)"', pick: 'random' },
            { var: 'lastEvent', regex: 'href="/events/(\\d+)"', pick: 'last' },
            { var: 'token', header: 'x-token' },
          ],
          resources: [
            { regex: '(?:href|src)="(/static/[^"]+)"', cache: 'static' },
            { regex: '<img[^>]*\\ssrc="(/images/events/[^"]+)"', cache: 'session' },
          ],
        },
      ],
      Logout: [{ path: '/logout', endSession: true }],
    },
    { vars: { event: '0' } },
  );

  it('When a cold-cache user visits twice, Then statics and images load once, and again after logout', async () => {
    const { pool, run, users } = harness(profile);
    const [user] = users;
    user.warmCache = false;
    let mark = seen.length;
    expect((await run(user, 'Home')).ok).toBe(true);
    expect(requestsSince(mark)).toEqual(['GET /page', 'GET /static/a.css', 'GET /static/b.js', 'GET /images/events/1.jpg', 'GET /images/events/2.jpg']);
    mark = seen.length;
    await run(user, 'Home');
    expect(requestsSince(mark)).toEqual(['GET /page']);
    await run(user, 'Logout');
    user.warmCache = false;
    mark = seen.length;
    await run(user, 'Home');
    expect(requestsSince(mark)).toEqual(['GET /page', 'GET /static/a.css', 'GET /static/b.js', 'GET /images/events/1.jpg', 'GET /images/events/2.jpg']);
    await pool.close();
  });

  it('When a warm-cache user visits, Then it skips statics but loads each event image once', async () => {
    const { pool, run, users } = harness(profile);
    const [, user] = users;
    user.warmCache = true;
    const mark = seen.length;
    await run(user, 'Home');
    await run(user, 'Home');
    expect(requestsSince(mark)).toEqual(['GET /page', 'GET /images/events/1.jpg', 'GET /images/events/2.jpg', 'GET /page']);
    await pool.close();
  });

  it('Then captures take a random match, the last match and a header', async () => {
    const { pool, run, users } = harness(profile, 5);
    const [user] = users;
    const picked = new Set<string | undefined>();
    for (let i = 0; i < 12; i += 1) {
      await run(user, 'Home');
      picked.add(user.variable('event'));
    }
    expect(picked).toEqual(new Set(['7', '9']));
    expect(user.variable('lastEvent')).toBe('9');
    expect(user.variable('token')).toBe('t123');
    await pool.close();
  });
});

describe('Given a login, a members-only page and a logout', () => {
  const profile = profileOf(
    {
      Login: [
        { method: 'POST', path: '/login', form: { user: 'u{{user}}' }, capture: [{ var: 'session', cookie: 'sid' }], set: { loggedIn: 'yes' } },
        { path: '/private', expect: { bodyMatches: 'member' } },
      ],
      Visit: [{ path: '/private', when: 'loggedIn' }],
      Logout: [{ path: '/logout', when: 'loggedIn', endSession: true }],
      Members: [{ path: '/private' }],
    },
    { sessionVars: ['loggedIn'] },
  );

  it('Then the session cookie is kept and sent, captured, and forgotten at logout', async () => {
    const { pool, run, users } = harness(profile);
    const [user] = users;
    let mark = seen.length;
    await run(user, 'Visit');
    expect(requestsSince(mark)).toEqual([]);
    const login = await run(user, 'Login');
    expect(login.ok).toBe(true);
    expect(seen.at(-2)?.body).toBe(`user=u${user.userNumber}`);
    expect(seen.at(-1)?.cookie).toBe('sid=abc');
    expect(user.variable('session')).toBe('abc');
    mark = seen.length;
    expect((await run(user, 'Visit')).ok).toBe(true);
    expect((await run(user, 'Logout')).ok).toBe(true);
    expect(requestsSince(mark)).toEqual(['GET /private', 'GET /logout']);
    expect(user.variable('loggedIn')).toBeUndefined();
    const members = await run(user, 'Members');
    expect(members.ok).toBe(false);
    expect(members.errorKind).toBe('status');
    expect(seen.at(-1)?.cookie).toBeUndefined();
    await pool.close();
  });
});

describe('Given requests that fail in each way', () => {
  const profile = profileOf({
    NotFound: [{ path: '/nowhere' }],
    WrongPage: [{ path: '/page', expect: { bodyMatches: 'Welcome back' } }],
    Hang: [{ path: '/hang' }],
    Cut: [{ path: '/cut' }],
    UntimedFirst: [{ path: '/slow', timed: false }, { path: '/page' }],
  });

  it('Then a 404 is a status error, a check that fails is a body error, a cut-off response a body error', async () => {
    const { pool, run, users } = harness(profile);
    const [user] = users;
    expect(await run(user, 'NotFound')).toMatchObject({ ok: false, errorKind: 'status' });
    const wrong = await run(user, 'WrongPage');
    expect(wrong).toMatchObject({ ok: false, errorKind: 'body' });
    expect(wrong.failure?.message).toContain('Welcome back');
    expect(await run(user, 'Cut')).toMatchObject({ ok: false, errorKind: 'body' });
    await pool.close();
  });

  it('Then a request past the action timeout is a timeout error, measured to when it was ended', async () => {
    const hanging = profileOf({ Hang: [{ path: '/hang' }] }, { timeout: '200ms' });
    const { pool, run, users, population } = harness(hanging);
    population.watch();
    const result = await run(users[0], 'Hang');
    population.unwatch();
    expect(result).toMatchObject({ ok: false, errorKind: 'timeout' });
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(199);
    await pool.destroy();
  });

  it('Then a refused connection is a connect error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const pool = new Http1Pool(`http://127.0.0.1:${port}`, { connections: 1 });
    const runner = new ActionRunner(pool, profile);
    const user = new Population(profile, 1, new Random(1)).users[0] as SimulatedUser;
    expect(await runner.run(user, profile.actions[0]!)).toMatchObject({ ok: false, errorKind: 'connect' });
    await pool.close();
  });

  it('Then an untimed request is made but left out of the response time', async () => {
    const { pool, run, users } = harness(profile);
    const begin = now();
    const result = await run(users[0], 'UntimedFirst');
    expect(result.ok).toBe(true);
    // The untimed request took about 300 ms (the server's timer), all before the timing started.
    expect(result.startedAt - begin).toBeGreaterThanOrEqual(250);
    await pool.close();
  });
});

describe('Given a request made 10 % of the time', () => {
  it('Then about a tenth of the runs make it', async () => {
    const profile = profileOf({ Maybe: [{ path: '/page' }, { path: '/', probability: 0.1 }] });
    const { pool, run, users } = harness(profile, 3);
    const mark = seen.length;
    for (let i = 0; i < 400; i += 1) await run(users[0], 'Maybe');
    const made = requestsSince(mark).filter((request) => request === 'GET /').length;
    // Binomial(400, 0.1): mean 40, sd 6; 4 sd either side.
    expect(made).toBeGreaterThan(16);
    expect(made).toBeLessThan(64);
    await pool.close();
  });
});

describe('Given a page whose static path holds &amp; (as DokuWiki writes css.php?t=...&amp;tseed=...)', () => {
  it('When a cold-cache user loads it, Then the path is requested as a browser reads the attribute', async () => {
    const { pool, run, users } = harness(profileOf({ Page: [{ path: '/entities', resources: [{ regex: 'href="(/static/[^"]+)"', cache: 'static' }] }] }));
    const [user] = users;
    user.warmCache = false;
    const mark = seen.length;
    expect((await run(user, 'Page')).ok).toBe(true);
    expect(requestsSince(mark)).toEqual(['GET /entities', 'GET /static/c.css?t=wiki&seed=1']);
    await pool.close();
  });
});

describe('Given a runner with a trace', () => {
  it('When an action succeeds and another fails a check, Then every request is told with its status, time and why it failed', async () => {
    const profile = profileOf({
      Home: [{ path: '/page', resources: [{ paths: ['/static/a.css'], cache: 'none' }] }],
      Members: [{ path: '/private', expect: { status: [200] } }],
    });
    const traces: RequestTrace[] = [];
    const pool = new Http1Pool(base, { connections: 2 });
    const runner = new ActionRunner(pool, profile, '', (trace) => traces.push(trace));
    const [user] = new Population(profile, 1, new Random(1)).users as [SimulatedUser];
    const [home, members] = profile.actions as [Profile['actions'][number], Profile['actions'][number]];
    expect((await runner.run(user, home)).ok).toBe(true);
    expect((await runner.run(user, members)).ok).toBe(false);
    expect(traces.map(({ action, method, path, status, failure }) => ({ action, method, path, status, failure }))).toEqual([
      { action: 'Home', method: 'GET', path: '/page', status: 200, failure: undefined },
      { action: 'Home', method: 'GET', path: '/static/a.css', status: 200, failure: undefined },
      { action: 'Members', method: 'GET', path: '/private', status: 401, failure: 'status: GET /private answered 401 (expected 200)' },
    ]);
    for (const trace of traces) expect(trace.ms).toBeGreaterThan(0);
    await pool.close();
  });

  it('When nothing answers, Then the request is told without a status, with the connect failure', async () => {
    const profile = profileOf({ Home: [{ path: '/page' }] });
    const traces: RequestTrace[] = [];
    // A port nobody listens on: the one of a server just closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const pool = new Http1Pool(`http://127.0.0.1:${port}`, { connections: 1 });
    const runner = new ActionRunner(pool, profile, '', (trace) => traces.push(trace));
    const [user] = new Population(profile, 1, new Random(1)).users as [SimulatedUser];
    expect((await runner.run(user, profile.actions[0] as Profile['actions'][number])).errorKind).toBe('connect');
    expect(traces).toHaveLength(1);
    expect(traces[0]?.status).toBeUndefined();
    expect(traces[0]?.failure).toMatch(/^connect: /);
    await pool.close();
  });
});
