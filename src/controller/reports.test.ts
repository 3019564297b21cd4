import { describe, expect, it } from 'vitest';
import { campaign, experiment } from '../api/testing/cases.ts';
import type { ObjectCache } from './informer-set.ts';
import { reportPage, reportPath } from './reports.ts';
import type { StoredObject } from './resources.ts';

function cache(objects: StoredObject[]): ObjectCache {
  return {
    get: (namespace, name) => objects.find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name),
    list: () => objects,
  };
}

const finished = {
  ...experiment('study'),
  metadata: { name: 'study', namespace: 'lab', uid: 'u-1' },
  status: {
    phase: 'Succeeded',
    runs: [
      {
        index: 1,
        state: 'Succeeded',
        startTime: '2026-01-01T10:00:00Z',
        actions: [{ action: 'HomePage', count: 120, errors: 0, thresholdSeconds: 1, percentiles: [{ percentile: 90, maxSeconds: 0.2, violations: 0, verdict: 'Pass' }], verdict: 'Pass' }],
        migrations: [{ index: 1, offset: '5m', state: 'Succeeded', durationSeconds: 44, downtimeSeconds: 3 }],
      },
    ],
  },
} as StoredObject;
const shared = { ...campaign('study'), metadata: { name: 'study', namespace: 'lab', uid: 'u-2' }, status: { phase: 'Running', levels: [] } } as StoredObject;
const sources = { experiments: cache([finished]), campaigns: cache([shared]), prefix: 'migrascope', now: () => new Date('2026-01-01T11:00:00Z') };
const get = (path: string) => {
  const url = new URL(path, 'http://controller');
  return reportPage(sources, url.pathname, url.searchParams);
};

describe('given a finished experiment and a campaign of the same name in the cache, and no Redis', () => {
  it('when its path is asked for, then the report names it and its actions, without charts, and says why', async () => {
    const page = await get(reportPath('MigrationExperiment', 'lab', 'study'));
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.body).toContain('lab/study');
    expect(page.body).toContain('HomePage');
    expect(page.body).toContain('Charts unavailable (report built from the status alone): run 1: this controller reads no Redis.');
  });

  it("when the campaign's status.reportPath is asked for, then it is the campaign's report, not the experiment's", async () => {
    expect(reportPath('MigrationCampaign', 'lab', 'study')).toBe('/reports/lab/study?kind=campaign');
    const page = await get(reportPath('MigrationCampaign', 'lab', 'study'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('MigrationCampaign');
  });

  it('when a missing object, a bad kind or a partial path is asked for, then a 404 says what is missing', async () => {
    expect(await get('/reports/lab/other')).toMatchObject({ status: 404, body: 'no MigrationExperiment or MigrationCampaign "other" in namespace "lab" (is it watched by this controller?)\n' });
    expect(await get('/reports/lab/study?kind=experiment')).toMatchObject({ status: 200 });
    expect(await get('/reports/elsewhere/study?kind=campaign')).toMatchObject({ status: 404, body: expect.stringContaining('no MigrationCampaign "study" in namespace "elsewhere"') });
    expect(await get('/reports/lab/study?kind=pool')).toMatchObject({ status: 404, body: expect.stringContaining('kind is experiment or campaign') });
    expect(await get('/reports/lab')).toMatchObject({ status: 404, body: expect.stringContaining('reports are at /reports/<namespace>/<name>') });
  });
});
