import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { experiment } from '../api/testing/cases.ts';
import { parseExperiment } from '../api/v1alpha1/index.ts';
import { createLogger } from '../log/index.ts';
import type { ResultsDocument } from '../results/results-file.ts';
import { ResultsArchive } from './results-archive.ts';
import type { StoredObject } from './resources.ts';

const log = createLogger({ level: 'silent' });

function finishedAt(completionTime: string): StoredObject {
  return { ...experiment('kept'), metadata: { name: 'kept', namespace: 'lab', uid: 'u-1' }, status: { phase: 'Succeeded', completionTime } } as StoredObject;
}

function documentOf(object: StoredObject): ResultsDocument {
  return { kind: 'MigrationExperiment', writtenAt: new Date().toISOString(), experiment: { experiment: { ...parseExperiment({ ...object, status: undefined }), status: object.status ?? {} }, runs: [] } };
}

describe('given a results volume', () => {
  it('when a finished experiment is kept again (another reconcile, a restarted controller), then it is written once; a rerun that finishes again is written again, the first kept beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrascope-archive-'));
    let builds = 0;
    const build = (object: StoredObject) => async () => ((builds += 1), documentOf(object));
    const first = finishedAt('2026-01-01T10:00:00Z');
    const archive = new ResultsArchive(dir, log);
    expect(await archive.keep(first, build(first))).toBe(join(dir, 'lab', 'kept.results.json.gz'));
    expect(await archive.keep(first, build(first))).toBeUndefined();
    expect(await new ResultsArchive(dir, log).keep(first, build(first))).toBeUndefined();
    expect(builds).toBe(1);

    const rerun = finishedAt('2026-01-02T10:00:00Z');
    await archive.keep(rerun, build(rerun));
    expect(builds).toBe(2);
    const files = await readdir(join(dir, 'lab'));
    expect(files).toHaveLength(2);
    expect(files).toContain('kept.results.json.gz');
    const kept = await archive.read('lab', 'kept', 'MigrationExperiment');
    expect(kept?.kind === 'MigrationExperiment' && kept.experiment.experiment.status?.completionTime).toBe('2026-01-02T10:00:00Z');
  });

  it('when a name that is no Kubernetes name is read (from a report URL), then nothing outside the volume is looked at', async () => {
    const archive = new ResultsArchive(await mkdtemp(join(tmpdir(), 'migrascope-archive-')), log);
    expect(await archive.read('..', 'etc', 'MigrationExperiment')).toBeUndefined();
    expect(await archive.read('lab', '../../x', 'MigrationExperiment')).toBeUndefined();
    expect(await archive.read('lab', 'absent', 'MigrationCampaign')).toBeUndefined();
  });
});
