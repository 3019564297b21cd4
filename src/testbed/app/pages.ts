// The site's pages: server-rendered HTML through the escaping `html` template. Each page lists
// its statics (<link>, <script>, <img> under /static/) so the load profile fetches them as a
// browser would. Marks the profile relies on (docs/reference-app.md): a logged-out page carries
// `class="login-form"`, a logged-in one a link to /logout; a failed login `class="login-error"`;
// an event the user may join a form `class="attend-form"`.
import { html, SafeHtml, type HtmlValue } from './html.ts';
import type { EventPage, EventSummary, PersonPage, SessionUser, TagCount } from './social-store.ts';
import { FORM_STATIC_NAMES, PAGE_STATIC_NAMES } from './statics.ts';
import { TIMEZONES } from './site-text.ts';

interface Chrome {
  head: SafeHtml;
  images: SafeHtml;
  scripts: SafeHtml;
}

function chrome(names: readonly string[]): Chrome {
  const of = (extension: string) => names.filter((name) => name.endsWith(extension) && name !== 'logo.jpg');
  return {
    head: html`${of('.css').map((name) => html`<link rel="stylesheet" href="/static/${name}">\n`)}`,
    images: html`${of('.jpg').map((name) => html`<img src="/static/${name}" alt="" class="chrome">`)}`,
    scripts: html`${of('.js').map((name) => html`<script src="/static/${name}" defer></script>\n`)}`,
  };
}

// Built once: these do not change from request to request.
const PAGE_CHROME = chrome(PAGE_STATIC_NAMES);
const FORM_CHROME = chrome(FORM_STATIC_NAMES);

interface Layout {
  title: string;
  user: SessionUser | undefined;
  body: SafeHtml;
  chrome?: Chrome;
  loginError?: boolean;
}

export function page(layout: Layout): string {
  const statics = layout.chrome ?? PAGE_CHROME;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${layout.title} · Olio</title>
${statics.head}</head>
<body>
<header>
<a href="/" class="logo"><img src="/static/logo.jpg" alt="Olio" width="240" height="64"></a>
<form method="get" action="/tagsearch" class="search-box"><input name="tag" placeholder="tag"><button>Search</button></form>
<nav><a href="/">Home</a> <a href="/people/new">Sign up</a> ${layout.user ? html`<a href="/events/new">Add event</a>` : ''}</nav>
${account(layout.user, layout.loginError === true)}
</header>
<main>
${layout.body}
</main>
<footer>${statics.images}<p>Olio, the Migrascope reference application</p></footer>
${statics.scripts}</body>
</html>
`.text;
}

function account(user: SessionUser | undefined, loginError: boolean): SafeHtml {
  if (user) {
    return html`<div class="account">Welcome, <a href="/people/${user.username}">${user.firstname} ${user.lastname}</a> · <a href="/logout">Log out</a></div>`;
  }
  return html`<form method="post" action="/login" class="login-form">
${loginError ? html`<p class="login-error">Wrong username or password.</p>` : ''}
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button>Log in</button>
</form>`;
}

export function when(startsAt: number): string {
  const iso = new Date(startsAt).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

function eventList(events: readonly EventSummary[]): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events.</p>`;
  return html`<ul class="events">
${events.map(
  (event) => html`<li class="event"><a href="/events/${event.id}"><img src="/images/events/${event.id}.jpg" alt="" width="120" height="90"></a>
<a href="/events/${event.id}" class="title">${event.title}</a> <span class="when">${when(event.startsAt)} (${event.timezone})</span>
<span class="where">${event.city}, ${event.country}</span> <span class="summary">${event.summary}</span></li>
`,
)}</ul>`;
}

function tagCloud(tags: readonly TagCount[]): SafeHtml {
  return html`<div class="tag-cloud">${tags.map(
    (tag) => html`<a href="/tagsearch?tag=${encodeURIComponent(tag.name)}" class="tag">${tag.name}</a> `,
  )}</div>`;
}

export function homePage(user: SessionUser | undefined, events: readonly EventSummary[], tags: readonly TagCount[]): string {
  return page({
    title: 'Home',
    user,
    body: html`<h1>Upcoming events</h1>
${eventList(events)}
<h2>Popular tags</h2>
${tagCloud(tags)}`,
  });
}

export function loginFailedPage(): string {
  return page({ title: 'Log in', user: undefined, loginError: true, body: html`<h1>Log in</h1><p>Please log in again.</p>` });
}

export interface TagResults {
  tag: string;
  total: number;
  page: number;
  pageSize: number;
  events: readonly EventSummary[];
}

export function tagSearchPage(user: SessionUser | undefined, results: TagResults | undefined, tags: readonly TagCount[]): string {
  const searchForm = html`<form method="post" action="/tagsearch" class="tag-search">
<label>Tag <input name="tag" value="${results?.tag}"></label><button>Search</button></form>`;
  if (!results) return page({ title: 'Tag search', user, body: html`<h1>Tag search</h1>${searchForm}${tagCloud(tags)}` });
  const pages = Math.ceil(results.total / results.pageSize);
  const link = (n: number) => html`<a href="/tagsearch?tag=${encodeURIComponent(results.tag)}&amp;page=${n}">${n}</a> `;
  const pager: HtmlValue[] = [];
  for (let n = 1; n <= pages && pages > 1; n++) pager.push(n === results.page ? html`<b>${n}</b> ` : link(n));
  return page({
    title: `Events tagged ${results.tag}`,
    user,
    body: html`<h1>Events tagged “${results.tag}”</h1>
${searchForm}
<p class="result-count">${results.total} events</p>
${eventList(results.events)}
<p class="pager">${pager}</p>`,
  });
}

