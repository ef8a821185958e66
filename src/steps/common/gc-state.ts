/**
 * Is garbage collection off? It is when no GC schedule exists, no GC job is unfinished (see
 * dtr/facts.ts: isGcAction, jobOutcome), and no garbage collection holds DTR's GC lock (cluster_status'
 * `gc_lock_holder` [spec], which also shows a GC no job listing shows). Several steps check this: GC
 * deleting a blob that the backup still refers to is the one way this procedure can lose an image.
 */
import { httpStatusOf, type DtrClient } from '../../api/client.js';
import type { Cron, Job } from '../../api/schemas.js';
import { gcJobActions, gcLockHeld, isGcAction, jobOutcome } from '../../dtr/facts.js';

export interface GcState {
  readonly schedules: readonly Cron[];
  /** Every GC job listed (listGcJobs), ended or not. */
  readonly jobs: readonly Job[];
  /** The GC jobs not known to have ended (an unknown status counts as unfinished). */
  readonly activeJobs: readonly Job[];
  /** cluster_status' `gc_lock_holder`: empty unless a garbage collection holds the lock. */
  readonly lockHolder: string;
}

/**
 * The newest GC jobs: the newest 500 jobs of any action (which catches a GC action not on our list), and
 * the newest 200 of each known GC action (on a busy DTR, scans, mirroring and webhooks would push a GC job
 * out of the first list). A DTR that refuses one action's filter (4xx) costs only that list. Filtered by
 * action again here, in case a DTR ignores the filter. [choice: the sizes are far beyond what a
 * maintenance window holds]
 */
export async function listGcJobs(api: DtrClient): Promise<Job[]> {
  const byAction = (action: string): Promise<Job[]> =>
    api.listJobs({ action, limit: 200 }).catch((error: unknown) => {
      const status = httpStatusOf(error) ?? 0;
      if (status >= 400 && status < 500) return [];
      throw error;
    });
  const lists = await Promise.all([api.listJobs({ limit: 500 }), ...gcJobActions.map(byAction)]);
  const byId = new Map(
    lists
      .flat()
      .filter((job) => isGcAction(job.action))
      .map((job) => [job.id, job]),
  );
  return [...byId.values()];
}

export async function readGcState(api: DtrClient): Promise<GcState> {
  const [crons, jobs, cluster] = await Promise.all([api.listCrons(), listGcJobs(api), api.clusterStatus()]);
  return {
    schedules: crons.filter((cron) => isGcAction(cron.action)),
    jobs,
    activeJobs: jobs.filter((job) => jobOutcome(job.status) === 'unfinished'),
    lockHolder: cluster.gc_lock_holder ?? '',
  };
}

/** No GC job unfinished and no GC holding the lock: nothing is collecting right now. */
export function isGcIdle(state: GcState): boolean {
  return state.activeJobs.length === 0 && !gcLockHeld(state.lockHolder);
}

export function isGcOff(state: GcState): boolean {
  return state.schedules.length === 0 && isGcIdle(state);
}

/** "onlinegc (0 0 1 * * 6)" or "Never". */
export function describeSchedules(schedules: readonly Pick<Cron, 'action' | 'schedule'>[]): string {
  return schedules.length === 0 ? 'Never' : schedules.map((cron) => `${cron.action} (${cron.schedule})`).join(', ');
}

export function gcProblem(state: GcState): string {
  const parts: string[] = [];
  if (state.schedules.length > 0) parts.push(`GC is scheduled again: ${describeSchedules(state.schedules)}`);
  if (state.activeJobs.length > 0)
    parts.push(`a GC job is ${state.activeJobs.map((job) => `${job.status} (${job.action} ${job.id})`).join(', ')}`);
  if (gcLockHeld(state.lockHolder)) parts.push(`a garbage collection holds DTR's GC lock (${state.lockHolder})`);
  return parts.join('; ');
}
