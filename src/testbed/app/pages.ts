// The site's pages: server-rendered HTML through the escaping `html` template, written like Olio's
// PHP views so that Faban's driver and the load profile find on them what they look for
// (docs/reference-app.md): a logged-out page carries the login form, whose "Username" label is the
// driver's login check; event links are `<a href="events.php?socialEventID=N">`; event pictures
// `<img src="fileService.php?file=..." />`; an event page says "Attend". Each page lists the
// statics Olio's page loads (src/workloads/olio-statics.ts).
import type { OlioPage } from '../../workloads/olio-statics.ts';
import { html, SafeHtml, type HtmlValue } from './html.ts';
import type { EventPage, EventSummary, PersonPage, SessionUser, TagCount } from './social-store.ts';
import { pageStatics } from './statics.ts';
import { TIMEZONES } from './site-text.ts';

interface Chrome {
  head: SafeHtml;
  images: SafeHtml;
  scripts: SafeHtml;
}

function chrome(paths: readonly string[]): Chrome {
  const of = (pattern: RegExp) => paths.filter((path) => pattern.test(path));
  return {
    head: html`${of(/\.css$/).map((path) => html`<link href="${path}" media="screen" rel="stylesheet" type="text/css" />\n`)}`,
    images: html`${of(/\.(gif|png)$/).map((path) => html`<img src="${path}" alt="" class="chrome" />`)}`,
    scripts: html`${of(/\.js$/).map((path) => html`<script src="${path}" type="text/javascript"></script>\n`)}`,
  };
}

// Built once: these do not change from request to request.
const CHROME = new Map<OlioPage, Chrome>();
function chromeOf(page: OlioPage): Chrome {
  let built = CHROME.get(page);
  if (!built) CHROME.set(page, (built = chrome(pageStatics(page))));
  return built;
}

interface Layout {
  title: string;
  user: SessionUser | undefined;
  body: SafeHtml;
  /** Whose statics the page lists: Olio's page of that kind (the home page's by default). */
  statics?: OlioPage;
}

export function page(layout: Layout): string {
  const statics = chromeOf(layout.statics ?? 'home');
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${layout.title} · Olio</title>
${statics.scripts}${statics.head}</head>
<body>
<div id="header">
<h1><a href="index.php">Olio</a></h1>
<form method="post" action="taggedEvents.php" id="tagSearchForm"><input type="text" size="20" name="tag" /> <input type="submit" value="Search Tags" name="tagsearchsubmit" /></form>
<ul id="main_nav"><li><a href="index.php">Home</a></li>${
    layout.user
      ? html`<li><a href="addEvent.php">Add Event</a></li>`
      : html`<li><a href="addPerson.php">Register</a></li>`
  }</ul>
${account(layout.user)}
</div>
<div id="content">
${layout.body}
</div>
<div id="footer">${statics.images}<p>Olio, the Migrascope reference application</p></div>
</body>
</html>
`.text;
}

/** Logged in: who, and the way out. Logged out: Olio's login form (the driver looks for its "Username"). */
function account(user: SessionUser | undefined): SafeHtml {
  if (user) {
    return html`<div class="account">Welcome, <a href="users.php?username=${encodeURIComponent(user.username)}">${user.firstname} ${user.lastname}</a> · <a href="logout.php">Log out</a></div>`;
  }
  return html`<form method="post" action="login.php" class="login-form">
<label for="user_name">Username</label> <input id="user_name" name="user_name" size="12" type="text" />
<label for="password">Password</label> <input id="password" name="password" size="12" type="password" />
<input name="submit" type="submit" value="Login" />
</form>`;
}

export function when(startsAt: number): string {
  const iso = new Date(startsAt).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Olio's links: the driver and the profile read event ids out of `<a href="events.php?socialEventID=N">`. */
function eventLink(id: number): string {
  return `events.php?socialEventID=${id}`;
}

function personLink(username: string): string {
  return `users.php?username=${encodeURIComponent(username)}`;
}

function tagLink(tag: string): string {
  return `taggedEvents.php?tag=${encodeURIComponent(tag)}`;
}

/** Pictures and literature come from fileService.php, named as Olio's loader names them. */
export function fileLink(file: string): string {
  return `fileService.php?file=${file}`;
}

function eventList(events: readonly EventSummary[]): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events.</p>`;
  return html`<ul class="events">
${events.map(
  (event) => html`<li class="event_item"><a href="${eventLink(event.id)}"><img src="${fileLink(`e${event.id}t.jpg`)}" alt="" width="90" height="90" /></a>
<a href="${eventLink(event.id)}" class="title">${event.title}</a> <span class="when">${when(event.startsAt)} (${event.timezone})</span>
<span class="where">${event.city}, ${event.country}</span> <span class="summary">${event.summary}</span></li>
`,
)}</ul>`;
}

