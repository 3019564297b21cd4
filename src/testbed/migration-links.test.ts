import { describe, expect, it } from 'vitest';
import { linkShares, MigrationLinks, scaledLinks } from './migration-links.ts';

const gigabit = () => 125e6;

describe('Given the equal-shares rule of the migration links', () => {
  it('When one migration copies, Then it has the slower of its two links', () => {
    const bandwidth = (host: string) => (host === 'slow' ? 50e6 : 125e6);
    expect(linkShares([{ source: 'a', destination: 'b' }], gigabit)).toEqual([125e6]);
    expect(linkShares([{ source: 'a', destination: 'slow' }], bandwidth)).toEqual([50e6]);
  });

  it('When two leave the same host, or go to the same host, Then each has half of that link', () => {
    expect(linkShares([{ source: 'a', destination: 'b' }, { source: 'a', destination: 'c' }], gigabit)).toEqual([62.5e6, 62.5e6]);
    expect(linkShares([{ source: 'a', destination: 'c' }, { source: 'b', destination: 'c' }], gigabit)).toEqual([62.5e6, 62.5e6]);
  });

  it('When migrations share no host, Then none slows the other', () => {
    expect(linkShares([{ source: 'a', destination: 'b' }, { source: 'c', destination: 'd' }], gigabit)).toEqual([125e6, 125e6]);
  });

  it("When a host's link is shared three ways, Then a migration through it moves at a third even if its other end is free", () => {
    const uses = [
      { source: 'a', destination: 'h' },
      { source: 'b', destination: 'h' },
      { source: 'h', destination: 'c' },
      { source: 'd', destination: 'e' },
    ];
    expect(linkShares(uses, gigabit)).toEqual([125e6 / 3, 125e6 / 3, 125e6 / 3, 125e6]);
  });

  it('When a migration goes to its own host, Then it counts once on that link', () => {
    expect(linkShares([{ source: 'a', destination: 'a' }], gigabit)).toEqual([125e6]);
  });
});

describe('Given the links of a pool', () => {
  it('When migrations join and leave, Then every member hears its share divided again', () => {
    const links = new MigrationLinks(gigabit);
    const heard: string[] = [];
    const first = links.between('a', 'c')((share) => heard.push(`first ${share / 1e6}`));
    const second = links.between('b', 'c')((share) => heard.push(`second ${share / 1e6}`));
    links.between('d', 'e')((share) => heard.push(`third ${share / 1e6}`));
    first.leave();
    first.leave();
    second.leave();
    expect(heard).toEqual(['first 125', 'first 62.5', 'second 62.5', 'third 125', 'second 125']);
  });

  it('When a member leaves while hearing its share, Then the others get the shares as they stand after', () => {
    const links = new MigrationLinks(gigabit);
    const heard: string[] = [];
    const first = links.between('a', 'c')((share) => {
      heard.push(`first ${share / 1e6}`);
      if (share < 125e6) first.leave();
    });
    links.between('b', 'c')((share) => heard.push(`second ${share / 1e6}`));
    expect(heard).toEqual(['first 125', 'first 62.5', 'second 125']);
  });

  it('When one migration runs on links ten times faster (spec.testbed.linkBandwidth), Then it gets the same fraction of them', () => {
    const links = new MigrationLinks(gigabit);
    const heard: string[] = [];
    scaledLinks(links.between('a', 'c'), 10)((share) => heard.push(`fast ${share / 1e6}`));
    links.between('b', 'c')((share) => heard.push(`other ${share / 1e6}`));
    expect(heard).toEqual(['fast 1250', 'fast 625', 'other 62.5']);
  });
});
