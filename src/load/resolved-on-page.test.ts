import { describe, expect, it } from 'vitest';
import { resolvedOnPage } from './action-runner.ts';

describe('resolvedOnPage', () => {
  it('given a file named from the root, when resolved, then it is kept as it is', () => {
    expect(resolvedOnPage('/css/site.css', '/events.php?socialEventID=3')).toBe('/css/site.css');
  });

  it("given a file named relative to the page, when resolved, then it is under the page's directory, the page's query dropped", () => {
    expect(resolvedOnPage('fileService.php?file=e3t.jpg', '/events.php?socialEventID=3')).toBe('/fileService.php?file=e3t.jpg');
    expect(resolvedOnPage('fileService.php?file=e3t.jpg', '/olio/index.php')).toBe('/olio/fileService.php?file=e3t.jpg');
    expect(resolvedOnPage('p.jpg', '/a/b/?q=/x/y')).toBe('/a/b/p.jpg');
  });
});
