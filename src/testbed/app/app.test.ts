// The reference application over real HTTP: each route of docs/reference-app.md, as the Olio
// profile drives it (cookies, forms, multipart uploads), against an app started on port 0.
import { Blob } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormData, request } from 'undici';
import { startReferenceApp, type ReferenceApp } from './index.ts';
import { encodeJpeg } from './jpeg.ts';
import { writePdf } from './pdf.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
}

/** A visitor with a cookie jar of one cookie: the session. */
class Visitor {
  private readonly base: string;
  private cookie: string | undefined;

  constructor(base: string) {
    this.base = base;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send('GET', path, undefined, headers);
  }

  postForm(path: string, fields: Record<string, string>): Promise<Reply> {
    return this.send('POST', path, new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  postMultipart(path: string, form: FormData): Promise<Reply> {
    return this.send('POST', path, form);
  }

  async logIn(username: string, password: string): Promise<Reply> {
    return this.postForm('/login', { username, password });
  }

  async send(method: string, path: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await request(`${this.base}${path}`, {
      method: method as 'GET',
      body,
      headers: { ...headers, ...(this.cookie ? { cookie: this.cookie } : {}) },
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const setCookie = response.headers['set-cookie'];
    const line = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (line) {
      const pair = line.split(';')[0] ?? '';
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    return { status: response.statusCode, headers: response.headers, text: bytes.toString('utf8'), bytes };
  }
}

const SCALE = 50;
const SEED = 7;

function staticsOf(page: string): string[] {
  return [...page.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((match) => match[1] ?? '');
}

function eventIdsOf(page: string): number[] {
  return [...new Set([...page.matchAll(/href="\/events\/(\d+)"/g)].map((match) => Number(match[1])))];
}

function personForm(username: string, overrides: Record<string, string | null> = {}, image?: Blob): FormData {
  const fields: Record<string, string> = {
    username,
    password: 'secret-1',
    password2: 'secret-1',
    firstname: 'Grace',
    lastname: 'Hopper',
    email: 'grace@example.org',
    telephone: '+1 555 000 1111',
    summary: 'Writes compilers.',
    timezone: 'America/New_York',
    street1: '1 Navy Way',
    city: 'Arlington',
    state: 'VA',
    zip: '22201',
    country: 'USA',
  };
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...fields, ...overrides })) if (value !== null) form.append(name, value);
  if (image) form.append('user_image', image, 'me.jpg');
  return form;
}

function eventForm(overrides: Record<string, string | null> = {}, files: { image?: Blob; document?: Blob } = {}): FormData {
  const fields: Record<string, string> = {
    title: 'Compiler Night',
    summary: 'Bring a grammar.',
    description: 'We write a parser together.',
    month: '3',
    day: '14',
    year: '2031',
    hour: '19',
    minute: '30',
    telephone: '+1 555 123 4567',
    timezone: 'Europe/Paris',
    street1: '2 Rue du Code',
    city: 'Lyon',
    state: 'ARA',
    zip: '69001',
    country: 'France',
    tags: 'compilers tag1',
  };
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...fields, ...overrides })) if (value !== null) form.append(name, value);
  if (files.image) form.append('event_image', files.image, 'poster.jpg');
  if (files.document) form.append('event_document', files.document, 'brochure.pdf');
  return form;
}

const uploadedPicture = encodeJpeg({ width: 64, height: 48, blockColour: (bx) => [bx * 30, 90, 160], padToBytes: 3_000 });
const uploadedPdf = writePdf('Compiler Night brochure', ['Line one', 'Line two']);

