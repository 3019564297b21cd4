// The report as a person sees it: written to a file, opened in headless Chromium (the Debian
// package) with every non-file request blocked and recorded, then checked for what must be on
// screen: a chart per action with its lines and the migration shaded, the tables' rows, the
// verdicts, the hover tooltip and the logarithmic axis. The screenshot goes to docs/report.png.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCampaignReport, renderExperimentReport } from '../../src/report/index.ts';
import { safeLoadCampaignReport, studyExperimentReport } from '../../src/report/testing/synthetic.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOT = join(import.meta.dirname, '../../docs/report.png');

interface Opened {
  page: Page;
  /** Requests for anything but the file itself: must stay empty. */
  outside: string[];
  /** Content-security-policy violations: a reference the policy stopped before any request. */
  violations: string[];
  errors: string[];
}

let browser: Browser;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'migrascope-report-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function open(name: string, html: string): Promise<Opened> {
  const file = join(directory, name);
  await writeFile(file, html);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const opened: Opened = { page, outside: [], violations: [], errors: [] };
  await context.route(/.*/, async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    opened.outside.push(url);
    return route.abort();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) opened.outside.push(request.url());
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') opened.errors.push(message.text());
  });
  await page.exposeFunction('reportViolation', (uri: string) => opened.violations.push(uri));
  // As text: this code runs in the page, whose DOM types the project's Node-only tsconfig lacks.
  await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (event) => window.reportViolation(event.blockedURI));" });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return opened;
}

/** The rendered size of every element matching the selector. */
async function boxes(page: Page, selector: string): Promise<{ width: number; height: number }[]> {
  return page.$$eval(selector, (elements) =>
    elements.map((element) => {
      const box = element.getBoundingClientRect();
      return { width: box.width, height: box.height };
    }),
  );
}

