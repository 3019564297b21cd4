import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml } from './html.ts';

describe('html template', () => {
  it('given text with the five special characters, when interpolated, then each is escaped', () => {
    expect(html`<p title="${`a"b'c`}">${'<&>'}</p>`.text).toBe('<p title="a&quot;b&#39;c">&lt;&amp;&gt;</p>');
  });

  it('given SafeHtml, nested arrays and numbers, when interpolated, then markup stays and text is escaped once', () => {
    const items = ['<1>', '2'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${3}`.text).toBe('<ul><li>&lt;1&gt;</li><li>2</li></ul>3');
    expect(html`${new SafeHtml('<br>')}`.text).toBe('<br>');
  });

  it('given nothing to show (null, undefined, false), when interpolated, then nothing is written', () => {
    expect(html`[${null}${undefined}${false}]`.text).toBe('[]');
  });

  it('given already-escaped text, when escaped again, then the ampersands are escaped (no double decoding)', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml('plain')).toBe('plain');
  });
});
