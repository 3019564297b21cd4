// Who may read the controller's /metrics and reports: controller-runtime's
// filters.WithAuthenticationAndAuthorization in TypeScript. The caller's bearer token goes to the
// API server in a TokenReview (authentication.k8s.io/v1): who is this? The answer, with what the
// request wants, goes back in a SubjectAccessReview (authorization.k8s.io/v1): may they? So access
// is granted with ordinary RBAC (a ClusterRole with nonResourceURLs ["/metrics"] get, as kubebuilder
// generates, or get on the experiment for its report), and revoking a binding revokes it.
//
// Both answers are cached briefly (DECISION_TTL_MS, at most CACHE_ENTRIES each) as controller-runtime
// does, so a Prometheus scraping every few seconds costs the API server a review now and then, not
// two per scrape; a revoked binding takes effect within the TTL. Tokens are cached by their SHA-256,
// never kept or logged as they are.
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Access, GuardDecision, RequestGuard } from '../../metrics/index.ts';
import { KubeClient } from './kube-client.ts';

export const DECISION_TTL_MS = 10_000;
export const CACHE_ENTRIES = 1000;

interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: UserInfo;
  error?: string;
}

interface SubjectAccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface RequestAuthorizerOptions {
  /** The controller's own identity: it needs create on tokenreviews and subjectaccessreviews. */
  kubeConfig: KubeConfig;
  ttlMs?: number;
  now?: () => number;
}

export class KubeRequestAuthorizer implements RequestGuard {
  readonly #client: KubeClient;
  readonly #users: ExpiringCache<UserInfo | string>;
  readonly #decisions: ExpiringCache<GuardDecision>;

  constructor(options: RequestAuthorizerOptions) {
    this.#client = KubeClient.for(options.kubeConfig);
    const ttlMs = options.ttlMs ?? DECISION_TTL_MS;
    const now = options.now ?? Date.now;
    this.#users = new ExpiringCache(ttlMs, CACHE_ENTRIES, now);
    this.#decisions = new ExpiringCache(ttlMs, CACHE_ENTRIES, now);
  }

  async admit(authorization: string | undefined, access: Access): Promise<GuardDecision> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return { allowed: false, status: 401, reason: 'Unauthorized: send a bearer token (Authorization: Bearer <token>), e.g. a service account token' };
    const user = await this.#authenticate(token);
    if (typeof user === 'string') return { allowed: false, status: 401, reason: `Unauthorized: ${user}` };
    const key = JSON.stringify([user.username, user.uid, user.groups, access]);
    const cached = this.#decisions.get(key);
    if (cached) return cached;
    const decision = await this.#authorize(user, access);
    this.#decisions.set(key, decision);
    return decision;
  }

  /** The token's user, or why it is refused (a string). */
  async #authenticate(token: string): Promise<UserInfo | string> {
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.#users.get(key);
    if (cached !== undefined) return cached;
    const review = await this.#client.request<{ status?: TokenReviewStatus }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    });
    const status = review.status ?? {};
    const user = status.authenticated && status.user ? status.user : `the token is not valid${status.error ? ` (${status.error})` : ''}`;
    this.#users.set(key, user);
    return user;
  }

  async #authorize(user: UserInfo, access: Access): Promise<GuardDecision> {
    const attributes =
      'resource' in access ? { resourceAttributes: access.resource } : { nonResourceAttributes: { path: access.nonResourcePath, verb: access.verb } };
    const review = await this.#client.request<{ status?: SubjectAccessReviewStatus }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups ?? [], ...(user.extra ? { extra: user.extra } : {}), ...attributes },
    });
    const status = review.status ?? {};
    if (status.allowed === true) return { allowed: true };
    const what = 'resource' in access ? `${access.resource.verb} ${access.resource.resource} "${access.resource.name}" in namespace "${access.resource.namespace}"` : `${access.verb} ${access.nonResourcePath}`;
    return { allowed: false, status: 403, reason: `Forbidden: user "${user.username}" may not ${what}${status.reason ? ` (${status.reason})` : ''}` };
  }
}

/** A map whose entries expire after `ttlMs`; beyond `capacity` the oldest entry goes. */
class ExpiringCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();
  readonly ttlMs: number;
  readonly capacity: number;
  readonly now: () => number;

  constructor(ttlMs: number, capacity: number, now: () => number) {
    this.ttlMs = ttlMs;
    this.capacity = capacity;
    this.now = now;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}
