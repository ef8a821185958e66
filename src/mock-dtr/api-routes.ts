/**
 * DTR's HTTP API as the mock serves it: every route follows DTR's own API specification of the mock's
 * version (test/contract/spec/, checked by the contract tests), with the exceptions
 * test/contract/spec-exceptions.ts names. Every body is built with `schema.parse(...)` from
 * src/api/schemas.ts, the schemas the client reads with, so the two cannot drift.
 */
import type { ApiRoute } from './api-route.js';
import { jobRoutes } from './routes-jobs.js';
import { metaRoutes } from './routes-meta.js';
import { repositoryRoutes } from './routes-repositories.js';

export type { ApiContext, ApiRoute } from './api-route.js';

export const apiRoutes: readonly ApiRoute[] = [...metaRoutes, ...jobRoutes, ...repositoryRoutes];

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: ApiRoute; readonly params: string[] }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed' };

export function matchApiRoute(method: string, pathname: string): RouteMatch {
  let pathMatched = false;
  for (const route of apiRoutes) {
    const match = route.pattern.exec(pathname);
    if (match === null) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    try {
      return { kind: 'found', route, params: match.slice(1).map((part) => decodeURIComponent(part)) };
    } catch {
      return { kind: 'not-found' };
    }
  }
  return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}
