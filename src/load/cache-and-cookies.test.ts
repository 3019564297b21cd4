import { describe, expect, it } from 'vitest';
import { CookieJar } from './cookies.ts';
import { ResourceCache } from './resource-cache.ts';

describe('Given a resource cache', () => {
  it('Then each path must be loaded once, across growth, until cleared', () => {
    const cache = new ResourceCache();
    const paths = Array.from({ length: 1000 }, (_, i) => `/images/events/${i}.jpg`);
    expect(paths.every((path) => cache.add(path))).toBe(true);
    expect(cache.size).toBe(1000);
    expect(paths.some((path) => cache.add(path))).toBe(false);
    expect(cache.has('/images/events/999.jpg')).toBe(true);
    expect(cache.has('/images/events/1000.jpg')).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.add(paths[0] ?? '')).toBe(true);
  });
});

describe('Given a cookie jar', () => {
  it('Then it keeps name=value pairs, replaces, and deletes on expiry or an empty value', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.accept('msid=abc; Path=/; HttpOnly');
    jar.accept('theme=dark');
    expect(jar.header()).toBe('msid=abc; theme=dark');
    jar.accept('msid=def; Path=/');
    expect(jar.get('msid')).toBe('def');
    jar.accept('theme=gone; Max-Age=0');
    expect(jar.header()).toBe('msid=def');
    jar.accept('msid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.header()).toBeUndefined();
    jar.accept('a=1');
    jar.accept('a=');
    expect(jar.size).toBe(0);
  });
});
