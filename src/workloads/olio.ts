// The built-in Olio profile: the workload of the study (Apache Olio's Faban driver, UIDriver /
// "OlioWorkload"), written as a profile document from the facts in ../../docs/workload.md, against
// the routes of the testbed's reference app (../../docs/reference-app.md). It uses only what a
// YAML profile can say, so it is also the proof that the profile model is rich enough.
import type { ProfileDocumentInput } from './profile-schema.ts';

/** Operations in Faban's matrix order. */
export const OLIO_ACTIONS = ['HomePage', 'Login', 'TagSearch', 'EventDetail', 'PersonDetail', 'AddPerson', 'AddEvent'] as const;

/** Faban's @MatrixMix in percent, rows = from, columns = to ("90/10 read/write"). */
export const OLIO_MATRIX_PERCENT: readonly (readonly number[])[] = [
  [0, 11, 52, 36, 0, 1, 0],
  [0, 0, 60, 20, 0, 0, 20],
  [21, 6, 41, 31, 0, 1, 0],
  [72, 21, 0, 0, 6, 1, 0],
  [52, 6, 0, 31, 11, 0, 0],
  [0, 0, 0, 0, 100, 0, 0],
  [0, 0, 0, 100, 0, 0, 0],
];

/** The driver's max90th per operation, in seconds: the Cloudstone SLA. */
export const OLIO_SLA_SECONDS: Readonly<Record<(typeof OLIO_ACTIONS)[number], number>> = {
  HomePage: 1,
  Login: 1,
  TagSearch: 2,
  EventDetail: 2,
  PersonDetail: 2,
  AddPerson: 3,
  AddEvent: 4,
};

/** A page's own static files (JS, CSS, layout images): skipped by warm-cache users. */
const PAGE_STATICS = { regex: '(?:href|src)="(/static/[^"]+)"', cache: 'static' } as const;
/** Event images on a page: every user loads each once until logout. */
const EVENT_IMAGES = { regex: '<img[^>]*\\ssrc="(/images/events/[^"]+)"', cache: 'session' } as const;
/** Remember one of the listed events for the next EventDetail. */
const PICK_EVENT = { var: 'selectedEvent', regex: 'href="/events/(\\d+)"', pick: 'random' } as const;

const TIMEZONES = 'America/Los_Angeles America/Chicago America/New_York Europe/London Europe/Paris Asia/Tokyo Australia/Sydney';
const COUNTRIES = 'USA Canada "United Kingdom" France Germany Japan Australia';
const ADDRESS = {
  street1: '{{int 1 99999}} {{word 3 11}} {{pick Blvd Ave St Ln}}',
  city: '{{word 4 12}}',
  state: '{{word 2 2}}',
  zip: '{{digits 5}}',
  country: `{{pick ${COUNTRIES}}}`,
  telephone: '{{digits 3}}-{{digits 3}}-{{digits 4}}',
  timezone: `{{pick ${TIMEZONES}}}`,
};

export interface OlioParams {
  /** The number of users the app was seeded with (`user1`..`user<scale>`). */
  scale?: number;
  /** The number of tags (`tag1`..); default max(50, scale / 10), as the app seeds them. */
  tags?: number;
}

