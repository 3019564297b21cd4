import { describe, expect, it } from 'vitest';
import { redactUrlPassword } from './url-password.ts';

describe('redactUrlPassword', () => {
  it.each([
    ['https://root:PW@host:99999', 'https://root:***@host:99999'],
    ['root:PW@host', 'root:***@host'],
    ['https://host:443', 'https://host:443'],
    ['https://host/a:b@c', 'https://host/a:b@c'],
    ['redis://:PW@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['http://user:p@ss@host/path', 'http://user:***@host/path'],
    ['http://user:PW@[::1/x', 'http://user:***@[::1/x'],
  ])('given %s, then it reads %s', (url, shown) => {
    expect(redactUrlPassword(url)).toBe(shown);
  });
});
