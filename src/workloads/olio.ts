// The built-in Olio profile: the workload of the study (Apache Olio's Faban driver, UIDriver /
// "OlioWorkload"), written as a profile document from the facts in ../../docs/workload.md. It sends
// what UIDriver sends to Olio's PHP application (its page names, query parameters, form fields,
// uploads and static files), so it drives a real Olio PHP deployment and the testbed's reference
// app (../../docs/reference-app.md), which serves the same URLs, alike. It uses only what a YAML
// profile can say, so it is also the proof that the profile model is rich enough.
import { OLIO_PAGE_STATICS, type OlioPage } from './olio-statics.ts';
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

/** A page's static files, from the driver's fixed lists: skipped by warm-cache users. */
function statics(page: OlioPage): { paths: string[]; cache: 'static' } {
  return { paths: [...OLIO_PAGE_STATICS[page]], cache: 'static' };
}
/**
 * Event pictures on a page: every user loads each once until logout. The driver takes `<img>`
 * sources that start with "fileService." (relative to the page, as Olio writes them).
 */
const EVENT_IMAGES = { regex: '<img\\s[^>]*?src="(fileService\\.[^"]+)"', cache: 'session' } as const;
/** Remember one of the listed events for the next EventDetail (the driver's randomEvent). */
const PICK_EVENT = { var: 'selectedEvent', regex: '<a href="events\\.\\w{3}\\?socialEventID=(\\d+)"', pick: 'random' } as const;
/** Olio's uploads are files the driver posts as they are: commons-httpclient's FilePart default type. */
const UPLOAD_TYPE = 'application/octet-stream';

const TIMEZONES = 'America/Los_Angeles America/Chicago America/New_York Europe/London Europe/Paris Asia/Tokyo Australia/Sydney';
const COUNTRIES = 'USA Canada "United Kingdom" France Germany Japan Australia';
const ADDRESS = {
  street1: '{{int 1 99999}} {{word 3 11}} {{pick Blvd Ave St Ln}}',
  street2: '{{word 5 20}}',
  city: '{{word 4 14}}',
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
    sessionVars: ['loggedIn', 'canAttend'],
    headers: { 'user-agent': 'Mozilla/5.0 (migrascope; Olio profile)', accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    timeout: '30s',
    think: { distribution: 'negexp', mode: 'cycle', mean: '5s', max: '25s' },
    cache: { coldFraction: 0.4 },
    start: 'HomePage',
    matrix,
    actions: [
      {
        name: 'HomePage',
        requests: [{ path: '/index.php', expect: { status: [200] }, capture: [PICK_EVENT], resources: [statics('home'), EVENT_IMAGES] }],
      },
      {
        name: 'Login',
        // Olio's users log in with their number as the password.
        let: { login: '{{int 1 scale}}' },
        requests: [
          // A logged-in user logs out first (inside Login's time, as Faban's doLogin calls doLogout).
          { path: '/logout.php', when: 'loggedIn', endSession: true },
          { method: 'POST', path: '/login.php', form: { user_name: 'user{{login}}', password: '{{login}}', submit: 'Login' } },
          // login.php redirects home either way; the home page must no longer be the login prompt.
          { path: '/index.php', expect: { status: [200], bodyNotMatches: 'Username' }, set: { loggedIn: 'user{{login}}' } },
        ],
      },
      {
        name: 'TagSearch',
        let: { tag: 'tag{{int 1 tags}}' },
        requests: [
          { method: 'POST', path: '/taggedEvents.php', form: { tag: '{{tag}}', tagsearchsubmit: 'Search Tags' } },
          {
            path: '/taggedEvents.php?tag={{tag}}&count={{int 100 150}}',
            expect: { status: [200] },
            capture: [PICK_EVENT],
            resources: [statics('tagSearch'), EVENT_IMAGES],
          },
        ],
      },
      {
        name: 'EventDetail',
        requests: [
          {
            path: '/events.php?socialEventID={{selectedEvent}}',
            expect: { status: [200] },
            // The driver's test: the page says "Attend" somewhere.
            capture: [{ var: 'canAttend', regex: 'Attend', onMissing: 'unset' }],
            resources: [statics('eventDetail'), EVENT_IMAGES],
          },
          // A logged-in user offered "Attend" attends 10 % of the time.
          { path: '/addAttendee.php?id={{selectedEvent}}', when: ['loggedIn', 'canAttend'], probability: 0.1 },
        ],
      },
      {
        name: 'PersonDetail',
        let: { person: '{{int 1 scale}}' },
        requests: [
          { path: '/users.php?username=user{{person}}', expect: { status: [200] }, resources: [statics('person')] },
          { path: '/fileService.php?file=p{{person}}.jpg' },
        ],
      },
      {
        name: 'AddPerson',
        let: { newUser: 'u{{unique}}', newPassword: '{{word 8 12}}', firstName: '{{word 2 12}}', lastName: '{{word 5 15}}' },
        requests: [
          // Logs out first, outside the timing (Faban times AddPerson manually from the form fetch).
          { path: '/logout.php', when: 'loggedIn', endSession: true, timed: false },
          { path: '/addPerson.php', expect: { status: [200] }, resources: [statics('addPerson')] },
          {
            method: 'POST',
            path: '/addPersonResult.php',
            multipart: {
              fields: {
                add_user_name: '{{newUser}}',
                psword: '{{newPassword}}',
                passwordx: '{{newPassword}}',
                first_name: '{{firstName}}',
                last_name: '{{lastName}}',
                email: '{{firstName}}_{{lastName}}@{{word 3 10}}.com',
                ...ADDRESS,
                summary: '{{text 250 2500}}',
                addpersonsubmit: 'Create',
              },
              files: [{ field: 'user_image', filename: 'person.jpg', contentType: UPLOAD_TYPE, size: '24KiB' }],
            },
          },
        ],
      },
      {
        name: 'AddEvent',
        requests: [
          // Timed from the form fetch to the post's reply; only a logged-in user posts.
          { path: '/addEvent.php', resources: [statics('addEvent')] },
          {
            method: 'POST',
            path: '/addEventResult.php',
            when: 'loggedIn',
            multipart: {
              fields: {
                title: '{{text 15 20}}',
                description: '{{text 50 495}}',
                ...ADDRESS,
                year: '{{year 1}}',
                month: '{{int 1 12}}',
                day: '{{int 1 28}}',
                hour: '{{int 0 23}}',
                minute: '{{int 0 59}}',
                tags: '{{sample 1 7 tag 1 tags}}',
                submitter_user_name: '{{loggedIn}}',
                addeventsubmit: 'Create',
              },
              files: [
                { field: 'upload_image', filename: 'event.jpg', contentType: UPLOAD_TYPE, size: '48KiB' },
                { field: 'upload_literature', filename: 'event.pdf', contentType: UPLOAD_TYPE, size: '96KiB' },
              ],
            },
          },
        ],
      },
    ],
  };
}
