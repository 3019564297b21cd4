import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../invalid/index.ts';
import { compileProfile } from './profile.ts';
import { parseProfileDocument } from './profile-schema.ts';
import { loadProfile, OLIO_ACTIONS } from './index.ts';
import { refusalOf } from '../invalid/testing.ts';

/** A valid two-action profile; each test breaks one thing. */
function shop(): Record<string, unknown> {
  return {
    name: 'shop',
    params: { items: 20 },
    think: { mean: '1s' },
    actions: [
      {
        name: 'Browse',
        requests: [{ path: '/items/{{int 1 items}}', capture: [{ var: 'cart', regex: 'data-cart="(\\w+)"' }] }],
      },
      { name: 'Buy', requests: [{ method: 'POST', path: '/cart/{{cart}}', json: { qty: '{{int 1 3}}' } }] },
    ],
    matrix: { Browse: [0.8, 0.2], Buy: [1, 0] },
  };
}

const refusal = (document: unknown) => refusalOf(() => compileProfile(parseProfileDocument(document, 'shop.yaml')));

describe('Given a valid custom profile', () => {
  it('Then it compiles with its actions in order and the matrix as given', () => {
    const profile = compileProfile(parseProfileDocument(shop()));
    expect(profile.actions.map((action) => action.name)).toEqual(['Browse', 'Buy']);
    expect(profile.mix.probability(0, 1)).toBeCloseTo(0.2, 12);
    expect(profile.think).toEqual({ distribution: 'negexp', mode: 'cycle', meanMs: 1000, maxMs: 5000 });
    expect(profile.actions[0]?.timeoutMs).toBe(30_000);
  });
});

describe('Given a malformed profile', () => {
  it('When a matrix row does not sum to 1, Then it is refused naming the row', () => {
    const document = shop();
    document.matrix = { Browse: [0.8, 0.1], Buy: [1, 0] };
    const error = refusal(document);
    expect(error.field).toBe('matrix.Browse');
    expect(error.message).toMatch(/sum to 0\.9\b.*must sum to 1/);
  });

  it('When a row sums to 1 within the tolerance, Then it is accepted', () => {
    const document = shop();
    document.matrix = { Browse: [0.8004, 0.2], Buy: [1, 0] };
    expect(() => compileProfile(parseProfileDocument(document))).not.toThrow();
  });

  it('When a row keeps users on its action for good (an absorbing state), Then it is refused naming that row', () => {
    const document = shop();
    document.matrix = { Browse: [0.8, 0.2], Buy: [0, 1] };
    const error = refusal(document);
    expect(error.field).toBe('matrix.Buy');
    expect(error.message).toMatch(/traps users: after Buy they never do Browse again/);
  });

  it('When two actions pass users only between themselves, Then the closed group is refused naming one of its rows', () => {
    const document = shop();
    (document.actions as unknown[]).push({ name: 'Pay', requests: [{ path: '/pay' }] });
    document.matrix = { Browse: [0.5, 0.5, 0], Buy: [0, 0, 1], Pay: [0, 1, 0] };
    const error = refusal(document);
    expect(error.field).toMatch(/^matrix\.(Buy|Pay)$/);
    expect(error.message).toMatch(/never do Browse again/);
  });

  it('When no row leads to an action, Then it is refused naming the matrix and the action', () => {
    const document = shop();
    (document.actions as unknown[]).push({ name: 'Pay', requests: [{ path: '/pay' }] });
    document.matrix = { Browse: [0.5, 0.5, 0], Buy: [1, 0, 0], Pay: [1, 0, 0] };
    const error = refusal(document);
    expect(error.field).toBe('matrix');
    expect(error.message).toMatch(/no row leads to Pay from the start action Browse/);
  });

  it('When only the start action is never done again, Then it is accepted (a first action is not a trap)', () => {
    const document = shop();
    (document.actions as unknown[]).push({ name: 'Pay', requests: [{ path: '/pay' }] });
    document.matrix = { Browse: [0, 1, 0], Buy: [0, 0, 1], Pay: [0, 1, 0] };
    expect(() => compileProfile(parseProfileDocument(document))).not.toThrow();
  });

  it('When a matrix entry is negative, Then it is refused naming the entry', () => {
    const document = shop();
    document.matrix = { Browse: [1.2, -0.2], Buy: [1, 0] };
    const error = refusal(document);
    expect(error.field).toBe('matrix.Browse[0]');
  });

  it('When the matrix names an unknown action, Then the action is named', () => {
    const document = shop();
    document.matrix = { Browse: [0.8, 0.2], Buy: [1, 0], Checkout: [1, 0] };
    const error = refusal(document);
    expect(error.field).toBe('matrix.Checkout');
    expect(error.message).toContain('unknown action "Checkout"');
  });

  it('When an action has no row, Then the missing row is named', () => {
    const document = shop();
    document.matrix = { Browse: [0.8, 0.2] };
    expect(refusal(document).field).toBe('matrix.Buy');
  });

  it('When a row has the wrong length, Then it says how many entries it needs', () => {
    const document = shop();
    document.matrix = { Browse: [1], Buy: [1, 0] };
    const error = refusal(document);
    expect(error.field).toBe('matrix.Browse');
    expect(error.message).toContain('needs 2');
  });

  it('When a flat mix names an unknown action or does not sum to 1, Then the field is named', () => {
    const document = shop();
    delete document.matrix;
    document.mix = { Browse: 0.5, Pay: 0.5 };
    expect(refusal(document).field).toBe('mix.Pay');
    document.mix = { Browse: 0.5, Buy: 0.4 };
    expect(refusal(document).field).toBe('mix');
  });

  it('When a capture regex does not compile, Then its path is named', () => {
    const document = shop();
    ((document.actions as { requests: { capture: { regex: string }[] }[] }[])[0]?.requests[0]?.capture[0] as { regex: string }).regex = 'data-cart="(\\w+"';
    const error = refusal(document);
    expect(error.field).toBe('actions[0].requests[0].capture[0].regex');
    expect(error.message).toContain('not a valid regular expression');
  });

  it('When a template uses an unknown variable, Then the template field is named', () => {
    const document = shop();
    ((document.actions as { requests: { path: string }[] }[])[1]?.requests[0] as { path: string }).path = '/cart/{{basket}}';
    const error = refusal(document);
    expect(error.field).toBe('actions[1].requests[0].path');
    expect(error.message).toContain('"basket"');
  });

  it('When a generator gets bad arguments, Then the template field is named', () => {
    const document = shop();
    ((document.actions as { requests: { path: string }[] }[])[0]?.requests[0] as { path: string }).path = '/items/{{int 9 1}}';
    expect(refusal(document).field).toBe('actions[0].requests[0].path {{int 9 1}}');
  });

  it('When a field is unknown or mistyped, Then zod names its path', () => {
    const document = shop();
    (document.actions as Record<string, unknown>[])[0] = { name: 'Browse', requests: [{ path: '/', retries: 3 }] };
    const unknownField = refusal(document);
    expect(unknownField.field).toBe('actions[0].requests[0]');
    expect(unknownField.message).toContain('"retries"');
    expect(unknownField.message).toContain('shop.yaml');
    const typo = shop();
    typo.think = { mean: '1s', distribution: 'gaussian' };
    expect(refusal(typo).field).toBe('think.distribution');
  });

  it('When a `when` names a variable nobody sets, Then the condition is named', () => {
    const document = shop();
    ((document.actions as { requests: Record<string, unknown>[] }[])[1]?.requests[0] as Record<string, unknown>).when = ['cart', '!loggedIn'];
    expect(refusal(document).field).toBe('actions[1].requests[0].when[1]');
  });

  it('When an action name repeats, Then the second one is named', () => {
    const document = shop();
    (document.actions as { name: string }[])[1] = { name: 'Browse', requests: [{ path: '/' }] } as never;
    expect(refusal(document).field).toBe('actions[1].name');
  });

  it.each([
    [{ mean: '1000h' }, 'think.mean'],
    [{ mean: '1s', max: '1000h' }, 'think.max'],
  ])('When a think time is absurd (%j: a timer would overflow), Then %s is named', (think, field) => {
    const document = shop();
    document.think = think;
    expect(refusal(document).field).toBe(field);
  });

  it('When a timeout is 1000h, Then timeout is named', () => {
    const document = shop();
    document.timeout = '1000h';
    expect(refusal(document).field).toBe('timeout');
  });

  it('When a think time cap is below its mean, Then think.max is named', () => {
    const document = shop();
    document.think = { mean: '5s', max: '1s' };
    expect(refusal(document).field).toBe('think.max');
  });
});