/** The profile document; `scale` must match the app's seed (the reference app's default is 500). */
export function olioProfileDocument(params: OlioParams = {}): ProfileDocumentInput {
  const scale = params.scale ?? 500;
  const tags = params.tags ?? Math.max(50, Math.floor(scale / 10));
  const matrix = Object.fromEntries(OLIO_ACTIONS.map((name, i) => [name, (OLIO_MATRIX_PERCENT[i] ?? []).map((percent) => percent / 100)]));
  return {
    name: 'olio',
    description: "Apache Olio's Faban workload (UIDriver): the study's 90/10 read/write Markov mix of seven operations",
    params: { scale, tags },
    // Every app seeds at least 100 events; a user's first HomePage replaces this with a listed one.
    vars: { selectedEvent: '{{int 1 100}}' },
    sessionVars: ['loggedIn', 'attendPath'],
    headers: { 'user-agent': 'Mozilla/5.0 (migrascope; Olio profile)', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    timeout: '30s',
    think: { distribution: 'negexp', mode: 'cycle', mean: '5s', max: '25s' },
    cache: { coldFraction: 0.4 },
    start: 'HomePage',
    matrix,
    actions: [
      {
        name: 'HomePage',
        requests: [{ path: '/', expect: { status: [200] }, capture: [PICK_EVENT], resources: [PAGE_STATICS, EVENT_IMAGES] }],
      },
      {
        name: 'Login',
        let: { login: '{{int 1 scale}}' },
        requests: [
          // A logged-in user logs out first (inside Login's time, as Faban's doLogin calls doLogout).
          { path: '/logout', when: 'loggedIn', endSession: true },
          {
            method: 'POST',
            path: '/login',
            form: { username: 'user{{login}}', password: 'password{{login}}' },
            expect: { bodyNotMatches: 'class="login-error"' },
          },
          // The login redirects home; the home page must no longer be the login prompt.
          { path: '/', expect: { status: [200], bodyMatches: 'href="/logout"' }, set: { loggedIn: 'user{{login}}' } },
        ],
      },
      {
        name: 'TagSearch',
        let: { tag: 'tag{{int 1 tags}}' },
        requests: [
          { method: 'POST', path: '/tagsearch', form: { tag: '{{tag}}' } },
          {
            path: '/tagsearch?tag={{tag}}&count={{int 100 150}}',
            expect: { status: [200] },
            capture: [PICK_EVENT],
            resources: [PAGE_STATICS, EVENT_IMAGES],
          },
        ],
      },
      {
        name: 'EventDetail',
        requests: [
          {
            path: '/events/{{selectedEvent}}',
            expect: { status: [200] },
            capture: [{ var: 'attendPath', regex: 'action="(/events/\\d+/attend)"', onMissing: 'unset' }],
            resources: [PAGE_STATICS, EVENT_IMAGES],
          },
          // A logged-in user offered "Attend" attends 10 % of the time.
          { method: 'POST', path: '{{attendPath}}', form: {}, when: ['loggedIn', 'attendPath'], probability: 0.1 },
        ],
      },
      {
        name: 'PersonDetail',
        let: { person: 'user{{int 1 scale}}' },
        requests: [
          { path: '/people/{{person}}', expect: { status: [200] }, resources: [PAGE_STATICS] },
          { path: '/images/people/{{person}}.jpg' },
        ],
      },
      {
        name: 'AddPerson',
        let: { newUser: 'u{{unique}}', newPassword: '{{word 8 12}}' },
        requests: [
          // Logs out first, outside the timing (Faban times AddPerson manually from the form fetch).
          { path: '/logout', when: 'loggedIn', endSession: true, timed: false },
          { path: '/people/new', expect: { status: [200] }, resources: [PAGE_STATICS] },
          {
            method: 'POST',
            path: '/people',
            multipart: {
              fields: {
                username: '{{newUser}}',
                password: '{{newPassword}}',
                password2: '{{newPassword}}',
                firstname: '{{word 3 12}}',
                lastname: '{{word 3 15}}',
                email: '{{newUser}}@example.com',
                summary: '{{text 50 250}}',
                ...ADDRESS,
              },
              files: [{ field: 'user_image', filename: 'person.jpg', contentType: 'image/jpeg', size: '24KiB' }],
            },
          },
        ],
      },
      {
        name: 'AddEvent',
        requests: [
          // Timed from the form fetch to the post's reply; only a logged-in user posts.
          { path: '/events/new', resources: [PAGE_STATICS] },
          {
            method: 'POST',
            path: '/events',
            when: 'loggedIn',
            multipart: {
              fields: {
                title: '{{text 15 20}}',
                summary: '{{text 20 60}}',
                description: '{{text 50 495}}',
                month: '{{int 1 12}}',
                day: '{{int 1 28}}',
                year: '{{year 1}}',
                hour: '{{int 0 23}}',
                minute: '{{int 0 59}}',
                tags: '{{sample 1 7 tag 1 tags}}',
                ...ADDRESS,
              },
              files: [
                { field: 'event_image', filename: 'event.jpg', contentType: 'image/jpeg', size: '48KiB' },
                { field: 'event_document', filename: 'event.pdf', contentType: 'application/pdf', size: '96KiB' },
              ],
            },
          },
        ],
      },
    ],
  };
}
