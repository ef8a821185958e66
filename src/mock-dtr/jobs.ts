/**
 * Jobs of the mock DTR. A job's status is a function of the clock, computed when read, so there are no
 * timers to leak: waiting until `runningAt`, running until `endsAt`, then its `outcome`. Cancelling a
 * waiting job cancels it at once; a running one shows `cancel_request` briefly, then `canceled`, as a
 * worker stopping it would. A job whose worker went away while it ran (a replica destroyed, then
 * restored from a backup that saw the job running) shows `worker_dead` [jobs docs]. Jobs created
 * through the API may be given an injected fault (faults.ts): they end errored, or are canceled once
 * running, or never end. While a GC job runs it holds the GC lock (cluster_status' `gc_lock_holder`).
 */
import { randomUUID } from 'node:crypto';
import { jobLogsSchema, jobSchema, workerListSchema, type Job, type JobStatus } from '../api/schemas.js';
import { gcCronAction, isGcAction } from '../dtr/facts.js';
import { takeJobFault } from './faults.js';
import type { MockJob, MockState } from './state.js';

/** Job actions the mock accepts in POST /api/v0/jobs and crons: those DTR's job docs name [jobs docs]. */
export const knownJobActions: ReadonlySet<string> = new Set([
  'gc',
  'onlinegc',
  'onlinegc_metadata',
  'onlinegc_blobs',
  'onlinegc_joblogs',
  'metadatastoremigration',
  'tag_pruning',
  'ro_registry',
  'license_update',
  'update_vuln_db',
  'scan_check',
  'scan_check_single',
  'scan_check_all',
  'poll_mirror',
  'push_mirror_tag',
  'webhook',
]);

/** How long a worker takes to stop a running job after DELETE. [mock choice] */
const cancelDelayMs = 200;

export function workerId(state: MockState): string {
  return state.replicaId;
}

/** A job that will end as an injected job fault says, if one is set (faults.ts). */
export function createJob(
  state: MockState,
  action: string,
  parameters: Record<string, string>,
  now: number,
  durationMs: number,
): MockJob {
  const job = newJob(state, action, parameters, now, durationMs);
  const fault = takeJobFault(state, action);
  if (fault?.outcome === 'errored') job.outcome = 'errored';
  if (fault?.outcome === 'never') job.endsAt = neverMs;
  if (fault?.outcome === 'canceled') {
    // Someone cancels it as soon as a worker picks it up. [mock choice]
    job.endsAt = Math.max(job.endsAt, job.runningAt + 2);
    job.cancelRequestedAt = job.runningAt + 1;
  }
  fault?.onCreate?.(job);
  return job;
}

/** When a job that never ends ends: far enough, and still a valid date. */
const neverMs = 8.64e15;

function newJob(
  state: MockState,
  action: string,
  parameters: Record<string, string>,
  now: number,
  durationMs: number,
): MockJob {
  const job: MockJob = {
    id: randomUUID(),
    action,
    workerID: workerId(state),
    parameters,
    scheduledAt: now,
    runningAt: now + Math.round(durationMs / 3),
    endsAt: now + durationMs,
    outcome: 'done',
  };
  state.jobs.push(job);
  return job;
}

/** The `onlinegc` job of `runningGcJobMs`: running from the start. */
export function createRunningGcJob(state: MockState, now: number, remainingMs: number): MockJob {
  const job = newJob(state, gcCronAction, {}, now, remainingMs);
  job.scheduledAt = now - 1;
  job.runningAt = now - 1;
  return job;
}

export function jobStatus(job: MockJob, now: number): JobStatus {
  if (job.workerDied === true) return 'worker_dead';
  if (job.cancelRequestedAt !== undefined && job.cancelRequestedAt < job.endsAt) {
    if (job.cancelRequestedAt < job.runningAt) return 'canceled';
    return now < job.cancelRequestedAt + cancelDelayMs ? 'cancel_request' : 'canceled';
  }
  if (now < job.runningAt) return 'waiting';
  if (now < job.endsAt) return 'running';
  return job.outcome;
}

