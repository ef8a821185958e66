/**
 * Step 5: start DTR's `onlinegc_blobs` job to delete blobs the restored metadata no longer refers to,
 * and follow it to the end. The job id is saved the moment DTR returns it; a resumed run follows that
 * job, or adopts one it started but could not record, instead of starting a second one blindly.
 */
import { z } from 'zod';
import type { Job } from '../api/schemas.js';
import { apiPaths, blobGcAction, jobFailed, jobSucceeded } from '../dtr/facts.js';
import { MigrateError } from '../errors.js';
import type { Step, StepContext } from '../engine/step.js';
import { formatDuration } from '../format.js';

const outputSchema = z.object({ jobId: z.string(), status: z.string(), waitedMs: z.number() });
type Output = z.infer<typeof outputSchema>;

const pollMs = 1_000;

/** A job of ours this step may have started before it was killed. */
async function jobStartedEarlier(ctx: StepContext, since: string | undefined): Promise<Job | undefined> {
  if (since === undefined) return undefined;
  const jobs = await ctx.api.listJobs({ action: blobGcAction });
  // A failed job is not adopted: the point of resuming is a job that can still succeed.
  return jobs.find((job) => job.action === blobGcAction && !jobFailed.has(job.status) && job.scheduledAt !== undefined && job.scheduledAt >= since);
}

export const onlineGcBlobsStep: Step<Output> = {
  id: 'onlinegc-blobs',
  title: 'Delete unreferenced blobs',
  purpose: 'Run the onlinegc_blobs job so blobs the restored metadata no longer refers to are removed from the new storage.',
  inputs: ['jobTimeout'],
  output: outputSchema,

  plan: () => [
    { kind: 'http', method: 'POST', path: apiPaths.jobs, body: { action: blobGcAction }, why: 'start the job (202 Accepted and a job id)' },
    { kind: 'http', method: 'GET', path: apiPaths.job('<job-id>'), why: 'follow the job until it is done' },
    { kind: 'check', description: 'the job ended "done" (errored or canceled fails the step)' },
  ],

  async run(ctx) {
    const saved = ctx.saved();
    let jobId = saved?.['jobId'] as string | undefined;
    if (jobId === undefined) {
      const requestedAt = saved?.['requestedAt'] as string | undefined;
      const earlier = await jobStartedEarlier(ctx, requestedAt);
      if (earlier !== undefined) {
        jobId = earlier.id;
        ctx.log(`following job ${jobId}, started by an earlier run`);
      } else {
        // Recorded before the POST, with a minute of slack for clock skew between us and DTR.
        await ctx.checkpoint({ requestedAt: new Date(Date.now() - 60_000).toISOString() });
        jobId = (await ctx.api.createJob(blobGcAction)).id;
      }
      await ctx.checkpoint({ jobId });
    }
    const started = Date.now();
    const deadline = started + ctx.inputs.jobTimeout * 1000;
    for (;;) {
      const job = await ctx.api.getJob(jobId);
      if (jobSucceeded.has(job.status)) return { jobId, status: job.status, waitedMs: Date.now() - started };
      if (jobFailed.has(job.status)) {
        await ctx.checkpoint({ jobId: undefined, requestedAt: undefined });
        throw new MigrateError('JOB_FAILED', `DTR job ${jobId} (${blobGcAction}) ended "${job.status}"`, {
          hint: `See the job's logs in DTR (GET ${apiPaths.job(jobId)}/logs); then run \`dtr-migrate migrate\` again to start a new one.`,
        });
      }
      if (Date.now() > deadline) {
        throw new MigrateError('JOB_FAILED', `DTR job ${jobId} is still "${job.status}" after ${formatDuration(Date.now() - started)}`, {
          hint: 'Run `dtr-migrate migrate` again to keep following the same job, or raise --job-timeout.',
        });
      }
      ctx.progress(`job ${jobId} ${job.status} (${formatDuration(Date.now() - started)})`);
      await ctx.sleep(pollMs);
    }
  },

  async verify(ctx, output) {
    const job = await ctx.api.getJob(output.jobId);
    if (!jobSucceeded.has(job.status)) return { ok: false, reason: `job ${output.jobId} is "${job.status}"`, hint: 'Run `dtr-migrate migrate` again.' };
    return { ok: true, facts: [`job ${output.jobId} done after ${formatDuration(output.waitedMs)}`] };
  },
};