function tagCloud(tags: readonly TagCount[]): SafeHtml {
  return html`<div id="tag_cloud">${tags.map((tag) => html`<a href="${tagLink(tag.name)}" class="tag">${tag.name}</a> `)}</div>`;
}

export function homePage(user: SessionUser | undefined, events: readonly EventSummary[], tags: readonly TagCount[]): string {
  return page({
    title: 'Home',
    user,
    body: html`<h1>Upcoming events</h1>
${eventList(events)}
<h2>Tag Cloud</h2>
${tagCloud(tags)}`,
  });
}

export interface TagResults {
  tag: string;
  total: number;
  page: number;
  pageSize: number;
  events: readonly EventSummary[];
}

export function tagSearchPage(user: SessionUser | undefined, results: TagResults | undefined, tags: readonly TagCount[]): string {
  if (!results) return page({ title: 'Tag search', user, statics: 'tagSearch', body: html`<h1>Tag search</h1>${tagCloud(tags)}` });
  const pages = Math.ceil(results.total / results.pageSize);
  const link = (n: number) => html`<a href="${tagLink(results.tag)}&page=${n}">${n}</a> `;
  const pager: HtmlValue[] = [];
  for (let n = 1; n <= pages && pages > 1; n++) pager.push(n === results.page ? html`<b>${n}</b> ` : link(n));
  return page({
    title: `Events tagged ${results.tag}`,
    user,
    statics: 'tagSearch',
    body: html`<h1>Events tagged “${results.tag}”</h1>
<p class="result-count">${results.total} events</p>
${eventList(results.events)}
<p class="pager">${pager}</p>`,
  });
}

/**
 * An event. Like Olio's page it says "Attend" in its attendee count (the driver's whole test);
 * a logged-in user who is not attending gets the Attend link, one who is "You are going".
 */
export function eventPage(user: SessionUser | undefined, details: EventPage, attending: boolean): string {
  const { event } = details;
  const attend = !user
    ? ''
    : attending
      ? html`<p class="attending">You are going.</p>`
      : html`<p><a href="addAttendee.php?id=${event.id}" class="attend">Attend</a></p>`;
  return page({
    title: event.title,
    user,
    statics: 'eventDetail',
    body: html`<div id="event_header">
<h1>${event.title}</h1>
<img src="${fileLink(`e${event.id}.jpg`)}" alt="${event.title}" width="400" height="300" />
<p class="summary">${event.summary}</p>
<dl>
<dt>When</dt><dd>${when(event.startsAt)} (${event.timezone})</dd>
<dt>Where</dt><dd class="address">${event.street1}, ${event.city}, ${event.state} ${event.zip}, ${event.country}</dd>
<dt>Contact</dt><dd>${event.telephone}</dd>
<dt>Submitted by</dt><dd><a href="${personLink(event.submitter)}">${event.submitter}</a></dd>
<dt>Tags</dt><dd>${details.tags.map((tag) => html`<a href="${tagLink(tag)}" class="tag">${tag}</a> `)}</dd>
</dl>
<div class="description">${event.description}</div>
<p><a href="${fileLink(`e${event.id}l.pdf`)}" class="literature">Event Literature</a></p>
</div>
<div id="event_attendees">
<h2><span class="attendee-count">${details.attendeeCount}</span> Attendees:</h2>
${attend}
<ul class="attendees">${details.attendees.map((name) => html`<li><a href="${personLink(name)}">${name}</a></li>`)}</ul>
</div>`,
  });
}