export function eventPage(user: SessionUser | undefined, details: EventPage, attending: boolean): string {
  const { event } = details;
  const attend = !user
    ? ''
    : attending
      ? html`<p class="attending">You are attending.</p>`
      : html`<form method="post" action="/events/${event.id}/attend" class="attend-form"><button>Attend</button></form>`;
  return page({
    title: event.title,
    user,
    body: html`<article class="event-detail">
<h1>${event.title}</h1>
<img src="/images/events/${event.id}.jpg" alt="${event.title}" width="400" height="300">
<p class="summary">${event.summary}</p>
<dl>
<dt>When</dt><dd>${when(event.startsAt)} (${event.timezone})</dd>
<dt>Where</dt><dd class="address">${event.street1}, ${event.city}, ${event.state} ${event.zip}, ${event.country}</dd>
<dt>Contact</dt><dd>${event.telephone}</dd>
<dt>Submitted by</dt><dd><a href="/people/${event.submitter}">${event.submitter}</a></dd>
<dt>Tags</dt><dd>${details.tags.map((tag) => html`<a href="/tagsearch?tag=${encodeURIComponent(tag)}" class="tag">${tag}</a> `)}</dd>
</dl>
<div class="description">${event.description}</div>
<p><a href="/events/${event.id}/literature.pdf" class="literature">Event literature (PDF)</a></p>
${attend}
<h2>Attendees (<span class="attendee-count">${details.attendeeCount}</span>)</h2>
<ul class="attendees">${details.attendees.map((name) => html`<li><a href="/people/${name}">${name}</a></li>`)}</ul>
</article>`,
  });
}

export function personPage(user: SessionUser | undefined, details: PersonPage): string {
  const { person } = details;
  return page({
    title: `${person.firstname} ${person.lastname}`,
    user,
    body: html`<article class="person-detail">
<h1>${person.firstname} ${person.lastname}</h1>
<img src="/images/people/${person.username}.jpg" alt="${person.username}" width="192" height="192">
<dl>
<dt>Username</dt><dd class="username">${person.username}</dd>
<dt>E-mail</dt><dd>${person.email}</dd>
<dt>Telephone</dt><dd>${person.telephone}</dd>
<dt>Time zone</dt><dd>${person.timezone}</dd>
<dt>Lives in</dt><dd>${person.city}, ${person.state}, ${person.country}</dd>
</dl>
<p class="summary">${person.summary}</p>
<h2>Attending</h2>
${eventList(details.events)}
<h2>Friends</h2>
<ul class="friends">${details.friends.map((name) => html`<li><a href="/people/${name}">${name}</a></li>`)}</ul>
</article>`,
  });
}

function input(name: string, label: string, type = 'text'): SafeHtml {
  return html`<label>${label} <input type="${type}" name="${name}" required></label>\n`;
}

function addressInputs(): SafeHtml {
  return html`${input('street1', 'Street')}${input('city', 'City')}${input('state', 'State')}${input('zip', 'Zip')}${input('country', 'Country')}`;
}

function timezoneSelect(): SafeHtml {
  return html`<label>Time zone <select name="timezone">${TIMEZONES.map((zone) => html`<option>${zone}</option>`)}</select></label>\n`;
}

export function addPersonPage(user: SessionUser | undefined): string {
  return page({
    title: 'Sign up',
    user,
    chrome: FORM_CHROME,
    body: html`<h1>Sign up</h1>
<form method="post" action="/people" enctype="multipart/form-data" class="person-form">
${input('username', 'Username')}${input('password', 'Password', 'password')}${input('password2', 'Password again', 'password')}
${input('firstname', 'First name')}${input('lastname', 'Last name')}${input('email', 'E-mail', 'email')}${input('telephone', 'Telephone', 'tel')}
<label>About you <textarea name="summary" class="rich-text" required></textarea></label>
${timezoneSelect()}${addressInputs()}
<label>Picture <input type="file" name="user_image" accept="image/*"></label>
<button>Sign up</button>
</form>`,
  });
}

export function addEventPage(user: SessionUser): string {
  return page({
    title: 'Add event',
    user,
    chrome: FORM_CHROME,
    body: html`<h1>Add an event</h1>
<form method="post" action="/events" enctype="multipart/form-data" class="event-form">
${input('title', 'Title')}${input('summary', 'Summary')}
<label>Description <textarea name="description" class="rich-text" required></textarea></label>
${input('year', 'Year', 'number')}${input('month', 'Month', 'number')}${input('day', 'Day', 'number')}${input('hour', 'Hour', 'number')}${input('minute', 'Minute', 'number')}
${input('telephone', 'Telephone', 'tel')}${timezoneSelect()}${addressInputs()}
${input('tags', 'Tags (separated by spaces)')}
<label>Picture <input type="file" name="event_image" accept="image/*"></label>
<label>Literature <input type="file" name="event_document" accept="application/pdf"></label>
<button>Add event</button>
</form>`,
  });
}

export function errorPage(user: SessionUser | undefined, title: string, message: string, field?: string): string {
  return page({
    title,
    user,
    body: html`<h1>${title}</h1><p class="error"${field ? html` data-field="${field}"` : ''}>${message}</p>`,
  });
}
