/**
 * Is garbage collection off? It is when no `onlinegc*` schedule exists and no `onlinegc*` job is
 * waiting or running [inferred, see dtr/facts.ts]. Several steps check this: GC deleting a blob that
 * the backup still refers to is the one way this procedure can lose an image.
 */
import type { DtrClient } from '../api/client.js';
import type { Cron, Job } from '../api/schemas.js';
import { isGcAction, jobActive } from '../dtr/facts.js';

export interface GcState {
  readonly schedules: readonly Cron[];
  readonly activeJobs: readonly Job[];
}

export async function readGcState(api: DtrClient): Promise<GcState> {
  const [crons, jobs] = await Promise.all([api.listCrons(), api.listJobs({ limit: 500 })]);
  return {
    schedules: crons.filter((cron) => isGcAction(cron.action)),
    activeJobs: jobs.filter((job) => isGcAction(job.action) && jobActive.has(job.status)),
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
  if (state.activeJobs.length > 0) parts.push(`a GC job is ${state.activeJobs.map((job) => `${job.status} (${job.action} ${job.id})`).join(', ')}`);
  return parts.join('; ');
}
