// The reference application over real HTTP: each route of docs/reference-app.md (Olio's PHP URLs),
// as the Olio profile drives it (cookies, forms, multipart uploads), against an app started on port 0.
import { Blob } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormData, request } from 'undici';
import { OLIO_PAGE_STATICS } from '../../workloads/olio-statics.ts';
import { startReferenceApp, startReferenceDatabase, type ReferenceApp } from './index.ts';
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
    return this.postForm('/login.php', { user_name: username, password, submit: 'Login' });
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
  return [...page.matchAll(/(?:href|src)="(\/(?:js|css|images)\/[^"]+)"/g)].map((match) => match[1] ?? '');
}

/** The event ids the driver's randomEvent would find on a page. */
function eventIdsOf(page: string): number[] {
  return [...new Set([...page.matchAll(/<a href="events\.php\?socialEventID=(\d+)"/g)].map((match) => Number(match[1])))];
}

/** The pictures the driver's parseImages would load: <img ... src="fileService...".../> */
function fileServiceImagesOf(page: string): string[] {
  return [...page.matchAll(/<img [^>]*?src="(fileService\.[^"]+)"[^>]*\/>/g)].map((match) => match[1] ?? '');
}

function personForm(username: string, overrides: Record<string, string | null> = {}, image?: Blob): FormData {
  const fields: Record<string, string> = {
    add_user_name: username,
    psword: 'secret-1',
    passwordx: 'secret-1',
    first_name: 'Grace',
    last_name: 'Hopper',
    email: 'grace@example.org',
    telephone: '+1 555 000 1111',
    summary: 'Writes compilers.',
    timezone: 'America/New_York',
    street1: '1 Navy Way',
    street2: 'Building 5',
    city: 'Arlington',
    state: 'VA',
    zip: '22201',
    country: 'USA',
  };
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...fields, ...overrides })) if (value !== null) form.append(name, value);
  form.append('addpersonsubmit', 'Create');
  if (image) form.append('user_image', image, 'person.jpg');
  return form;
}

function eventForm(overrides: Record<string, string | null> = {}, files: { image?: Blob; document?: Blob } = {}): FormData {
  const fields: Record<string, string> = {
    title: 'Compiler Night',
    description: 'We write a parser together.',
    month: '3',
    day: '14',
    year: '2031',
    hour: '19',
    minute: '30',
    telephone: '+1 555 123 4567',
    timezone: 'Europe/Paris',
    street1: '2 Rue du Code',
    street2: 'Floor 3',
    city: 'Lyon',
    state: 'ARA',
    zip: '69001',
    country: 'France',
    tags: 'compilers tag1',
    submitter_user_name: 'user2',
    addeventsubmit: 'Create',
  };
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...fields, ...overrides })) if (value !== null) form.append(name, value);
  if (files.image) form.append('upload_image', files.image, 'event.jpg');
  if (files.document) form.append('upload_literature', files.document, 'event.pdf');
  return form;
}

const uploadedPicture = encodeJpeg({ width: 64, height: 48, blockColour: (bx) => [bx * 30, 90, 160], padToBytes: 3_000 });
const uploadedPdf = writePdf('Compiler Night brochure', ['Line one', 'Line two']);