describe('Given the built-in Olio profile', () => {
  const profile = loadProfile('olio');

  it("Then it has Faban's seven operations in matrix order, cycle times of mean 5 s capped at 25 s, 40 % cold caches", () => {
    expect(profile.actions.map((action) => action.name)).toEqual([...OLIO_ACTIONS]);
    expect(profile.think).toEqual({ distribution: 'negexp', mode: 'cycle', meanMs: 5000, maxMs: 25_000 });
    expect(profile.coldCacheFraction).toBe(0.4);
    expect(profile.mix.start).toBe(0);
    expect(profile.mix.probability(0, 2)).toBeCloseTo(0.52, 12);
    expect(profile.mix.probability(5, 4)).toBe(1);
  });

  it('Then AddPerson is timed from the form fetch (its logout is not timed)', () => {
    const addPerson = profile.actions[5];
    expect(addPerson?.requests.map((request) => request.timed)).toEqual([false, true, true]);
    expect(addPerson?.requests[0]?.endSession).toBe(true);
  });

  it('Then its scale parameter follows the app, and tags follow the scale', () => {
    expect(loadProfile('olio', { scale: 2000 }).params).toEqual({ scale: 2000, tags: 200 });
    expect(() => loadProfile('olio', { users: 3 })).toThrow(InvalidInputError);
  });
});

describe('Given profile files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migrascope-profile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('When the YAML is valid, Then it loads and parameters can be overridden', () => {
    const path = join(dir, 'shop.yaml');
    writeFileSync(path, 'name: shop\nparams: {items: 5}\nthink: {mean: 2s, mode: think}\nactions:\n  - name: Home\n    requests: [{path: "/{{items}}"}]\n');
    const profile = loadProfile(path, { items: 9 });
    expect(profile.params.items).toBe(9);
    expect(profile.think.mode).toBe('think');
    expect(() => loadProfile(path, { nope: 1 })).toThrow(/params\.nope/);
  });

  it('When the file is missing or not YAML, Then --profile is named', () => {
    expect(() => loadProfile(join(dir, 'absent.yaml'))).toThrow(/--profile: cannot read/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: [unclosed\n');
    expect(() => loadProfile(bad)).toThrow(/--profile: .*not valid YAML/);
  });
});
