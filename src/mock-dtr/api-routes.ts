/**
 * DTR's HTTP API as the mock serves it (see shared/reference/dtr-api.md, sections 1 to 6). Every body is
 * built with `schema.parse(...)` from src/api/schemas.ts, the schemas the client reads with, so the two
 * cannot drift. Handlers are pure functions of the request and the state: authentication, the
 * "destroyed" answer and faults are the server's business.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  clusterStatusSchema,
  cronListSchema,
  cronSchema,
  cronUpdateSchema,
  jobListSchema,
  jobRequestSchema,
  repositoryPageSchema,
  settingsSchema,
  settingsUpdateSchema,
  tagPageSchema,
} from '../api/schemas.js';
import { healthyReplicaStatus } from '../dtr/facts.js';
import { cursorPage, errorReply, intParam, json, parseJsonBody, type Reply } from './http-util.js';
import { cancelJob, createJob, isJobActive, jobLogs, jobView, knownJobActions, workersView } from './jobs.js';
import type { MockState, MockStorage } from './state.js';

export interface ApiContext {
  readonly state: MockState;
  readonly now: number;
  readonly query: URLSearchParams;
  readonly body: Buffer;
  /** Decoded captures of the route's pattern. */
  readonly params: readonly string[];
  readonly jobDurationMs: number;
  readonly pageSize: number;
}

export interface ApiRoute {
  readonly method: string;
  readonly pattern: RegExp;
  /** Everything but repositories and tags is for admins only. [inferred] */
  readonly adminOnly: boolean;
  readonly handle: (ctx: ApiContext) => Reply;
}

function parseBody<S extends z.ZodType>(
  ctx: ApiContext,
  schema: S,
): { ok: true; value: z.infer<S> } | { ok: false; reply: Reply } {
  const parsed = parseJsonBody(ctx.body);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    return {
      ok: false,
      reply: errorReply(400, 'INVALID_PARAMETERS', 'the request body does not have the expected shape', detail),
    };
  }
  return { ok: true, value: result.data };
}

/** DTR's crons have a seconds field: six fields, e.g. `0 0 1 * * 6`. [doc] */
const isSixFieldCron = (schedule: string): boolean => schedule.trim().split(/\s+/).length === 6;

function findJob(ctx: ApiContext) {
  return ctx.state.jobs.find((job) => job.id === ctx.params[0]);
}
const noSuchJob = (ctx: ApiContext): Reply => errorReply(404, 'NO_SUCH_JOB', `no job with id ${ctx.params[0] ?? ''}`);

/**
 * Where DTR keeps images, as its settings say it: derived from the storage it runs on, so a restore or
 * reconfigure onto another storage changes them too. [mock choice: the default volume shows as an empty
 * storageVolume]
 */
function storageSettings(storage: MockStorage): { storageVolume: string; nfsHost: string; nfsPath: string } {
  const none = { storageVolume: '', nfsHost: '', nfsPath: '' };
  switch (storage.kind) {
    case 'default':
      return none;
    case 'volume':
      return { ...none, storageVolume: storage.volume };
    case 'path':
      return { ...none, storageVolume: storage.path };
    case 'nfs':
      return { ...none, nfsHost: storage.host, nfsPath: storage.path };
  }
}

const settings: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/meta\/settings$/,
    adminOnly: true,
    handle: (ctx) => json(200, settingsSchema.parse({ ...ctx.state.settings, ...storageSettings(ctx.state.storage) })),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v0\/meta\/settings$/,
    adminOnly: true,
    handle: (ctx) => {
      const update = parseBody(ctx, settingsUpdateSchema);
      if (!update.ok) return update.reply;
      Object.assign(ctx.state.settings, update.value);
      return json(202, settingsSchema.parse(ctx.state.settings));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/meta\/cluster_status$/,
    adminOnly: true,
    handle: (ctx) =>
      json(
        200,
        clusterStatusSchema.parse({
          replica_health: { [ctx.state.replicaId]: healthyReplicaStatus },
          replica_timestamp: { [ctx.state.replicaId]: new Date(ctx.now).toISOString() },
          rethink_system_tables: { cluster_config: [], current_issues: [], db_config: [], server_status: [] },
        }),
      ),
  },
];

const crons: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/crons$/,
    adminOnly: true,
    handle: (ctx) => json(200, cronListSchema.parse({ crons: ctx.state.crons })),
  },
  {
    method: 'PUT',
    pattern: /^\/api\/v0\/crons\/([^/]+)$/,
    adminOnly: true,
    handle: (ctx) => {
      const action = ctx.params[0] ?? '';
      if (!knownJobActions.has(action))
        return errorReply(400, 'INVALID_JOB_ACTION', `unknown job action ${JSON.stringify(action)}`);
      const update = parseBody(ctx, cronUpdateSchema);
      if (!update.ok) return update.reply;
      if (!isSixFieldCron(update.value.schedule)) {
        return errorReply(
          400,
          'INVALID_CRON_SCHEDULE',
          'a schedule is a cron expression with six fields (seconds first), e.g. "0 0 1 * * 6"',
        );
      }
      const index = ctx.state.crons.findIndex((cron) => cron.action === action);
      const previous = ctx.state.crons[index];
      const cron = cronSchema.parse({
        retries: 0,
        capacityMap: null,
        parameters: {},
        deadline: '',
        stopTimeout: '',
        ...update.value,
        id: previous?.id ?? randomUUID(),
        action,
      });
      if (index === -1) ctx.state.crons.push(cron);
      else ctx.state.crons[index] = cron;
      return json(index === -1 ? 201 : 200, cron);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v0\/crons\/([^/]+)$/,
    adminOnly: true,
    handle: (ctx) => {
      const index = ctx.state.crons.findIndex((cron) => cron.action === ctx.params[0]);
      if (index === -1)
        return errorReply(404, 'NO_SUCH_CRON', `no cron for action ${JSON.stringify(ctx.params[0] ?? '')}`);
      ctx.state.crons.splice(index, 1);
      return { status: 204 };
    },
  },
];

