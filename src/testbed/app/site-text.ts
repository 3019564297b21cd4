// The words the seeded site is written in: names, places, event titles, prose. Drawn from a
// SeededRandom so that the same seed always writes the same site.
import type { SeededRandom } from './seeded-random.ts';

const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ana', 'Arjun', 'Beatriz', 'Bilal', 'Carla', 'Chen', 'Dara', 'David', 'Elena',
  'Emeka', 'Farah', 'Felix', 'Grace', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jamal', 'Jana', 'Kai', 'Kofi',
  'Lea', 'Liam', 'Lucia', 'Maya', 'Mei', 'Nadia', 'Noah', 'Olga', 'Omar', 'Priya', 'Quinn', 'Rafael',
  'Rosa', 'Sami', 'Sofia', 'Tariq', 'Tomas', 'Uma', 'Vera', 'Wei', 'Xenia', 'Yara', 'Yusuf', 'Zoe',
];
const LAST_NAMES = [
  'Abe', 'Almeida', 'Becker', 'Bianchi', 'Chandra', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia',
  'Haddad', 'Ito', 'Jansen', 'Kim', 'Kowalski', 'Larsen', 'Lopez', 'Mensah', 'Moreau', 'Nakamura',
  'Novak', 'Okafor', 'Olsen', 'Park', 'Petrov', 'Quispe', 'Rossi', 'Santos', 'Schmidt', 'Silva', 'Singh',
  'Tanaka', 'Torres', 'Ueda', 'Varga', 'Wagner', 'Wong', 'Yilmaz', 'Zhang', 'Zuniga',
];
const PLACES: readonly (readonly [city: string, state: string, country: string])[] = [
  ['Springfield', 'IL', 'USA'], ['Portland', 'OR', 'USA'], ['Austin', 'TX', 'USA'], ['Boston', 'MA', 'USA'],
  ['Denver', 'CO', 'USA'], ['Madison', 'WI', 'USA'], ['Toronto', 'ON', 'Canada'], ['Vancouver', 'BC', 'Canada'],
  ['Melbourne', 'VIC', 'Australia'], ['Brisbane', 'QLD', 'Australia'], ['Lyon', 'ARA', 'France'],
  ['Porto', 'Norte', 'Portugal'], ['Leipzig', 'SN', 'Germany'], ['Bologna', 'ER', 'Italy'],
  ['Osaka', 'Osaka', 'Japan'], ['Pune', 'MH', 'India'], ['Curitiba', 'PR', 'Brazil'], ['Cork', 'Munster', 'Ireland'],
];
const STREETS = ['Oak', 'Maple', 'Cedar', 'Harbour', 'Mill', 'Station', 'Church', 'Park', 'Lake', 'River', 'Hill', 'Market'];
const STREET_KINDS = ['Street', 'Avenue', 'Road', 'Lane', 'Boulevard', 'Way'];
export const TIMEZONES = [
  'America/Los_Angeles', 'America/Denver', 'America/Chicago', 'America/New_York', 'America/Toronto',
  'America/Sao_Paulo', 'Europe/Dublin', 'Europe/Lisbon', 'Europe/Paris', 'Europe/Berlin', 'Europe/Rome',
  'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Melbourne', 'Australia/Brisbane', 'UTC',
];
const TITLE_MOODS = ['Sunny', 'Late-Night', 'Open', 'Friendly', 'Grand', 'Little', 'Weekend', 'Riverside', 'Rooftop', 'Annual'];
const TITLE_TOPICS = [
  'Jazz', 'Chess', 'Cycling', 'Pottery', 'Poetry', 'Startup', 'Kubernetes', 'Film', 'Salsa', 'Cooking',
  'Board Game', 'Photography', 'Gardening', 'Robotics', 'Book', 'Choir', 'Running', 'Astronomy',
];
const TITLE_KINDS = ['Meetup', 'Festival', 'Workshop', 'Night', 'Jam', 'Club', 'Fair', 'Social', 'Marathon', 'Summit'];
const WORDS = [
  'community', 'friends', 'music', 'evening', 'hands-on', 'beginners', 'experts', 'snacks', 'local',
  'venue', 'tickets', 'free', 'bring', 'share', 'stories', 'learn', 'together', 'outdoor', 'indoor',
  'programme', 'guest', 'speaker', 'session', 'weekly', 'celebrate', 'season', 'neighbourhood',
  'workshop', 'coffee', 'garden', 'library', 'volunteers', 'families', 'welcome', 'meet', 'new', 'people',
  'ideas', 'practice', 'demo', 'open', 'stage', 'join', 'us', 'for', 'an', 'the', 'and', 'with', 'of',
];

export interface Address {
  street1: string;
  city: string;
  state: string;
  zip: string;
  country: string;
}

export function personName(random: SeededRandom): { firstname: string; lastname: string } {
  return { firstname: random.pick(FIRST_NAMES), lastname: random.pick(LAST_NAMES) };
}

export function address(random: SeededRandom): Address {
  const [city, state, country] = random.pick(PLACES);
  return {
    street1: `${random.int(1, 2999)} ${random.pick(STREETS)} ${random.pick(STREET_KINDS)}`,
    city,
    state,
    zip: String(random.int(10000, 99999)),
    country,
  };
}

export function telephone(random: SeededRandom): string {
  return `+1 555 ${random.int(100, 999)} ${random.int(1000, 9999)}`;
}

export function eventTitle(random: SeededRandom): string {
  return `${random.pick(TITLE_MOODS)} ${random.pick(TITLE_TOPICS)} ${random.pick(TITLE_KINDS)}`;
}

export function sentence(random: SeededRandom): string {
  const count = random.int(8, 16);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(random.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

export function paragraph(random: SeededRandom, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(sentence(random));
  return out.join(' ');
}

/** Words wrapped into lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
