/**
 * Step 5: start DTR's `onlinegc_blobs` job to delete blobs the restored metadata no longer refers to,
 * and follow it to the end. The job id is saved the moment DTR returns it; a resumed run follows that
 * job, or adopts one it started but could not record, instead of starting a second one blindly.
 */
import { z } from 'zod';
import type { Job } from '../api/schemas.js';
import { apiPaths, blobGcAction, jobOutcome } from '../dtr/facts.js';
import { MigrateError } from '../errors.js';
import type { MigrationStep, StepContext } from './step.js';
import type { StepData } from './step-data.js';
import { formatDuration } from '../util/format.js';

const outputSchema = z.object({ jobId: z.string(), status: z.string(), waitedMs: z.number() });
type Output = z.infer<typeof outputSchema>;

const pollMs = 1_000;

async function blobGcJobs(ctx: StepContext): Promise<Job[]> {
  return (await ctx.api.listJobs({ action: blobGcAction })).filter((job) => job.action === blobGcAction);
}

/**
 * A job of ours this step may have started before it was killed: one DTR did not list before the POST.
 * [choice: told apart by id, not by time, so a DTR clock that differs from ours cannot hide it] Journals
 * of an earlier version recorded only the time of the request (`requestedAt`, a minute early).
 */
async function jobStartedEarlier(
  ctx: StepContext,
  saved: Record<string, unknown> | undefined,
): Promise<Job | undefined> {
  const before = saved?.['jobsBefore'] as string[] | undefined;
  const since = saved?.['requestedAt'] as string | undefined;
  if (before === undefined && since === undefined) return undefined;
  const known = new Set(before ?? []);
  const ours = (job: Job): boolean =>
    before !== undefined
      ? !known.has(job.id)
      : job.scheduledAt !== undefined && since !== undefined && job.scheduledAt >= since;
  // A failed job is not adopted: the point of resuming is a job that can still succeed.
  return (await blobGcJobs(ctx)).find((job) => ours(job) && jobOutcome(job.status) !== 'failed');
}

export const onlineGcBlobsStep: MigrationStep<Output> = {
  id: 'onlinegc-blobs',
  title: 'Delete unreferenced blobs',
  purpose:
    'Run the onlinegc_blobs job so blobs the restored metadata no longer refers to are removed from the new storage.',
  inputs: ['jobTimeout'],
  output: outputSchema,

  plan: () => [
    {
      kind: 'http',
      method: 'GET',
      path: `${apiPaths.jobs}?action=${blobGcAction}&limit=100`,
      why: 'note the jobs that exist, so that after a kill the one this run started can be told apart',
    },
    {
      kind: 'http',
      method: 'POST',
      path: apiPaths.jobs,
      body: { action: blobGcAction },
      why: 'start the job (202 Accepted and a job id)',
    },
    { kind: 'http', method: 'GET', path: apiPaths.job('<job-id>'), why: 'follow the job until it is done' },
    {
      kind: 'check',
      description:
        'the job ended "done" (errored, canceled, deleted or worker_* fails the step; any other status is waited on)',
    },
  ],

  async run(ctx) {
    const saved = ctx.saved();
    let jobId = saved?.['jobId'] as string | undefined;
    if (jobId === undefined) {
      const earlier = await jobStartedEarlier(ctx, saved);
      if (earlier !== undefined) {
        jobId = earlier.id;
        ctx.log(`following job ${jobId}, started by an earlier run`);
      } else {
        // Recorded before the POST: after a kill, a job DTR lists that is not among these is ours.
        await ctx.checkpoint({ jobsBefore: (await blobGcJobs(ctx)).map((job) => job.id), requestedAt: undefined });
        jobId = (await ctx.api.createJob(blobGcAction)).id;
      }
      await ctx.checkpoint({ jobId });
    }
    const started = Date.now();
    const deadline = started + ctx.inputs.jobTimeout * 1000;
    for (;;) {
      const job = await ctx.api.getJob(jobId);
      const outcome = jobOutcome(job.status);
      if (outcome === 'succeeded') return { jobId, status: job.status, waitedMs: Date.now() - started };
      if (outcome === 'failed') {
        await ctx.checkpoint({ jobId: undefined, jobsBefore: undefined, requestedAt: undefined });
        throw new MigrateError('JOB_FAILED', `DTR job ${jobId} (${blobGcAction}) ended "${job.status}"`, {
          hint: `See the job's logs in DTR (GET ${apiPaths.job(jobId)}/logs); then run \`dtr-migrate migrate\` again to start a new one.`,
        });
      }
      if (Date.now() > deadline) {
        throw new MigrateError(
          'JOB_FAILED',
          `DTR job ${jobId} is still "${job.status}" after ${formatDuration(Date.now() - started)}`,
          {
            hint: 'Run `dtr-migrate migrate` again to keep following the same job, or raise --job-timeout.',
          },
        );
      }
      ctx.progress(`job ${jobId} ${job.status} (${formatDuration(Date.now() - started)})`);
      await ctx.sleep(pollMs);
    }
  },

  async verify(ctx, output) {
    const job = await ctx.api.getJob(output.jobId);
    if (jobOutcome(job.status) !== 'succeeded')
      return { ok: false, reason: `job ${output.jobId} is "${job.status}"`, hint: 'Run `dtr-migrate migrate` again.' };
    return {
      ok: true,
      facts: [`job ${output.jobId} done after ${formatDuration(output.waitedMs)}`],
      data: {
        job: { id: output.jobId, action: blobGcAction, status: job.status, waitedMs: output.waitedMs },
      } satisfies StepData,
    };
  },
};