const jobs: ApiRoute[] = [
  {
    method: 'POST',
    pattern: /^\/api\/v0\/jobs$/,
    adminOnly: true,
    handle: (ctx) => {
      const request = parseBody(ctx, jobRequestSchema);
      if (!request.ok) return request.reply;
      if (!knownJobActions.has(request.value.action)) {
        return errorReply(400, 'INVALID_JOB_ACTION', `unknown job action ${JSON.stringify(request.value.action)}`);
      }
      const job = createJob(
        ctx.state,
        request.value.action,
        request.value.parameters ?? null,
        ctx.now,
        ctx.jobDurationMs,
      );
      return json(202, jobView(job, ctx.now));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/jobs$/,
    adminOnly: true,
    handle: (ctx) => {
      const start = intParam(ctx.query, 'start', 0, 0, Number.MAX_SAFE_INTEGER);
      if (!start.ok) return start.reply;
      const limit = intParam(ctx.query, 'limit', ctx.pageSize, 1, 1000);
      if (!limit.ok) return limit.reply;
      const action = ctx.query.get('action');
      const worker = ctx.query.get('worker');
      const running = ctx.query.get('running');
      // Newest first, as DTR lists them. `running=true` means not finished yet (waiting included). [inferred]
      const selected = [...ctx.state.jobs]
        .reverse()
        .filter((job) => action === null || action === '' || job.action === action)
        .filter((job) => worker === null || worker === '' || job.workerID === worker)
        .filter((job) => running === null || running === '' || isJobActive(job, ctx.now) === (running === 'true'));
      const page = selected.slice(start.value, start.value + limit.value).map((job) => jobView(job, ctx.now));
      return json(200, jobListSchema.parse({ jobs: page }));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/jobs\/([^/]+)$/,
    adminOnly: true,
    handle: (ctx) => {
      const job = findJob(ctx);
      return job === undefined ? noSuchJob(ctx) : json(200, jobView(job, ctx.now));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/jobs\/([^/]+)\/logs$/,
    adminOnly: true,
    handle: (ctx) => {
      const job = findJob(ctx);
      return job === undefined ? noSuchJob(ctx) : json(200, jobLogs(job, ctx.now));
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v0\/jobs\/([^/]+)$/,
    adminOnly: true,
    handle: (ctx) => {
      const job = findJob(ctx);
      if (job === undefined) return noSuchJob(ctx);
      cancelJob(job, ctx.now);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/workers$/,
    adminOnly: true,
    handle: (ctx) => json(200, workersView(ctx.state, ctx.now)),
  },
];

const repositories: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/repositories$/,
    adminOnly: false,
    handle: (ctx) => {
      const page = cursorPage(ctx.state.repositories, (repo) => repo.id, ctx.query, ctx.pageSize);
      if (!page.ok) return page.reply;
      const body = repositoryPageSchema.parse({
        repositories: page.page.map((repo) => ({
          id: repo.id,
          namespace: repo.namespace,
          namespaceType: 'organization',
          name: repo.name,
          visibility: repo.visibility,
          shortDescription: '',
          status: 'ok',
          enableManifestLists: true,
          immutableTags: false,
          scanOnPush: false,
        })),
      });
      return json(200, body, page.headers);
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/repositories\/([^/]+)\/([^/]+)\/tags$/,
    adminOnly: false,
    handle: (ctx) => {
      const [namespace, name] = ctx.params;
      const repo = ctx.state.repositories.find((r) => r.namespace === namespace && r.name === name);
      if (repo === undefined)
        return errorReply(404, 'NO_SUCH_REPOSITORY', `no repository ${namespace ?? ''}/${name ?? ''}`);
      const page = cursorPage(repo.tags, (tag) => tag.name, ctx.query, ctx.pageSize);
      if (!page.ok) return page.reply;
      const body = tagPageSchema.parse(
        page.page.map((tag) => ({
          name: tag.name,
          digest: tag.digest,
          author: 'admin',
          createdAt: tag.createdAt,
          updatedAt: tag.updatedAt,
          manifest: {
            digest: tag.digest,
            mediaType: tag.mediaType,
            size: tag.size,
            os: 'linux',
            architecture: 'amd64',
          },
        })),
      );
      return json(200, body, page.headers);
    },
  },
];

export const apiRoutes: readonly ApiRoute[] = [...settings, ...crons, ...jobs, ...repositories];

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