describe('Given the report of the study’s single migration: 600 users, a 44 s migration with 3 s of downtime', () => {
  const input = studyExperimentReport(1);
  const result = input.runs[0]!.result;
  let opened: Opened;

  beforeAll(async () => {
    opened = await open('experiment.html', renderExperimentReport(input));
  });

  describe('When Chromium opens it from a file, with the network cut off', () => {
    it('Then it asks for nothing beyond the file, and no script fails', () => {
      expect(opened.outside).toEqual([]);
      expect(opened.violations).toEqual([]);
      expect(opened.errors).toEqual([]);
    });

    it('Then there is one chart per action in the results, each drawn with a real size', async () => {
      const actions = await opened.page.$$eval('figure[data-action]:not([data-action=""])', (figures) => figures.map((f) => f.getAttribute('data-action')));
      expect(actions).toEqual(result.actions!.map((a) => a.action));
      const charts = await boxes(opened.page, 'figure[data-action]:not([data-action=""]) svg.chart');
      expect(charts).toHaveLength(actions.length);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(400);
        expect(chart.height).toBeGreaterThan(150);
      }
    });

    it('Then every chart draws its per-second and windowed lines and its threshold', async () => {
      for (const figure of await opened.page.$$('figure[data-action]:not([data-action=""])')) {
        const visible = async (selector: string) => (await figure.$$(selector)).length > 0 && ((await (await figure.$(selector))!.boundingBox())?.height ?? 0) > 0;
        expect(await visible('.y-lin path.per-second')).toBe(true);
        expect(await visible('.y-lin path.windowed')).toBe(true);
        expect((await (await figure.$('.y-lin line.threshold'))!.boundingBox())?.width).toBeGreaterThan(300);
      }
    });

    it('Then the migration is shaded in every chart: pre-copy, then the downtime', async () => {
      const preCopy = await boxes(opened.page, 'svg.chart rect.preCopy');
      const stopAndCopy = await boxes(opened.page, 'svg.chart rect.stopAndCopy');
      expect(preCopy).toHaveLength(result.actions!.length + 1); // and the load chart
      expect(stopAndCopy).toHaveLength(preCopy.length);
      for (const [index, box] of preCopy.entries()) {
        expect(box.width).toBeGreaterThan(stopAndCopy[index]!.width); // 40 s of pre-copy, 3 s of downtime
        expect(stopAndCopy[index]!.width).toBeGreaterThan(0);
      }
    });

    it('Then the actions table has a row per action with the status figures', async () => {
      const rows = await opened.page.$$eval('table.actions tbody tr', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent?.trim())));
      expect(rows.map((row) => row[0])).toEqual(result.actions!.map((a) => a.action));
      expect(rows.map((row) => row[1])).toEqual(result.actions!.map((a) => a.count.toLocaleString('en-US')));
      const migrations = await opened.page.$$eval('table.migrations tbody tr', (trs) => trs.map((tr) => tr.textContent));
      expect(migrations).toHaveLength(1);
      expect(migrations[0]).toContain('xen-a → xen-b');
    });

    it('Then the verdicts are on top, as the results say', async () => {
      const badges = await opened.page.$$eval('.headline .big-verdict', (divs) => divs.map((d) => `${d.getAttribute('data-percentile')} ${d.classList.contains('pass') ? 'Pass' : 'Fail'}`));
      expect(badges).toEqual(result.verdicts!.map((v) => `${v.percentile} ${v.verdict}`));
    });

    it('Then hovering a chart shows the values at that second', async () => {
      const hit = (await opened.page.$('figure[data-action="HomePage"] rect.hit'))!;
      await hit.scrollIntoViewIfNeeded();
      const box = (await hit.boundingBox())!;
      await opened.page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
      const tooltip = opened.page.locator('#tooltip');
      await expect.poll(() => tooltip.isVisible()).toBe(true);
      expect(await tooltip.textContent()).toMatch(/p99 this second.*p99, 5:00 window/);
      await opened.page.mouse.move(0, 0);
    });

    it('Then the logarithmic axis replaces the linear one when asked for', async () => {
      const height = async (selector: string) => (await boxes(opened.page, selector)).reduce((sum, b) => sum + b.height, 0);
      expect(await height('.y-log path.windowed')).toBe(0);
      await opened.page.check('#log-scale');
      expect(await height('.y-log path.windowed')).toBeGreaterThan(0);
      expect(await height('.y-lin path.windowed')).toBe(0);
      await opened.page.uncheck('#log-scale');
    });

    it('Then a screenshot of it is kept in docs/report.png', async () => {
      await opened.page.evaluate('window.scrollTo(0, 0)');
      await opened.page.screenshot({ path: SCREENSHOT, fullPage: true });
    });
  });
});

describe('Given the report of a safeLoad campaign of 7 levels with their experiments', () => {
  const input = safeLoadCampaignReport();
  let opened: Opened;

  beforeAll(async () => {
    opened = await open('campaign.html', renderCampaignReport(input));
  });

  describe('When Chromium opens it', () => {
    it('Then it asks for nothing beyond the file, and no script fails', () => {
      expect(opened.outside).toEqual([]);
      expect(opened.violations).toEqual([]);
      expect(opened.errors).toEqual([]);
    });

    it('Then the levels table has a row per level, the recommended one highlighted', async () => {
      const rows = await opened.page.$$eval('table.level-table tbody tr', (trs) => trs.map((tr) => ({ users: tr.getAttribute('data-users'), recommended: tr.classList.contains('recommended') })));
      expect(rows.map((r) => Number(r.users))).toEqual(input.levels.map((l) => l.users));
      expect(rows.filter((r) => r.recommended).map((r) => Number(r.users))).toEqual([input.recommendation!.users]);
    });

    it('Then the campaign chart is drawn with a point per action and level', async () => {
      const [chart] = await boxes(opened.page, 'svg.chart.campaign');
      expect(chart!.width).toBeGreaterThan(600);
      const points = await boxes(opened.page, 'svg.chart.campaign circle');
      expect(points.length).toBe(input.levels.length * 7);
      for (const point of points) expect(point.width).toBeGreaterThan(0);
    });

    it('Then the recommended level’s experiment is open with its charts drawn', async () => {
      const users = input.recommendation!.users!;
      const charts = await boxes(opened.page, `details#level-${users} svg.chart.response-time`);
      expect(charts.length).toBeGreaterThan(0);
      for (const chart of charts) expect(chart.height).toBeGreaterThan(0);
    });
  });
});
