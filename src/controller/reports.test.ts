import { describe, expect, it } from 'vitest';
import { campaign, experiment } from '../api/testing/cases.ts';
import type { ObjectCache } from './informer-set.ts';
import { decodeResults } from '../results/results-file.ts';
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

describe('given the same experiment asked for in another format, or gone with its results on the volume', () => {
  it('when ?format=csv, json or results is asked for, then the data export or the results file comes back', async () => {
    const csv = await get('/reports/lab/study?format=csv');
    expect(csv).toMatchObject({ status: 200, contentType: 'text/csv; charset=utf-8' });
    expect(String(csv.body).split('\r\n')[0]).toMatch(/^record,experiment,run,time,offset_s,stage,action,ok,errors,p50_s,p90_s,p99_s,/);
    expect(String(csv.body)).toContain('migration,study,1,,,,,,,,,,,,1,Succeeded,,,44,3,');
    const json = await get('/reports/lab/study?format=json');
    expect(JSON.parse(String(json.body))).toMatchObject({ format: 'migrascope-results-export', kind: 'MigrationExperiment', name: 'study' });
    const file = await get('/reports/lab/study?format=results');
    expect(file.contentType).toBe('application/gzip');
    const document = decodeResults(Buffer.from(file.body as Uint8Array), 'served');
    expect(document.kind === 'MigrationExperiment' && document.experiment.experiment.status?.phase).toBe('Succeeded');
    expect(await get('/reports/lab/study?format=xlsx')).toMatchObject({ status: 404, body: expect.stringContaining('format is html, csv, json, results') });
    expect(String((await get('/reports/lab/study')).body)).toContain('href="?kind=experiment&amp;format=csv"');
  });

  it('when the object is gone, then the report is rebuilt from the results volume and says so', async () => {
    const file = await get('/reports/lab/study?format=results');
    const kept = decodeResults(Buffer.from(file.body as Uint8Array), 'kept');
    const archived = async (namespace: string, name: string, kind: string) => (namespace === 'lab' && name === 'deleted' && kind === 'MigrationExperiment' ? kept : undefined);
    const url = new URL('/reports/lab/deleted', 'http://controller');
    const page = await reportPage({ ...sources, experiments: cache([]), archived }, url.pathname, url.searchParams);
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('The MigrationExperiment is gone; this report is rebuilt from its results file');
    expect(String(page.body)).toContain('HomePage');
    const missing = new URL('/reports/lab/never', 'http://controller');
    expect(await reportPage({ ...sources, archived }, missing.pathname, missing.searchParams)).toMatchObject({ status: 404 });
  });
});
