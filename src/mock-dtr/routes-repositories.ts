/**
 * The mock's repositories and tags [spec], paged by DTR's `pageStart`/`pageSize` with the next page's
 * start in `X-Next-Page-Start`. Fields follow the version: `tagLimit` from 2.6 on; 2.5's tags also
 * carry their scan results (`licenses`, `components`; empty here, as no scan ran).
 */
import { repositoryPageSchema, tagPageSchema } from '../api/schemas.js';
import type { ApiRoute } from './api-route.js';
import { cursorPage, errorReply, json } from './http-util.js';
import type { MockRepository, MockState, MockTag } from './state.js';
import { apiGeneration } from './versions.js';

function repositoryView(state: MockState, repo: MockRepository): Record<string, unknown> {
  return {
    id: repo.id,
    namespace: repo.namespace,
    namespaceType: 'organization',
    name: repo.name,
    shortDescription: '',
    visibility: repo.visibility,
    scanOnPush: false,
    immutableTags: false,
    enableManifestLists: true,
    pulls: 0,
    pushes: repo.tags.length,
    ...(apiGeneration(state.version) === '2.5' ? {} : { tagLimit: 0 }),
  };
}

function tagView(state: MockState, tag: MockTag): Record<string, unknown> {
  return {
    name: tag.name,
    digest: tag.digest,
    author: 'admin',
    createdAt: tag.createdAt,
    updatedAt: tag.updatedAt,
    hashMismatch: false,
    inNotary: false,
    manifest: { digest: tag.digest, mediaType: tag.mediaType, size: tag.size, os: 'linux', architecture: 'amd64' },
    ...(apiGeneration(state.version) === '2.5' ? { licenses: [], components: [] } : {}),
  };
}

export const repositoryRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/repositories$/,
    access: 'user',
    handle: (ctx) => {
      const page = cursorPage(ctx.state.repositories, (repo) => repo.id, ctx.query, ctx.pageSize);
      if (!page.ok) return page.reply;
      const repositories = page.page.map((repo) => repositoryView(ctx.state, repo));
      return json(200, repositoryPageSchema.parse({ repositories }), page.headers);
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/repositories\/([^/]+)\/([^/]+)\/tags$/,
    access: 'user',
    handle: (ctx) => {
      const [namespace, name] = ctx.params;
      const repo = ctx.state.repositories.find((r) => r.namespace === namespace && r.name === name);
      if (repo === undefined)
        return errorReply(404, 'NO_SUCH_REPOSITORY', `no repository ${namespace ?? ''}/${name ?? ''}`);
      const page = cursorPage(repo.tags, (tag) => tag.name, ctx.query, ctx.pageSize);
      if (!page.ok) return page.reply;
      return json(200, tagPageSchema.parse(page.page.map((tag) => tagView(ctx.state, tag))), page.headers);
    },
  },
];
