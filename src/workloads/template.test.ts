import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { compileBody } from './body.ts';
import { parseProfileDocument } from './profile-schema.ts';
import { Random } from './random.ts';
import { compileTemplate, type TemplateScope } from './template.ts';

function scope(vars: Record<string, string> = {}, userNumber = 7): TemplateScope {
  let sequence = 0;
  return {
    random: new Random(11),
    userNumber,
    variable: (name) => vars[name],
    nextSequence: () => (sequence += 1),
  };
}

const names = { params: { scale: 500, tags: 50 }, variables: new Set(['event', 'tag']) };

describe('Given templates', () => {
  it('When a template has no holes or only parameters, Then it renders as a constant', () => {
    const template = compileTemplate('/people/user{{scale}}', 'path', names);
    expect(template.constant).toBe('/people/user500');
    expect(template.variables).toEqual([]);
  });

  it('When it reads variables, Then they are filled per user (an unset one is empty)', () => {
    const template = compileTemplate('/events/{{event}}?t={{tag}}', 'path', names);
    expect(template.variables).toEqual(['event', 'tag']);
    expect(template.render(scope({ event: '12', tag: 'tag3' }))).toBe('/events/12?t=tag3');
    expect(template.render(scope({ event: '12' }))).toBe('/events/12?t=');
  });

  it('When it uses generators, Then the values are random but valid', () => {
    const s = scope();
    const user = compileTemplate('{{int 1 scale}}', 'f', names);
    const text = compileTemplate('{{text 15 20}}', 'f', names);
    const digits = compileTemplate('{{digits 5}}', 'f', names);
    const pick = compileTemplate('{{pick "New York" Paris}}', 'f', names);
    const sample = compileTemplate('{{sample 1 7 tag 1 tags}}', 'f', names);
    const users = new Set<number>();
    for (let i = 0; i < 500; i += 1) {
      const n = Number(user.render(s));
      users.add(n);
      expect(n >= 1 && n <= 500 && Number.isInteger(n)).toBe(true);
      expect(text.render(s)).toMatch(/^[a-z][a-z ]{13,18}[a-z]$/);
      expect(digits.render(s)).toMatch(/^\d{5}$/);
      expect(pick.render(s)).toMatch(/^(New York|Paris)$/);
      const tags = sample.render(s).split(' ');
      expect(new Set(tags).size).toBe(tags.length);
      expect(tags.length).toBeLessThanOrEqual(7);
      expect(tags.every((tag) => /^tag\d+$/.test(tag) && Number(tag.slice(3)) <= 50)).toBe(true);
    }
    expect(users.size).toBeGreaterThan(250);
  });

  it('When it uses seq, user and unique, Then unique values never repeat', () => {
    const s = scope({}, 42);
    expect(compileTemplate('{{user}}-{{seq}}-{{seq}}', 'f', names).render(s)).toBe('42-1-2');
    const unique = compileTemplate('u{{unique}}', 'f', names);
    const values = new Set(Array.from({ length: 1000 }, () => unique.render(s)));
    expect(values.size).toBe(1000);
    for (const value of values) expect(value).toMatch(/^u[a-z0-9]+$/);
  });

  it('When two runs in one process (two shards of a worker) number their users alike, Then their unique values still differ', () => {
    // Each shard compiles its own profile and numbers its users from 1; the engine's in-process
    // workers run both shards of a run in one process. The Olio AddPerson username is u{{unique}},
    // so a repeat here is a "username is taken" 400 from the app.
    const shards = [compileTemplate('u{{unique}}', 'f', names), compileTemplate('u{{unique}}', 'f', names)];
    const users = [scope({}, 1), scope({}, 1)];
    const values = shards.flatMap((template, shard) => Array.from({ length: 3 }, () => template.render(users[shard] ?? scope())));
    expect(new Set(values).size).toBe(values.length);
  });

  it('When a hole is unknown or malformed, Then the field is named', () => {
    expect(() => compileTemplate('{{nope}}', 'actions[0].requests[0].path', names)).toThrow(InvalidInputError);
    expect(() => compileTemplate('{{nope}}', 'actions[0].requests[0].path', names)).toThrow(/^actions\[0\]\.requests\[0\]\.path: unknown variable or generator "nope"/);
    expect(() => compileTemplate('{{int 1}}', 'p', names)).toThrow(/maximum/);
    expect(() => compileTemplate('{{sample 1 9 t 1 5}}', 'p', names)).toThrow(/distinct/);
    expect(() => compileTemplate('{{}}', 'p', names)).toThrow(/empty/);
  });
});

describe('Given request bodies', () => {
  const request = (fields: Record<string, unknown>) => parseProfileDocument({ name: 'x', think: { mean: 1 }, actions: [{ name: 'A', requests: [{ path: '/', ...fields }] }] }).actions[0]?.requests[0];

  it('When the body is a form, Then it is url-encoded as a browser does', () => {
    const body = compileBody(request({ form: { tag: '{{tag}}', q: 'a b&c' } })!, 'r', names);
    expect(body?.render(scope({ tag: 'tag 1' }))).toEqual({ contentType: 'application/x-www-form-urlencoded', payload: 'tag=tag+1&q=a+b%26c' });
  });

  it('When the body is JSON, Then string leaves are templates and other values stay', () => {
    const body = compileBody(request({ json: { event: '{{event}}', n: 3, list: ['{{tag}}', true] } })!, 'r', names);
    const rendered = body?.render(scope({ event: '9', tag: 't' }));
    expect(JSON.parse(String(rendered?.payload))).toEqual({ event: '9', n: 3, list: ['t', true] });
  });

  it('When the body is multipart with files, Then fields and files are framed with the boundary', () => {
    const body = compileBody(
      request({ method: 'POST', multipart: { fields: { title: 'T{{event}}' }, files: [{ field: 'event_image', filename: 'e.jpg', contentType: 'image/jpeg', size: 1000 }] } })!,
      'r',
      names,
    );
    const rendered = body?.render(scope({ event: '5' }));
    const boundary = /boundary=(.+)$/.exec(rendered?.contentType ?? '')?.[1] ?? '';
    const payload = rendered?.payload as Buffer;
    const text = payload.toString('latin1');
    expect(text.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nT5\r\n`)).toBe(true);
    expect(text).toContain('name="event_image"; filename="e.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8');
    expect(text.endsWith(`\xff\xd9\r\n--${boundary}--\r\n`)).toBe(true);
    const start = payload.indexOf(Buffer.from([0xff, 0xd8]));
    const end = payload.indexOf(Buffer.from([0xff, 0xd9])) + 2;
    expect(end - start).toBe(1000);
  });

  it('When a request has two bodies, Then it is refused', () => {
    expect(() => compileBody(request({ form: {}, body: 'x' })!, 'actions[0].requests[0]', names)).toThrow(/^actions\[0\]\.requests\[0\]: a request has one body/);
  });
});
