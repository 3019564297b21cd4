// examples/gitops as Flux and Argo CD would take it: each tool's manifest points at a folder that
// is there, and that folder, built by the real kubectl (kustomize v5, what both tools run), is a
// pool, a profile and a campaign our parsers accept, in one namespace, referring to each other,
// with no Secret (a password does not go into git).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseResource, type MigrascopeResource } from '../../src/api/index.ts';
import { buildKustomizationText, find, parseManifests, readManifests, repoRoot, type KubeObject } from '../support/manifests.ts';

type Json = Record<string, unknown>;
const LAB = 'examples/gitops/lab';

describe('Given the Flux manifests of examples/gitops', () => {
  const objects = readManifests('examples/gitops/flux.yaml');
  const source = find(objects, 'GitRepository', 'migrascope-lab', 'flux-system');
  const kustomization = find(objects, 'Kustomization', 'migrascope-lab', 'flux-system');
  const spec = kustomization.spec as Json;

  it('then the Kustomization takes the lab folder from the GitRepository of the file', () => {
    expect(source.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(kustomization.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(spec.sourceRef).toEqual({ kind: 'GitRepository', name: source.metadata.name });
    expect(spec.path).toBe(`./${LAB}`);
    expect(existsSync(join(repoRoot, LAB, 'kustomization.yaml'))).toBe(true);
  });

  it('then it prunes what leaves git and waits for the objects to be Current (kstatus), longer than the campaign runs', () => {
    expect(spec).toMatchObject({ prune: true, wait: true, timeout: '2h' });
  });
});

describe('Given the Argo CD Application of examples/gitops', () => {
  const application = find(readManifests('examples/gitops/argocd.yaml'), 'Application', 'migrascope-lab', 'argocd');
  const spec = application.spec as { source: Json; destination: Json; syncPolicy: Json };

  it('then it syncs the lab folder, automatically, into the namespace the folder names', () => {
    expect(application.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(spec.source.path).toBe(LAB);
    const folder = readManifests(join(LAB, 'kustomization.yaml'))[0] as unknown as { namespace: string };
    expect(spec.destination).toMatchObject({ server: 'https://kubernetes.default.svc', namespace: folder.namespace });
    expect(spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true } });
  });
});

describe('Given the lab folder both tools apply', () => {
  let built: KubeObject[];
  let resources: MigrascopeResource[];
  beforeAll(async () => {
    built = parseManifests(await buildKustomizationText(LAB));
    resources = built.map((object) => parseResource(object));
  });

  it('when kubectl kustomize builds it, then it is a pool, the DokuWiki profile and a campaign, all in namespace lab, and no Secret', () => {
    expect(built.map((object) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`).sort()).toEqual([
      'MigrationCampaign lab/dokuwiki-safe-load',
      'WorkloadProfile lab/dokuwiki',
      'XenPool lab/lab-pool',
    ]);
  });

  it('then the profile is examples/dokuwiki/workloadprofile.yaml as it is: written once', () => {
    const [original] = readManifests('examples/dokuwiki/workloadprofile.yaml');
    expect(find(built, 'WorkloadProfile', 'dokuwiki', 'lab').spec).toEqual(original?.spec);
  });

  it("then the campaign's pool and profile are the ones built beside it", () => {
    const campaign = resources.find((resource) => resource.kind === 'MigrationCampaign');
    if (campaign?.kind !== 'MigrationCampaign') throw new Error('no MigrationCampaign in the build');
    const { poolRef, workload } = campaign.spec.template.spec;
    expect(resources.some((resource) => resource.kind === 'XenPool' && resource.metadata.name === poolRef.name)).toBe(true);
    expect(resources.some((resource) => resource.kind === 'WorkloadProfile' && resource.metadata.name === workload.profileRef?.name)).toBe(true);
  });
});