/** What addAttendee.php answers: the attendee block, as Olio's page refreshes it in place. */
export function attendeesFragment(details: EventPage): string {
  return html`<h2 class="smaller_heading"><span class="attendee-count">${details.attendeeCount}</span> Attendees:</h2>
<p class="attending">You are going.</p>
<ul class="attendees">${details.attendees.map((name) => html`<li><a href="${personLink(name)}">${name}</a></li>`)}</ul>
`.text;
}

export function personPage(user: SessionUser | undefined, details: PersonPage): string {
  const { person } = details;
  return page({
    title: `${person.firstname} ${person.lastname}`,
    user,
    statics: 'person',
    body: html`<div class="person-detail">
<h1>${person.firstname} ${person.lastname}</h1>
<img src="${fileLink(`p${person.id}.jpg`)}" alt="${person.username}" width="192" height="192" />
<dl>
<dt>User</dt><dd class="username">${person.username}</dd>
<dt>E-mail</dt><dd>${person.email}</dd>
<dt>Telephone</dt><dd>${person.telephone}</dd>
<dt>Time zone</dt><dd>${person.timezone}</dd>
<dt>Lives in</dt><dd>${person.city}, ${person.state}, ${person.country}</dd>
</dl>
<p class="summary">${person.summary}</p>
<h2>Attending</h2>
${eventList(details.events)}
<h2>Friends</h2>
<ul class="friends">${details.friends.map((name) => html`<li><a href="${personLink(name)}">${name}</a></li>`)}</ul>
</div>`,
  });
}

function input(name: string, label: string, type = 'text', required = true): SafeHtml {
  return html`<label>${label} <input type="${type}" name="${name}"${required ? html` required` : ''} /></label>\n`;
}

function addressInputs(): SafeHtml {
  return html`${input('street1', 'Street')}${input('street2', 'Street (line 2)', 'text', false)}${input('city', 'City')}${input('state', 'State')}${input('zip', 'Zip')}${input('country', 'Country')}`;
}

function timezoneSelect(): SafeHtml {
  return html`<label>Time zone <select name="timezone">${TIMEZONES.map((zone) => html`<option>${zone}</option>`)}</select></label>\n`;
}

/** Olio's addPerson.php: its field names are what the driver posts to addPersonResult.php. */
export function addPersonPage(user: SessionUser | undefined): string {
  return page({
    title: 'Register',
    user,
    statics: 'addPerson',
    body: html`<h1>Register</h1>
<form method="post" action="addPersonResult.php" enctype="multipart/form-data" class="person-form">
${input('add_user_name', 'User name')}${input('psword', 'Password', 'password')}${input('passwordx', 'Password again', 'password')}
${input('first_name', 'First name')}${input('last_name', 'Last name')}${input('email', 'E-mail', 'email')}${input('telephone', 'Telephone', 'tel')}
<label>About you <textarea name="summary" class="rich-text" required></textarea></label>
${timezoneSelect()}${addressInputs()}
<label>Picture <input type="file" name="user_image" accept="image/*" /></label>
<input type="submit" name="addpersonsubmit" value="Create" />
</form>`,
  });
}

/** Olio's addEvent.php: shown to anyone (Olio's is); only a logged-in user may post it. */
export function addEventPage(user: SessionUser | undefined): string {
  return page({
    title: 'Add event',
    user,
    statics: 'addEvent',
    body: html`<h1>Add an event</h1>
<form method="post" action="addEventResult.php" enctype="multipart/form-data" class="event-form">
${input('title', 'Title')}${input('summary', 'Summary', 'text', false)}
<label>Description <textarea name="description" class="rich-text" required></textarea></label>
${input('year', 'Year', 'number')}${input('month', 'Month', 'number')}${input('day', 'Day', 'number')}${input('hour', 'Hour', 'number')}${input('minute', 'Minute', 'number')}
${input('telephone', 'Telephone', 'tel')}${timezoneSelect()}${addressInputs()}
${input('tags', 'Tags (separated by spaces)')}
<input type="hidden" name="submitter_user_name" value="${user?.username ?? ''}" />
<label>Picture <input type="file" name="upload_image" accept="image/*" /></label>
<label>Literature <input type="file" name="upload_literature" accept="application/pdf" /></label>
<input type="submit" name="addeventsubmit" value="Create" />
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
