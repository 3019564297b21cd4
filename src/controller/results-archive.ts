// The results volume of the operator: each finished experiment's results file, written once when
// it finishes and again before its finalizer lets it go (whichever comes first does the work), so
// its per-second histograms survive the TTL deletion that takes its status and its Redis streams;
// and each finished campaign's, with its levels' experiments in full, so its report outlives it.
// Files go to <results dir>/<namespace>/<name>.results.json.gz (.campaign… for a campaign); the
// reports of objects that are gone are rebuilt from them.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OBJECT_NAME_PATTERN } from '../api/v1alpha1/index.ts';
import type { Logger } from '../log/index.ts';
import { readResults, resultsFileName, writeResults, type ResultsDocument } from '../results/index.ts';
import type { StoredObject } from './resources.ts';

export class ResultsArchive {
  readonly #dir: string;
  readonly #log: Logger;
  /** uid -> the completionTime whose results are on the volume (a rerun finishes again). */
  readonly #kept = new Map<string, string>();

  constructor(dir: string, log: Logger) {
    this.#dir = dir;
    this.#log = log.child({ component: 'results-archive' });
  }

  /**
   * Writes the results of a finished experiment or campaign unless the volume already holds those
   * of this finish; `build` reads them (the status and the runs' streams in Redis). Returns the
   * path written, or undefined when there was nothing new to write.
   */
  async keep(kind: ResultsDocument['kind'], object: StoredObject, build: () => Promise<ResultsDocument>): Promise<string | undefined> {
    const { uid = '', namespace = 'default', name = '' } = object.metadata ?? {};
    const finished = (object.status as { completionTime?: string } | undefined)?.completionTime ?? '';
    if (this.#kept.get(uid) === finished) return undefined;
    const existing = await this.read(namespace, name, kind).catch(() => undefined);
    if (existing && finishOf(existing).uid === uid && finishOf(existing).completionTime === finished) {
      this.#kept.set(uid, finished);
      return undefined;
    }
    const path = await writeResults(join(this.#dir, namespace), name, await build());
    this.#kept.set(uid, finished);
    this.#log.info({ [kind === 'MigrationCampaign' ? 'campaign' : 'experiment']: `${namespace}/${name}`, path }, 'results kept on the results volume');
    return path;
  }

  /** The results of `name` in `namespace` on the volume, or undefined when there are none. */
  async read(namespace: string, name: string, kind: ResultsDocument['kind']): Promise<ResultsDocument | undefined> {
    // Names come from report URLs too: only what Kubernetes allows as names reaches the file system.
    if (!OBJECT_NAME_PATTERN.test(namespace) || !OBJECT_NAME_PATTERN.test(name)) return undefined;
    const path = join(this.#dir, namespace, resultsFileName(kind, name));
    if (!(await stat(path).catch(() => undefined))?.isFile()) return undefined;
    return readResults(path);
  }

  forget(uid: string): void {
    this.#kept.delete(uid);
  }
}

/** Whose finish a results file holds: the object's uid and completion time. */
function finishOf(document: ResultsDocument): { uid: string | undefined; completionTime: string | undefined } {
  const object = document.kind === 'MigrationExperiment' ? document.experiment.experiment : document.campaign;
  return { uid: object.metadata.uid, completionTime: object.status?.completionTime };
}
