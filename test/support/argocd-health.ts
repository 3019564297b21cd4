// What Argo CD shows for an object: the health check we ship in deploy/argocd/argocd-cm.yaml,
// looked up by the object's kind as Argo CD does (resource.customizations.health.<group>_<Kind>)
// and run on Argo CD's Lua interpreter by test/controlplane/cmd/argocd-health.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ARGOCD_CM_FILE, healthKey } from '../../scripts/argocd-cm.ts';
import { locateHelper } from '../controlplane/binaries.ts';
import { throughJsonLines } from './json-lines-command.ts';
import { repoRoot } from './manifests.ts';

export interface ArgocdHealth {
  status?: 'Progressing' | 'Healthy' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  message?: string;
  /** The script failed to run (a Lua error, or it returned something other than a table). */
  error?: string;
}

/** The health Argo CD would show for each object, in order. */
export async function argocdHealth(objects: readonly { kind?: unknown }[]): Promise<ArgocdHealth[]> {
  const { data } = parse(readFileSync(join(repoRoot, ARGOCD_CM_FILE), 'utf8')) as { data: Record<string, string> };
  const requests = objects.map((object) => {
    const script = data[healthKey(String(object.kind))];
    if (script === undefined) throw new Error(`${ARGOCD_CM_FILE} has no health check for kind ${String(object.kind)}`);
    return { script, object };
  });
  return throughJsonLines<ArgocdHealth>(locateHelper('argocd-health'), requests);
}
