/**
 * The mock's crons, jobs and workers [spec]. Crons: `POST /api/v0/crons` creates or replaces the cron
 * of an action (202, a new id each time [DTR source]); `DELETE /api/v0/crons/{action}` answers 204
 * whether or not it existed [spec; DTR source]. Jobs: created with 202, listed newest first with DTR's
 * filters (the literal `any`, DTR's default, filters nothing), cancelled with `POST .../cancel` (204)
 * and deleted with `DELETE` (204) [spec].
 */
import { cronCreateSchema, cronListSchema, cronSchema, jobListSchema, jobRequestSchema } from '../api/schemas.js';
import { filterParam, parseBody, type ApiContext, type ApiRoute } from './api-route.js';
import { errorReply, intParam, json, type Reply } from './http-util.js';
import {
  cancelJob,
  createJob,
  deleteJob,
  isJobActive,
  jobLogs,
  jobView,
  knownJobActions,
  workersView,
} from './jobs.js';
import { newCron } from './state.js';

/** A cron expression with a seconds field (`0 0 1 * * 6`) or a descriptor (`@hourly`, `@every 2h`) [DTR source]. */
const cronDescriptor =
  /^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every \d+(\.\d+)?(ns|us|µs|ms|s|m|h)+)$/;
const isSchedule = (schedule: string): boolean =>
  cronDescriptor.test(schedule.trim()) || schedule.trim().split(/\s+/).length === 6;

/** What DTR's decoder makes of a cron body: fields left out take their zero value. */
const cronBodySchema = cronCreateSchema.partial({
  retries: true,
  capacityMap: true,
  parameters: true,
  deadline: true,
  stopTimeout: true,
});

const unknownAction = (action: string): Reply =>
  errorReply(400, 'INVALID_JOB_ACTION', `unknown job action ${JSON.stringify(action)}`);

function findJob(ctx: ApiContext) {
  return ctx.state.jobs.find((job) => job.id === ctx.params[0]);
}
const noSuchJob = (ctx: ApiContext): Reply => errorReply(404, 'NO_SUCH_JOB', `no job with id ${ctx.params[0] ?? ''}`);

const crons: ApiRoute[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v0\/crons$/,
    access: 'admin',
    handle: (ctx) => json(200, cronListSchema.parse({ crons: ctx.state.crons })),
  },
  {
    method: 'POST',
    pattern: /^\/api\/v0\/crons$/,
    access: 'admin',
    handle: (ctx) => {
      const body = parseBody(ctx, cronBodySchema);
      if (!body.ok) return body.reply;
      const asked = body.value;
      if (!knownJobActions.has(asked.action)) return unknownAction(asked.action);
      if (!isSchedule(asked.schedule)) {
        return errorReply(
          400,
          'INVALID_CRON_SCHEDULE',
          'a schedule is a cron expression with six fields (seconds first), e.g. "0 0 1 * * 6", or a descriptor such as "@hourly"',
        );
      }
      const fields = { retries: 0, capacityMap: {}, parameters: {}, deadline: '', stopTimeout: '', ...asked };
      const cron = newCron(fields, ctx.now);
      ctx.state.crons = [...ctx.state.crons.filter((c) => c.action !== asked.action), cron];
      return json(202, cronSchema.parse(cron));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/crons\/([^/]+)$/,
    access: 'admin',
    handle: (ctx) => {
      const cron = ctx.state.crons.find((c) => c.action === ctx.params[0]);
      if (cron === undefined)
        return errorReply(404, 'NO_SUCH_CRON', `no cron for action ${JSON.stringify(ctx.params[0] ?? '')}`);
      return json(200, cronSchema.parse(cron));
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v0\/crons\/([^/]+)$/,
    access: 'admin',
    handle: (ctx) => {
      ctx.state.crons = ctx.state.crons.filter((cron) => cron.action !== ctx.params[0]);
      return { status: 204 };
    },
  },
];

const jobs: ApiRoute[] = [
  {
    method: 'POST',
    pattern: /^\/api\/v0\/jobs$/,
    access: 'admin',
    handle: (ctx) => {
      const request = parseBody(ctx, jobRequestSchema);
      if (!request.ok) return request.reply;
      if (!knownJobActions.has(request.value.action)) return unknownAction(request.value.action);
      const { action, parameters } = request.value;
      const job = createJob(ctx.state, action, parameters ?? {}, ctx.now, ctx.jobDurationMs);
      return json(202, jobView(job, ctx.now));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/jobs$/,
    access: 'admin',
    handle: (ctx) => {
      const start = intParam(ctx.query, 'start', 0, 0, Number.MAX_SAFE_INTEGER);
      if (!start.ok) return start.reply;
      const limit = intParam(ctx.query, 'limit', ctx.pageSize, 1, 1000);
      if (!limit.ok) return limit.reply;
      const action = filterParam(ctx.query, 'action');
      const worker = filterParam(ctx.query, 'worker');
      const running = filterParam(ctx.query, 'running');
      // Newest first [spec]. `running=true` means not finished yet (waiting included). [inferred]
      const selected = [...ctx.state.jobs]
        .reverse()
        .filter((job) => action === undefined || job.action === action)
        .filter((job) => worker === undefined || job.workerID === worker)
        .filter((job) => running === undefined || isJobActive(job, ctx.now) === (running === 'true'));
      const page = selected.slice(start.value, start.value + limit.value).map((job) => jobView(job, ctx.now));
      return json(200, jobListSchema.parse({ jobs: page }));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/jobs\/([^/]+)$/,
    access: 'admin',
    handle: (ctx) => {
      const job = findJob(ctx);
      return job === undefined ? noSuchJob(ctx) : json(200, jobView(job, ctx.now));
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/jobs\/([^/]+)\/logs$/,
    access: 'admin',
    handle: (ctx) => {
      const job = findJob(ctx);
      return job === undefined ? noSuchJob(ctx) : json(200, jobLogs(job, ctx.now));
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v0\/jobs\/([^/]+)\/cancel$/,
    access: 'admin',
    handle: (ctx) => {
      const job = findJob(ctx);
      if (job === undefined) return noSuchJob(ctx);
      cancelJob(job, ctx.now);
      return { status: 204 };
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/v0\/jobs\/([^/]+)$/,
    access: 'admin',
    handle: (ctx) => {
      const job = findJob(ctx);
      if (job === undefined) return noSuchJob(ctx);
      deleteJob(ctx.state, job);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v0\/workers$/,
    access: 'admin',
    handle: (ctx) => json(200, workersView(ctx.state, ctx.now)),
  },
];

export const jobRoutes: readonly ApiRoute[] = [...crons, ...jobs];