/** The app with its data in its own process, or behind it in a database guest reached over TCP. */
async function appWithDatabaseGuest(options: { scale: number; seed: number }): Promise<ReferenceApp> {
  const database = await startReferenceDatabase(options);
  const app = await startReferenceApp({ database, seed: options.seed });
  return {
    ...app,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

describe.each([
  ['its data in the same process', startReferenceApp],
  ['its data in a database guest over TCP', appWithDatabaseGuest],
])('Given a reference app seeded at scale 50, %s', (_, start) => {
  let app: ReferenceApp;
  let visitor: Visitor;

  beforeAll(async () => {
    app = await start({ scale: SCALE, seed: SEED });
  });
  afterAll(async () => {
    await app.close();
  });
  const fresh = () => (visitor = new Visitor(app.url));

  describe('When a visitor opens the home page', () => {
    it("then it is HTML with up to 10 upcoming events, Olio's 20 home statics and the login prompt, kept alive", async () => {
      const home = await fresh().get('/index.php');
      expect(home.status).toBe(200);
      expect(home.headers['content-type']).toMatch(/^text\/html/);
      expect(home.headers['keep-alive']).toMatch(/timeout=\d+/);
      expect(eventIdsOf(home.text)).toHaveLength(10);
      expect(fileServiceImagesOf(home.text)).toHaveLength(10);
      expect(fileServiceImagesOf(home.text)[0]).toMatch(/^fileService\.php\?file=e\d+t\.jpg$/);
      expect(staticsOf(home.text).sort()).toEqual([...OLIO_PAGE_STATICS.home].sort());
      expect(home.text).toContain('action="login.php"');
      expect(home.text).toContain('Username');
      expect(home.text).not.toContain('href="logout.php"');
      expect((await visitor.get('/')).text).toEqual(home.text);
    });

    it('then every static it lists is served with long-lived cache headers and revalidates to 304', async () => {
      const home = await fresh().get('/index.php');
      for (const path of staticsOf(home.text)) {
        const file = await visitor.get(path);
        expect(file.status, path).toBe(200);
        expect(file.headers['cache-control'], path).toMatch(/max-age=31536000/);
        expect(file.bytes.length, path).toBeGreaterThan(500);
        expect(file.bytes.length, path).toBeLessThan(200_000);
        const type = path.endsWith('.css') ? /^text\/css/ : path.endsWith('.js') ? /^text\/javascript/ : path.endsWith('.gif') ? /^image\/gif/ : /^image\/png/;
        expect(file.headers['content-type'], path).toMatch(type);
        const again = await visitor.get(path, { 'if-none-match': String(file.headers.etag) });
        expect(again.status, path).toBe(304);
      }
    });

    it('then the event pictures are JPEGs', async () => {
      const home = await fresh().get('/index.php');
      const picture = await visitor.get(`/${fileServiceImagesOf(home.text)[0]}`);
      expect(picture.status).toBe(200);
      expect(picture.headers['content-type']).toBe('image/jpeg');
      expect(picture.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    });
  });

  describe('When a visitor asks for something that is not there', () => {
    it.each(['/nowhere', '/css/nothing.css', '/events.php?socialEventID=999999', '/users.php?username=nobody', '/fileService.php?file=e999999t.jpg', '/fileService.php?file=p999999.jpg', '/fileService.php?file=e999999l.pdf', '/fileService.php?file=../etc/passwd'])(
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
    it('then a 302 to index.php sets the msid cookie and the home page no longer shows the login prompt', async () => {
      const login = await fresh().logIn('user3', '3');
      expect(login.status).toBe(302);
      expect(login.headers.location).toBe('/index.php?flag=authenticated');
      expect(String(login.headers['set-cookie'])).toMatch(/^msid=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
      const home = await visitor.get('/index.php');
      expect(home.text).not.toContain('Username');
      expect(home.text).toContain('href="logout.php"');
      expect(home.text).toContain('href="users.php?username=user3"');
    });

    it('then logging out redirects home, clears the cookie and ends only that session', async () => {
      await fresh().logIn('user4', '4');
      const other = new Visitor(app.url);
      expect((await other.logIn('user4', '4')).headers['set-cookie']).toBeDefined();
      const logout = await other.get('/logout.php');
      expect(logout.status).toBe(302);
      expect(logout.headers.location).toBe('/index.php');
      expect(String(logout.headers['set-cookie'])).toMatch(/^msid=; .*Max-Age=0/);
      expect((await other.get('/index.php')).text).toContain('Username');
      expect((await visitor.get('/index.php')).text).toContain('href="logout.php"');
    });

    it('then a session id that was logged out no longer logs anyone in', async () => {
      const login = await fresh().logIn('user5', '5');
      const pair = String(login.headers['set-cookie']).split(';')[0] ?? '';
      await visitor.get('/logout.php');
      const replay = await request(`${app.url}/index.php`, { headers: { cookie: pair } });
      expect(await replay.body.text()).toContain('Username');
    });
  });

  describe('When a user logs in with a wrong password', () => {
    it("then, as Olio's login.php, it is sent home without a cookie, where the login prompt still is", async () => {
      const reply = await fresh().logIn('user3', '4');
      expect(reply.status).toBe(302);
      expect(reply.headers.location).toBe('/index.php');
      expect(reply.headers['set-cookie']).toBeUndefined();
      expect((await visitor.get('/index.php')).text).toContain('Username');
    });

    it('then an unknown user fails the same way', async () => {
      const reply = await fresh().logIn('nobody', '1');
      expect(reply.status).toBe(302);
      expect(reply.headers['set-cookie']).toBeUndefined();
    });

    it('then a login without a password is 400 naming the field', async () => {
      const reply = await fresh().postForm('/login.php', { user_name: 'user3', submit: 'Login' });
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="password"');
    });

    it('then a login that is not a form is 400 naming the content type', async () => {
      const reply = await fresh().send('POST', '/login.php', '{"user_name":"user3"}', { 'content-type': 'application/json' });
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="content-type"');
    });
  });

  describe('When a visitor searches a tag', () => {
    it('then POST and GET list the same events, each of which carries the tag', async () => {
      const posted = await fresh().postForm('/taggedEvents.php', { tag: 'tag1', tagsearchsubmit: 'Search Tags' });
      expect(posted.status).toBe(200);
      const ids = eventIdsOf(posted.text);
      expect(ids).toHaveLength(10);
      expect(fileServiceImagesOf(posted.text)).toHaveLength(10);
      expect(staticsOf(posted.text).sort()).toEqual([...OLIO_PAGE_STATICS.tagSearch].sort());
      const got = await visitor.get('/taggedEvents.php?tag=tag1&count=120');
      expect(eventIdsOf(got.text)).toEqual(ids);
      for (const id of ids.slice(0, 5)) {
        expect((await visitor.get(`/events.php?socialEventID=${id}`)).text).toContain('href="taggedEvents.php?tag=tag1"');
      }
    });

    it('then the count says how many, and page 2 continues where page 1 stopped', async () => {
      const first = await fresh().get('/taggedEvents.php?tag=tag1');
      const total = Number(/(\d+) events<\/p>/.exec(first.text)?.[1]);
      expect(total).toBeGreaterThan(10);
      const second = await visitor.get('/taggedEvents.php?tag=tag1&page=2');
      const overlap = eventIdsOf(second.text).filter((id) => eventIdsOf(first.text).includes(id));
      expect(eventIdsOf(second.text).length).toBeGreaterThan(0);
      expect(overlap).toEqual([]);
    });

    it('then a tag nobody used lists no events', async () => {
      const reply = await fresh().get('/taggedEvents.php?tag=no-such-tag');
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('0 events');
      expect(eventIdsOf(reply.text)).toEqual([]);
    });

    it('then an empty tag or a bad page is 400 naming the field', async () => {
      const empty = await fresh().postForm('/taggedEvents.php', { tag: ' ' });
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('data-field="tag"');
      const page = await visitor.get('/taggedEvents.php?tag=tag1&page=zero');
      expect(page.status).toBe(400);
      expect(page.text).toContain('data-field="page"');
    });

    it('then GET without a tag shows the search form and the tag cloud', async () => {
      const reply = await fresh().get('/taggedEvents.php');
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('action="taggedEvents.php"');
      expect(reply.text).toContain('href="taggedEvents.php?tag=tag1"');
    });
  });

  describe('When a visitor opens an event', () => {
    it('then it shows the event, its picture, its literature PDF and its attendees, without an Attend link', async () => {
      const id = eventIdsOf((await fresh().get('/index.php')).text)[0];
      const page = await visitor.get(`/events.php?socialEventID=${id}`);
      expect(page.status).toBe(200);
      expect(fileServiceImagesOf(page.text)).toEqual([`fileService.php?file=e${id}.jpg`]);
      expect(staticsOf(page.text).sort()).toEqual([...OLIO_PAGE_STATICS.eventDetail].sort());
      expect(page.text).toContain(`href="fileService.php?file=e${id}l.pdf"`);
      expect(page.text).toMatch(/class="address">[^<]+/);
      expect(page.text).toMatch(/class="attendee-count">\d+<\/span> Attendees:/);
      expect(page.text).not.toContain('href="addAttendee.php');
      const pdf = await visitor.get(`/fileService.php?file=e${id}l.pdf`);
      expect(pdf.status).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.text.startsWith('%PDF-')).toBe(true);
    });
  });

  describe('When a logged-in user attends an event', () => {
    it('then addAttendee.php adds them once and answers the attendee block; the event lists them and no longer offers the link', async () => {
      await fresh().logIn('user9', '9');
      let target: { id: number; count: number } | undefined;
      for (const id of eventIdsOf((await visitor.get('/taggedEvents.php?tag=tag2')).text)) {
        const page = await visitor.get(`/events.php?socialEventID=${id}`);
        if (page.text.includes(`href="addAttendee.php?id=${id}"`)) {
          target = { id, count: Number(/class="attendee-count">(\d+)</.exec(page.text)?.[1]) };
          break;
        }
      }
      if (!target) throw new Error('no event offered user9 the Attend link');
      const added = await visitor.get(`/addAttendee.php?id=${target.id}`);
      expect(added.status).toBe(200);
      expect(added.text).toContain(`class="attendee-count">${target.count + 1}<`);
      expect((await visitor.get(`/addAttendee.php?id=${target.id}`)).text).toContain(`class="attendee-count">${target.count + 1}<`);
      const after = await visitor.get(`/events.php?socialEventID=${target.id}`);
      expect(after.text).not.toContain('href="addAttendee.php');
      expect(after.text).toContain('class="attending"');
      expect(after.text).toContain(`class="attendee-count">${target.count + 1}<`);
      expect(after.text).toContain('href="users.php?username=user9"');
      expect((await visitor.get('/users.php?username=user9')).text).toContain(`href="events.php?socialEventID=${target.id}"`);
    });

    it('then a visitor who is not logged in is refused with 401, and a bad id is 400 naming it', async () => {
      expect((await fresh().get('/addAttendee.php?id=1')).status).toBe(401);
      const bad = await fresh().get('/events.php?socialEventID=abc');
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('data-field="socialEventID"');
    });
  });

  describe('When a visitor opens a person', () => {
    it('then it shows their profile, picture, events and friends', async () => {
      const page = await fresh().get('/users.php?username=user1');
      expect(page.status).toBe(200);
      expect(page.text).toContain('class="username">user1<');
      expect(page.text).toContain('src="fileService.php?file=p1.jpg"');
      expect(staticsOf(page.text).sort()).toEqual([...OLIO_PAGE_STATICS.person].sort());
      const picture = await visitor.get('/fileService.php?file=p1.jpg');
      expect(picture.status).toBe(200);
      expect(picture.headers['content-type']).toBe('image/jpeg');
    });
  });

  describe('When a visitor signs up (AddPerson)', () => {
    it("then the form lists Olio's 33 statics and every field of the contract", async () => {
      const form = await fresh().get('/addPerson.php');
      expect(form.status).toBe(200);
      expect(staticsOf(form.text).sort()).toEqual([...OLIO_PAGE_STATICS.addPerson].sort());
      for (const field of ['add_user_name', 'psword', 'passwordx', 'first_name', 'last_name', 'email', 'telephone', 'summary', 'timezone', 'street1', 'street2', 'city', 'state', 'zip', 'country', 'user_image', 'addpersonsubmit']) {
        expect(form.text, field).toContain(`name="${field}"`);
      }
    });

    it('then posting the form with a picture creates them: their page, their picture, their login', async () => {
      const image = new Blob([uploadedPicture], { type: 'image/jpeg' });
      const posted = await fresh().postMultipart('/addPersonResult.php', personForm('grace', {}, image));
      expect(posted.status).toBe(302);
      expect(posted.headers.location).toBe('/users.php?username=grace');
      const page = await visitor.get('/users.php?username=grace');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Grace Hopper');
      const picture = /src="(fileService\.php\?file=p\d+\.jpg)"/.exec(page.text)?.[1];
      expect((await visitor.get(`/${picture}`)).bytes).toEqual(uploadedPicture);
      expect((await visitor.logIn('grace', 'secret-1')).headers['set-cookie']).toBeDefined();
    });

    it('then a taken user name is 400 naming add_user_name', async () => {
      const reply = await fresh().postMultipart('/addPersonResult.php', personForm('user1'));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="add_user_name"');
    });

    it.each([
      ['email', { email: null }],
      ['email', { email: 'not-an-address' }],
      ['passwordx', { passwordx: 'other' }],
      ['add_user_name', { add_user_name: 'has space' }],
      ['country', { country: '   ' }],
    ])('then a bad or missing field is 400 naming it (%s)', async (field, overrides) => {
      const reply = await fresh().postMultipart('/addPersonResult.php', personForm('ada', overrides));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain(`data-field="${field}"`);
      expect((await visitor.get('/users.php?username=ada')).status).toBe(404);
    });

    it('then a picture that is not an image is 400 naming user_image', async () => {
      const text = new Blob(['hello'], { type: 'text/plain' });
      const reply = await fresh().postMultipart('/addPersonResult.php', personForm('alan', {}, text));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="user_image"');
    });
  });

  describe('When a user adds an event (AddEvent)', () => {
    it("then a visitor who is not logged in sees the form (as Olio's) but is refused the post with 401", async () => {
      const form = await fresh().get('/addEvent.php');
      expect(form.status).toBe(200);
      expect((await visitor.postMultipart('/addEventResult.php', eventForm())).status).toBe(401);
    });

    it("then the form lists Olio's 33 statics and every field of the contract", async () => {
      await fresh().logIn('user2', '2');
      const form = await visitor.get('/addEvent.php');
      expect(form.status).toBe(200);
      expect(staticsOf(form.text).sort()).toEqual([...OLIO_PAGE_STATICS.addEvent].sort());
      for (const field of ['title', 'summary', 'description', 'month', 'day', 'year', 'hour', 'minute', 'telephone', 'timezone', 'street1', 'street2', 'city', 'state', 'zip', 'country', 'tags', 'submitter_user_name', 'upload_image', 'upload_literature', 'addeventsubmit']) {
        expect(form.text, field).toContain(`name="${field}"`);
      }
    });

    it('then posting it with a picture and a PDF creates it: its page, its uploads, its tags', async () => {
      await fresh().logIn('user2', '2');
      const files = {
        image: new Blob([uploadedPicture], { type: 'image/jpeg' }),
        document: new Blob([uploadedPdf], { type: 'application/pdf' }),
      };
      const posted = await visitor.postMultipart('/addEventResult.php', eventForm({}, files));
      expect(posted.status).toBe(302);
      const id = Number(/^\/events\.php\?socialEventID=(\d+)$/.exec(String(posted.headers.location))?.[1]);
      expect(id).toBeGreaterThan(100);
      const page = await visitor.get(`/events.php?socialEventID=${id}`);
      expect(page.text).toContain('Compiler Night');
      expect(page.text).toContain('2031-03-14 19:30 (Europe/Paris)');
      expect(page.text).toContain('2 Rue du Code, Floor 3, Lyon');
      expect(page.text).toContain('href="users.php?username=user2"');
      expect(page.text).toContain('href="taggedEvents.php?tag=compilers"');
      expect((await visitor.get(`/fileService.php?file=e${id}.jpg`)).bytes).toEqual(uploadedPicture);
      expect((await visitor.get(`/fileService.php?file=e${id}t.jpg`)).bytes).toEqual(uploadedPicture);
      expect((await visitor.get(`/fileService.php?file=e${id}l.pdf`)).bytes).toEqual(uploadedPdf);
      expect(eventIdsOf((await visitor.postForm('/taggedEvents.php', { tag: 'compilers' })).text)).toEqual([id]);
      expect(eventIdsOf((await visitor.get('/taggedEvents.php?tag=tag1&page=1')).text).length).toBeGreaterThan(0);
    });

    it.each([
      ['day', { month: '2', day: '30' }],
      ['hour', { hour: '24' }],
      ['title', { title: null }],
      ['tags', { tags: 'fine b@d' }],
      ['year', { year: 'next' }],
    ])('then a bad or missing field is 400 naming it (%s)', async (field, overrides) => {
      await fresh().logIn('user2', '2');
      const reply = await visitor.postMultipart('/addEventResult.php', eventForm(overrides));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain(`data-field="${field}"`);
      // The error page still knows who is logged in.
      expect(reply.text).toContain('href="logout.php"');
    });

    it('then a literature file that is not a PDF is 400 naming upload_literature', async () => {
      await fresh().logIn('user2', '2');
      const reply = await visitor.postMultipart('/addEventResult.php', eventForm({}, { document: new Blob(['plain'], { type: 'text/plain' }) }));
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('data-field="upload_literature"');
    });
  });

  describe('When what users typed contains markup', () => {
    it('then people and event pages show it as text, never as markup', async () => {
      const image = new Blob([uploadedPicture], { type: 'image/jpeg' });
      const markup = { first_name: '<script>alert(1)</script>', summary: `"quoted" & 'single' <b>bold</b>` };
      expect((await fresh().postMultipart('/addPersonResult.php', personForm('mallory', markup, image))).status).toBe(302);
      const person = (await visitor.get('/users.php?username=mallory')).text;
      expect(person).not.toContain('<script>alert(1)</script>');
      expect(person).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(person).toContain('&quot;quoted&quot; &amp; &#39;single&#39; &lt;b&gt;bold&lt;/b&gt;');

      await visitor.logIn('mallory', 'secret-1');
      expect((await visitor.get('/index.php')).text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Hopper');
      const posted = await visitor.postMultipart('/addEventResult.php', eventForm({ title: '<img src=x onerror=alert(1)>', tags: 'xss' }));
      const event = (await visitor.get(String(posted.headers.location))).text;
      expect(event).not.toContain('<img src=x');
      expect(event).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('then a searched tag is echoed escaped', async () => {
      const reply = await fresh().get(`/taggedEvents.php?tag=${encodeURIComponent('"><script>x</script>')}`);
      expect(reply.status).toBe(200);
      expect(reply.text).not.toContain('<script>x</script>');
      expect(reply.text).toContain('&quot;&gt;&lt;script&gt;x&lt;/script&gt;');
    });
  });
});

describe('Given two apps started with the same seed and scale, one with its data in a database guest', () => {
  let first: ReferenceApp;
  let second: ReferenceApp;
  let other: ReferenceApp;

  beforeAll(async () => {
    [first, second, other] = await Promise.all([
      startReferenceApp({ scale: 30, seed: 11 }),
      appWithDatabaseGuest({ scale: 30, seed: 11 }),
      startReferenceApp({ scale: 30, seed: 12 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close(), other.close()]);
  });

  describe('When the same pages are fetched from both', () => {
    it.each(['/index.php', '/events.php?socialEventID=1', '/events.php?socialEventID=77', '/users.php?username=user5', '/taggedEvents.php?tag=tag3', '/fileService.php?file=e5t.jpg', '/fileService.php?file=p2.jpg', '/fileService.php?file=e3l.pdf', '/images/php_corner_top_left.gif'])(
      'then %s is byte for byte the same',
      async (path) => {
        const [a, b] = await Promise.all([new Visitor(first.url).get(path), new Visitor(second.url).get(path)]);
        expect(a.status).toBe(200);
        expect(a.bytes.equals(b.bytes)).toBe(true);
      },
    );

    it('then an app with another seed shows another site', async () => {
      const [a, c] = await Promise.all([new Visitor(first.url).get('/index.php'), new Visitor(other.url).get('/index.php')]);
      expect(a.text).not.toEqual(c.text);
    });
  });
});