const activeStatuses: ReadonlySet<JobStatus> = new Set(['waiting', 'running', 'cancel_request']);
export const isJobActive = (job: MockJob, now: number): boolean => activeStatuses.has(jobStatus(job, now));

function lastUpdated(job: MockJob, now: number): number {
  const status = jobStatus(job, now);
  if (status === 'waiting') return job.scheduledAt;
  if (status === 'running') return job.runningAt;
  if (status === 'cancel_request') return job.cancelRequestedAt ?? now;
  if (status === 'canceled') return Math.min(now, (job.cancelRequestedAt ?? now) + cancelDelayMs);
  return Math.min(now, job.endsAt);
}

export function jobView(job: MockJob, now: number): Job {
  return jobSchema.parse({
    id: job.id,
    retryFromID: '',
    workerID: jobStatus(job, now) === 'waiting' ? '' : job.workerID,
    status: jobStatus(job, now),
    scheduledAt: new Date(job.scheduledAt).toISOString(),
    lastUpdated: new Date(lastUpdated(job, now)).toISOString(),
    action: job.action,
    retriesLeft: 0,
    retriesTotal: 0,
    capacityMap: {},
    parameters: job.parameters,
    deadline: '',
    stopTimeout: '',
  });
}

/** POST /api/v0/jobs/{id}/cancel: asks its worker to stop it; a finished job is left as it is. */
export function cancelJob(job: MockJob, now: number): void {
  if (job.cancelRequestedAt === undefined && isJobActive(job, now)) job.cancelRequestedAt = now;
}

/** DELETE /api/v0/jobs/{id}: the worker is told to stop it, and its record is gone. */
export function deleteJob(state: MockState, job: MockJob): void {
  state.jobs = state.jobs.filter((other) => other !== job);
}

/** After a restore: a job that was running when the backup was taken lost its worker. */
export function orphanJobs(jobs: MockJob[], now: number): MockJob[] {
  return jobs.map((job) => (isJobActive(job, now) ? { ...job, workerDied: true as const } : job));
}

/** cluster_status' `gc_lock_holder`: the running GC job, while one runs (or the test's holder). [mock choice] */
export function gcLockHolder(state: MockState, now: number): string {
  if (state.gcLockHolder !== undefined) return state.gcLockHolder;
  const running = state.jobs.find(
    (job) => isGcAction(job.action) && ['running', 'cancel_request'].includes(jobStatus(job, now)),
  );
  return running === undefined ? '' : `job ${running.id}`;
}

export function jobLogs(job: MockJob, now: number): ReturnType<typeof jobLogsSchema.parse> {
  const lines = [`job ${job.id} (${job.action}) scheduled`];
  const status = jobStatus(job, now);
  if (status !== 'waiting' && (job.cancelRequestedAt === undefined || job.cancelRequestedAt >= job.runningAt)) {
    lines.push(`worker ${job.workerID} picked up the job`, `${job.action}: working`);
  }
  if (job.cancelRequestedAt !== undefined && status !== 'done' && status !== 'errored')
    lines.push('cancellation requested');
  if (status === 'canceled') lines.push(`${job.action}: canceled`);
  if (status === 'done') lines.push(`${job.action}: finished`);
  if (status === 'errored') lines.push(`${job.action}: failed (mock outcome)`);
  return jobLogsSchema.parse(lines.map((data, lineNum) => ({ lineNum, data })));
}

/** GET /api/v0/workers: one worker per replica, able to run every action. */
export function workersView(state: MockState, now: number): ReturnType<typeof workerListSchema.parse> {
  const capacityMap = Object.fromEntries([...knownJobActions].map((action) => [action, 1]));
  return workerListSchema.parse({
    workers: [
      {
        id: workerId(state),
        status: 'running',
        capacityMap,
        heartbeatExpiration: new Date(now + 30_000).toISOString(),
      },
    ],
  });
}
