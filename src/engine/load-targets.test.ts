import { describe, expect, it } from 'vitest';
import { refusalOf } from '../invalid/testing.ts';
import { LoadTargetAllowList, type Resolver } from './load-targets.ts';

// DNS is the one part stood in for: a table of names, so the test does not depend on the resolver
// of the machine it runs on. Everything else is the real matcher.
const dns: Record<string, string[]> = {
  'app.example.com': ['10.1.2.3'],
  'inside.example.org': ['10.9.9.9', 'fd00::9'],
  'sneaky.example.org': ['10.1.1.1', '169.254.169.254'],
  'v6.example.org': ['fd00::1234'],
};
const resolve: Resolver = async (host) => {
  const found = dns[host];
  if (!found) throw Object.assign(new Error(`no such host ${host}`), { code: 'ENOTFOUND' });
  return found;
};

const list = LoadTargetAllowList.parse(
  {
    lab: ['10.0.0.0/8', 'app.example.com', '*.lab.example.com', 'fd00::/8', '192.168.1.7'],
    closed: [],
    '*': ['shared.example.net'],
  },
  'loadTargets',
  resolve,
);

describe('Given the allow-list of the controller', () => {
  it('when a target is an IPv4 address inside or outside an allowed range, then it is allowed or refused naming the host and the namespace', async () => {
    expect(await list.refusal('lab', 'http://10.200.0.1:8080/')).toBeUndefined();
    expect(await list.refusal('lab', 'http://192.168.1.7/')).toBeUndefined();
    const refused = await list.refusal('lab', 'http://192.168.1.8/');
    expect(refused).toContain('load target "192.168.1.8" is not allowed');
    expect(refused).toContain('namespace "lab" may send load only to 10.0.0.0/8, app.example.com');
  });

  it('when a target is an IPv6 address, bracketed with a port, then its range decides; an IPv4 address written as IPv6 is still judged as IPv4', async () => {
    expect(await list.refusal('lab', 'http://[fd00::1]:8080/x')).toBeUndefined();
    expect(await list.refusal('lab', 'http://[2001:db8::1]/')).toContain('"2001:db8::1" is not allowed');
    expect(await list.refusal('lab', 'http://[::ffff:10.0.0.5]/')).toBeUndefined();
    expect(await list.refusal('lab', 'http://[::ffff:169.254.169.254]/')).toContain('is not allowed');
  });

  it('when a target is a host name, then it is matched exactly or below a *.suffix (not the suffix itself), whatever the port and case', async () => {
    expect(await list.refusal('lab', 'https://App.Example.com:8443/')).toBeUndefined();
    expect(await list.refusal('lab', 'http://web.lab.example.com:81/')).toBeUndefined();
    expect(await list.refusal('lab', 'http://a.b.lab.example.com/')).toBeUndefined();
    // lab.example.com itself is not below *.lab.example.com, and is not in DNS: refused, saying why.
    expect(await list.refusal('lab', 'http://lab.example.com/')).toContain('cannot be resolved (ENOTFOUND)');
    expect(await list.refusal('lab', 'http://evillab.example.com/')).toContain('cannot be resolved');
  });

  it('when a name not listed resolves only into allowed ranges, then it is allowed; when any of its addresses is outside, then it is refused naming that address', async () => {
    expect(await list.refusal('lab', 'http://inside.example.org/')).toBeUndefined();
    expect(await list.refusal('lab', 'http://v6.example.org/')).toBeUndefined();
    const refused = await list.refusal('lab', 'http://sneaky.example.org/');
    expect(refused).toContain('load target "sneaky.example.org" (169.254.169.254) is not allowed');
  });

  it('when a namespace has no entry, then only the "*" entries apply; an empty list allows only those', async () => {
    expect(await list.refusal('other', 'http://shared.example.net/')).toBeUndefined();
    expect(await list.refusal('closed', 'http://shared.example.net/')).toBeUndefined();
    expect(await list.refusal('other', 'http://10.1.2.3/')).toContain('namespace "other" may send load only to shared.example.net');
    const none = LoadTargetAllowList.parse({ lab: ['10.0.0.0/8'] }, 'loadTargets', resolve);
    expect(await none.refusal('other', 'http://10.1.2.3/')).toContain('names no target for namespace "other" nor for "*"');
  });

  it('when no list is configured, then every target is allowed and the list says it is unrestricted', async () => {
    const open = LoadTargetAllowList.unrestricted();
    expect(open.restricted).toBe(false);
    expect(list.restricted).toBe(true);
    expect(await open.refusal('lab', 'http://169.254.169.254/')).toBeUndefined();
  });

  it('when an entry is malformed, then the list is refused naming the entry and what an entry looks like', () => {
    expect(refusalOf(() => LoadTargetAllowList.parse({ lab: ['10.0.0.0/33'] }, 'loadTargets')).message).toContain('loadTargets.lab[0]: "10.0.0.0/33" is no host name');
    expect(refusalOf(() => LoadTargetAllowList.parse({ lab: ['http://app'] }, 'loadTargets')).message).toContain('loadTargets.lab[0]');
    expect(refusalOf(() => LoadTargetAllowList.parse({ lab: ['a.*.com'] }, 'loadTargets')).message).toContain('loadTargets.lab[0]');
    expect(refusalOf(() => LoadTargetAllowList.parse({ lab: '10.0.0.0/8' }, 'loadTargets')).message).toContain('loadTargets.lab: must be a list');
    expect(refusalOf(() => LoadTargetAllowList.parse(['10.0.0.0/8'], 'loadTargets')).message).toContain('loadTargets: must be a mapping of namespace');
  });
});