describe('Given a reference app seeded at scale 50', () => {
  let app: ReferenceApp;
  let visitor: Visitor;

  beforeAll(async () => {
    app = await startReferenceApp({ scale: SCALE, seed: SEED });
  });
  afterAll(async () => {
    await app.close();
  });
  const fresh = () => (visitor = new Visitor(app.url));

  describe('When a visitor opens the home page', () => {
    it('then it is HTML with up to 10 upcoming events, about 20 statics and a login form, kept alive', async () => {
      const home = await fresh().get('/');
      expect(home.status).toBe(200);
      expect(home.headers['content-type']).toMatch(/^text\/html/);
      expect(home.headers['keep-alive']).toMatch(/timeout=\d+/);
      expect(eventIdsOf(home.text)).toHaveLength(10);
      expect(home.text).toMatch(/<img src="\/images\/events\/\d+\.jpg"/);
      expect(staticsOf(home.text)).toHaveLength(20);
      expect(home.text).toContain('class="login-form"');
      expect(home.text).not.toContain('href="/logout"');
    });

    it('then every static it lists is served with long-lived cache headers and revalidates to 304', async () => {
      const home = await fresh().get('/');
      for (const path of staticsOf(home.text)) {
        const file = await visitor.get(path);
        expect(file.status, path).toBe(200);
        expect(file.headers['cache-control'], path).toMatch(/max-age=31536000/);
        expect(file.bytes.length, path).toBeGreaterThan(500);
        expect(file.bytes.length, path).toBeLessThan(100_000);
        const type = path.endsWith('.css') ? /^text\/css/ : path.endsWith('.js') ? /^text\/javascript/ : /^image\/jpeg/;
        expect(file.headers['content-type'], path).toMatch(type);
        const again = await visitor.get(path, { 'if-none-match': String(file.headers.etag) });
        expect(again.status, path).toBe(304);
      }
    });

    it('then the event pictures are JPEGs', async () => {
      const home = await fresh().get('/');
      const picture = await visitor.get(`/images/events/${eventIdsOf(home.text)[0]}.jpg`);
      expect(picture.status).toBe(200);
      expect(picture.headers['content-type']).toBe('image/jpeg');
      expect(picture.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    });
  });

  describe('When a visitor asks for something that is not there', () => {
    it.each(['/nowhere', '/static/nothing.css', '/events/999999', '/events/abc', '/people/nobody', '/images/events/999999.jpg', '/images/people/nobody.jpg', '/events/999999/literature.pdf'])(
      'then %s is 404',
      async (path) => {
        expect((await fresh().get(path)).status).toBe(404);
      },
    );

    it('then a known path with the wrong method is 405 and says which methods it answers', async () => {
      const reply = await fresh().send('DELETE', '/');
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    });
  });

  describe('When the health probe asks', () => {
    it('then it answers 200 ok', async () => {
      const reply = await fresh().get('/healthz');
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('ok');
    });
  });

  describe('When a user logs in with the right password', () => {
    it('then a 302 to / sets the msid cookie and the home page greets them with a logout link', async () => {
      const login = await fresh().logIn('user3', 'password3');
      expect(login.status).toBe(302);
      expect(login.headers.location).toBe('/');
      expect(String(login.headers['set-cookie'])).toMatch(/^msid=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
      const home = await visitor.get('/');
      expect(home.text).not.toContain('class="login-form"');
      expect(home.text).toContain('href="/logout"');
      expect(home.text).toContain('href="/people/user3"');
    });

    it('then logging out redirects home, clears the cookie and ends only that session', async () => {
      await fresh().logIn('user4', 'password4');
      const other = new Visitor(app.url);
      expect((await other.logIn('user4', 'password4')).status).toBe(302);
      const logout = await other.get('/logout');
      expect(logout.status).toBe(302);
      expect(logout.headers.location).toBe('/');
      expect(String(logout.headers['set-cookie'])).toMatch(/^msid=; .*Max-Age=0/);
      expect((await other.get('/')).text).toContain('class="login-form"');
      expect((await visitor.get('/')).text).toContain('href="/logout"');
    });

    it('then a session id that was logged out no longer logs anyone in', async () => {
      const login = await fresh().logIn('user5', 'password5');
      const pair = String(login.headers['set-cookie']).split(';')[0] ?? '';
      await visitor.get('/logout');
      const replay = await request(`${app.url}/`, { headers: { cookie: pair } });
      expect(await replay.body.text()).toContain('class="login-form"');
    });
  });

  describe('When a user logs in with a wrong password', () => {
    it('then the page is 200 with the login form marked login-error and no cookie', async () => {
      const reply = await fresh().logIn('user3', 'password4');
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('class="login-error"');
      expect(reply.text).toContain('class="login-form"');
      expect(reply.headers['set-cookie']).toBeUndefined();
    });

    it('then an unknown user fails the same way', async () => {
      const reply = await fresh().logIn('nobody', 'password1');
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('class="login-error"');
    });

    it('then a login without a password is 400 naming the field', async () => {
      const reply = await fresh().postForm('/login', { username: 'user3' });
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="password"');
    });

    it('then a login that is not a form is 400 naming the content type', async () => {
      const reply = await fresh().send('POST', '/login', '{"username":"user3"}', { 'content-type': 'application/json' });
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="content-type"');
    });
  });

  describe('When a visitor searches a tag', () => {
    it('then POST and GET list the same events, each of which carries the tag', async () => {
      const posted = await fresh().postForm('/tagsearch', { tag: 'tag1' });
      expect(posted.status).toBe(200);
      const ids = eventIdsOf(posted.text);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThanOrEqual(25);
      const got = await visitor.get('/tagsearch?tag=tag1');
      expect(eventIdsOf(got.text)).toEqual(ids);
      for (const id of ids.slice(0, 5)) {
        expect((await visitor.get(`/events/${id}`)).text).toContain('href="/tagsearch?tag=tag1"');
      }
    });

    it('then the count says how many, and page 2 continues where page 1 stopped', async () => {
      const first = await fresh().get('/tagsearch?tag=tag1');
      const total = Number(/(\d+) events<\/p>/.exec(first.text)?.[1]);
      expect(total).toBeGreaterThan(25);
      const second = await visitor.get('/tagsearch?tag=tag1&page=2');
      const overlap = eventIdsOf(second.text).filter((id) => eventIdsOf(first.text).includes(id));
      expect(eventIdsOf(second.text).length).toBeGreaterThan(0);
      expect(overlap).toEqual([]);
    });

    it('then a tag nobody used lists no events', async () => {
      const reply = await fresh().get('/tagsearch?tag=no-such-tag');
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('0 events');
      expect(eventIdsOf(reply.text)).toEqual([]);
    });

    it('then an empty tag or a bad page is 400 naming the field', async () => {
      const empty = await fresh().postForm('/tagsearch', { tag: ' ' });
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('data-field="tag"');
      const page = await visitor.get('/tagsearch?tag=tag1&page=zero');
      expect(page.status).toBe(400);
      expect(page.text).toContain('data-field="page"');
    });

    it('then GET without a tag shows the search form and the tag cloud', async () => {
      const reply = await fresh().get('/tagsearch');
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('action="/tagsearch"');
      expect(reply.text).toContain('href="/tagsearch?tag=tag1"');
    });
  });

  describe('When a visitor opens an event', () => {
    it('then it shows the event, its picture, its literature PDF and its attendees, without an attend form', async () => {
      const id = eventIdsOf((await fresh().get('/')).text)[0];
      const page = await visitor.get(`/events/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`src="/images/events/${id}.jpg"`);
      expect(page.text).toContain(`href="/events/${id}/literature.pdf"`);
      expect(page.text).toMatch(/class="address">[^<]+/);
      expect(page.text).toMatch(/class="attendee-count">\d+</);
      expect(page.text).not.toContain('class="attend-form"');
      const pdf = await visitor.get(`/events/${id}/literature.pdf`);
      expect(pdf.status).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.text.startsWith('%PDF-')).toBe(true);
    });
  });

  describe('When a logged-in user attends an event', () => {
    it('then the form posts back to the event, which lists them and no longer offers the form', async () => {
      await fresh().logIn('user9', 'password9');
      let target: { id: number; count: number } | undefined;
      for (const id of eventIdsOf((await visitor.get('/tagsearch?tag=tag2')).text)) {
        const page = await visitor.get(`/events/${id}`);
        if (page.text.includes('class="attend-form"')) {
          target = { id, count: Number(/class="attendee-count">(\d+)</.exec(page.text)?.[1]) };
          break;
        }
      }
      if (!target) throw new Error('no event offered user9 the attend form');
      const posted = await visitor.send('POST', `/events/${target.id}/attend`);
      expect(posted.status).toBe(302);
      expect(posted.headers.location).toBe(`/events/${target.id}`);
      const after = await visitor.get(`/events/${target.id}`);
      expect(after.text).not.toContain('class="attend-form"');
      expect(after.text).toContain('class="attending"');
      expect(after.text).toContain(`class="attendee-count">${target.count + 1}<`);
      expect(after.text).toContain('href="/people/user9"');
      expect((await visitor.get('/people/user9')).text).toContain(`href="/events/${target.id}"`);
    });

    it('then a visitor who is not logged in is refused with 401', async () => {
      expect((await fresh().send('POST', '/events/1/attend')).status).toBe(401);
    });
  });

  describe('When a visitor opens a person', () => {
    it('then it shows their profile, picture, events and friends', async () => {
      const page = await fresh().get('/people/user1');
      expect(page.status).toBe(200);
      expect(page.text).toContain('class="username">user1<');
      expect(page.text).toContain('src="/images/people/user1.jpg"');
      const picture = await visitor.get('/images/people/user1.jpg');
      expect(picture.status).toBe(200);
      expect(picture.headers['content-type']).toBe('image/jpeg');
    });
  });

  describe('When a visitor signs up (AddPerson)', () => {
    it('then the form lists about 33 statics and every field of the contract', async () => {
      const form = await fresh().get('/people/new');
      expect(form.status).toBe(200);
      expect(staticsOf(form.text)).toHaveLength(33);
      for (const field of ['username', 'password', 'password2', 'firstname', 'lastname', 'email', 'telephone', 'summary', 'timezone', 'street1', 'city', 'state', 'zip', 'country', 'user_image']) {
        expect(form.text, field).toContain(`name="${field}"`);
      }
    });

    it('then posting the form with a picture creates them: their page, their picture, their login', async () => {
      const image = new Blob([uploadedPicture], { type: 'image/jpeg' });
      const posted = await fresh().postMultipart('/people', personForm('grace', {}, image));
      expect(posted.status).toBe(302);
      expect(posted.headers.location).toBe('/people/grace');
      const page = await visitor.get('/people/grace');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Grace Hopper');
      expect((await visitor.get('/images/people/grace.jpg')).bytes).toEqual(uploadedPicture);
      expect((await visitor.logIn('grace', 'secret-1')).status).toBe(302);
    });

    it('then a taken username is 400 naming username', async () => {
      const reply = await fresh().postMultipart('/people', personForm('user1'));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="username"');
    });

    it.each([
      ['email', { email: null }],
      ['email', { email: 'not-an-address' }],
      ['password2', { password2: 'other' }],
      ['username', { username: 'has space' }],
      ['country', { country: '   ' }],
    ])('then a bad or missing field is 400 naming it (%s)', async (field, overrides) => {
      const reply = await fresh().postMultipart('/people', personForm('ada', overrides));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain(`data-field="${field}"`);
      expect((await visitor.get('/people/ada')).status).toBe(404);
    });

    it('then a picture that is not an image is 400 naming user_image', async () => {
      const text = new Blob(['hello'], { type: 'text/plain' });
      const reply = await fresh().postMultipart('/people', personForm('alan', {}, text));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="user_image"');
    });
  });

  describe('When a user adds an event (AddEvent)', () => {
    it('then a visitor who is not logged in is sent home from the form and refused the post with 401', async () => {
      const form = await fresh().get('/events/new');
      expect(form.status).toBe(302);
      expect(form.headers.location).toBe('/');
      expect((await visitor.postMultipart('/events', eventForm())).status).toBe(401);
    });

    it('then the form lists about 33 statics and every field of the contract', async () => {
      await fresh().logIn('user2', 'password2');
      const form = await visitor.get('/events/new');
      expect(form.status).toBe(200);
      expect(staticsOf(form.text)).toHaveLength(33);
      for (const field of ['title', 'summary', 'description', 'month', 'day', 'year', 'hour', 'minute', 'telephone', 'timezone', 'street1', 'city', 'state', 'zip', 'country', 'tags', 'event_image', 'event_document']) {
        expect(form.text, field).toContain(`name="${field}"`);
      }
    });

    it('then posting it with a picture and a PDF creates it: its page, its uploads, its tags', async () => {
      await fresh().logIn('user2', 'password2');
      const files = {
        image: new Blob([uploadedPicture], { type: 'image/jpeg' }),
        document: new Blob([uploadedPdf], { type: 'application/pdf' }),
      };
      const posted = await visitor.postMultipart('/events', eventForm({}, files));
      expect(posted.status).toBe(302);
      const id = Number(/^\/events\/(\d+)$/.exec(String(posted.headers.location))?.[1]);
      expect(id).toBeGreaterThan(100);
      const page = await visitor.get(`/events/${id}`);
      expect(page.text).toContain('Compiler Night');
      expect(page.text).toContain('2031-03-14 19:30 (Europe/Paris)');
      expect(page.text).toContain('href="/people/user2"');
      expect(page.text).toContain('href="/tagsearch?tag=compilers"');
      expect((await visitor.get(`/images/events/${id}.jpg`)).bytes).toEqual(uploadedPicture);
      expect((await visitor.get(`/events/${id}/literature.pdf`)).bytes).toEqual(uploadedPdf);
      expect(eventIdsOf((await visitor.postForm('/tagsearch', { tag: 'compilers' })).text)).toEqual([id]);
      expect(eventIdsOf((await visitor.get('/tagsearch?tag=tag1&page=1')).text).length).toBeGreaterThan(0);
    });

    it.each([
      ['day', { month: '2', day: '30' }],
      ['hour', { hour: '24' }],
      ['title', { title: null }],
      ['tags', { tags: 'fine b@d' }],
      ['year', { year: 'next' }],
    ])('then a bad or missing field is 400 naming it (%s)', async (field, overrides) => {
      await fresh().logIn('user2', 'password2');
      const reply = await visitor.postMultipart('/events', eventForm(overrides));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain(`data-field="${field}"`);
      // The error page still knows who is logged in.
      expect(reply.text).toContain('href="/logout"');
    });

    it('then a literature file that is not a PDF is 400 naming event_document', async () => {
      await fresh().logIn('user2', 'password2');
      const reply = await visitor.postMultipart('/events', eventForm({}, { document: new Blob(['plain'], { type: 'text/plain' }) }));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="event_document"');
    });
  });

  describe('When what users typed contains markup', () => {
    it('then people and event pages show it as text, never as markup', async () => {
      const image = new Blob([uploadedPicture], { type: 'image/jpeg' });
      const markup = { firstname: '<script>alert(1)</script>', summary: `"quoted" & 'single' <b>bold</b>` };
      expect((await fresh().postMultipart('/people', personForm('mallory', markup, image))).status).toBe(302);
      const person = (await visitor.get('/people/mallory')).text;
      expect(person).not.toContain('<script>alert(1)</script>');
      expect(person).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(person).toContain('&quot;quoted&quot; &amp; &#39;single&#39; &lt;b&gt;bold&lt;/b&gt;');

      await visitor.logIn('mallory', 'secret-1');
      expect((await visitor.get('/')).text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Hopper');
      const posted = await visitor.postMultipart('/events', eventForm({ title: '<img src=x onerror=alert(1)>', tags: 'xss' }));
      const event = (await visitor.get(String(posted.headers.location))).text;
      expect(event).not.toContain('<img src=x');
      expect(event).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('then a searched tag is echoed escaped', async () => {
      const reply = await fresh().get(`/tagsearch?tag=${encodeURIComponent('"><script>x</script>')}`);
      expect(reply.status).toBe(200);
      expect(reply.text).not.toContain('<script>x</script>');
      expect(reply.text).toContain('&quot;&gt;&lt;script&gt;x&lt;/script&gt;');
    });
  });
});

describe('Given two apps started with the same seed and scale', () => {
  let first: ReferenceApp;
  let second: ReferenceApp;
  let other: ReferenceApp;

  beforeAll(async () => {
    [first, second, other] = await Promise.all([
      startReferenceApp({ scale: 30, seed: 11 }),
      startReferenceApp({ scale: 30, seed: 11 }),
      startReferenceApp({ scale: 30, seed: 12 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close(), other.close()]);
  });

  describe('When the same pages are fetched from both', () => {
    it.each(['/', '/events/1', '/events/77', '/people/user5', '/tagsearch?tag=tag3', '/images/events/5.jpg', '/images/people/user2.jpg', '/events/3/literature.pdf'])(
      'then %s is byte for byte the same',
      async (path) => {
        const [a, b] = await Promise.all([new Visitor(first.url).get(path), new Visitor(second.url).get(path)]);
        expect(a.status).toBe(200);
        expect(a.bytes.equals(b.bytes)).toBe(true);
      },
    );

    it('then an app with another seed shows another site', async () => {
      const [a, c] = await Promise.all([new Visitor(first.url).get('/'), new Visitor(other.url).get('/')]);
      expect(a.text).not.toEqual(c.text);
    });
  });
});
