/**
 * Is garbage collection off? It is when no `onlinegc*` schedule exists and no `onlinegc*` job is
 * waiting or running [inferred, see dtr/facts.ts]. Several steps check this: GC deleting a blob that
 * the backup still refers to is the one way this procedure can lose an image.
 */
import { httpStatusOf, type DtrClient } from '../../api/client.js';
import type { Cron, Job } from '../../api/schemas.js';
import { gcJobActions, isGcAction, jobActive } from '../../dtr/facts.js';

export interface GcState {
  readonly schedules: readonly Cron[];
  /** Every GC job listed (listGcJobs), ended or not. */
  readonly jobs: readonly Job[];
  readonly activeJobs: readonly Job[];
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
  const [crons, jobs] = await Promise.all([api.listCrons(), listGcJobs(api)]);
  return {
    schedules: crons.filter((cron) => isGcAction(cron.action)),
    jobs,
    activeJobs: jobs.filter((job) => jobActive.has(job.status)),
  };
}

export function isGcOff(state: GcState): boolean {
  return state.schedules.length === 0 && state.activeJobs.length === 0;
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
  return parts.join('; ');
}
