/**
 * Step 1: turn garbage collection off and keep it off, so that no blob the backup refers to is
 * deleted before the restored DTR runs on the new storage. The schedule found is saved in the journal
 * before it is removed, so a killed run never mistakes "Never" for the operator's own setting.
 */
import { z } from 'zod';
import { cronSchema } from '../api/schemas.js';
import { apiPaths, gcCronAction, isGcAction } from '../dtr/facts.js';
import { MigrateError } from '../errors.js';
import type { MigrationStep } from './step.js';
import { scheduleFacts, type StepData } from './step-data.js';
import { describeSchedules, gcProblem, isGcIdle, isGcOff, readGcState, type GcState } from './common/gc-state.js';
import { changeStarted } from './common/live-checks.js';

const outputSchema = z.object({
  previousSchedules: z.array(cronSchema),
  readOnlyBefore: z.boolean(),
  waitedForJobs: z.array(z.string()),
  /** Every GC job DTR listed once GC was off: a GC job not among them ran later (live-checks.ts). */
  gcJobsSeen: z.array(z.string()).optional(),
  /** GC was already Never: the schedule to put back is the one given with --gc-schedule-after. */
  givenAfter: z.boolean().optional(),
});
type Output = z.infer<typeof outputSchema>;

const pollMs = 1_000;

export const disableGcStep: MigrationStep<Output> = {
  id: 'disable-gc',
  title: 'Disable garbage collection',
  purpose:
    'Record the GC schedule, set it to Never, and wait until no GC job runs, so no blob the backup needs is deleted.',
  inputs: ['jobTimeout', 'gcScheduleAfter'],
  output: outputSchema,

  plan: () => [
    { kind: 'http', method: 'GET', path: apiPaths.crons, why: 'record the current GC schedule in the journal' },
    {
      kind: 'http',
      method: 'DELETE',
      path: apiPaths.cron(gcCronAction),
      why: 'set GC to Never (each GC schedule found: gc, onlinegc*, not onlinegc_joblogs)',
    },
    {
      kind: 'http',
      method: 'GET',
      path: `${apiPaths.jobs}?action=onlinegc&limit=200`,
      why: 'and the same for each GC action (gc, onlinegc*, not onlinegc_joblogs): wait until no GC job is unfinished, and note the GC jobs listed (any later one means GC ran while it should have been off)',
    },
    {
      kind: 'http',
      method: 'GET',
      path: apiPaths.clusterStatus,
      why: 'and until no garbage collection holds the GC lock (gc_lock_holder empty)',
    },
    { kind: 'check', description: 'read back: no GC schedule, no GC job unfinished, the GC lock free' },
  ],

  async run(ctx) {
    const saved = ctx.saved();
    let previous = saved?.['previousSchedules'] as Output['previousSchedules'] | undefined;
    let readOnlyBefore = saved?.['readOnlyBefore'] as boolean | undefined;
    let givenAfter = saved?.['givenAfter'] === true;
    if (previous === undefined || readOnlyBefore === undefined) {
      const [crons, settings] = await Promise.all([ctx.api.listCrons(), ctx.api.getSettings()]);
      previous = crons.filter((cron) => isGcAction(cron.action));
      // Already Never: what the operator said to put back at the end (the session asked before any change).
      const after = ctx.inputs.gcScheduleAfter;
      givenAfter = previous.length === 0 && after !== undefined;
      if (givenAfter && after !== undefined && after !== 'none') previous = [{ action: gcCronAction, schedule: after }];
      // DTR 2.5 has no read-only mode [spec]: off.
      readOnlyBefore = settings.readOnlyRegistry ?? false;
      await ctx.checkpoint({ previousSchedules: previous, readOnlyBefore, givenAfter });
    }
    ctx.log(`GC schedule before the migration: ${describeSchedules(previous)}`);
    for (const cron of (await ctx.api.listCrons()).filter((c) => isGcAction(c.action))) {
      await ctx.api.deleteCron(cron.action);
      ctx.log(`removed schedule ${cron.action}`);
    }
    const waited = new Set<string>();
    const deadline = Date.now() + ctx.inputs.jobTimeout * 1000;
    let state: GcState;
    for (;;) {
      state = await readGcState(ctx.api);
      if (isGcIdle(state)) break;
      for (const job of state.activeJobs) waited.add(job.id);
      if (Date.now() > deadline) {
        throw new MigrateError(
          'STEP_FAILED',
          `garbage collection is still running after ${ctx.inputs.jobTimeout}s: ${gcProblem(state)}`,
          {
            hint: 'Let it finish or cancel it in DTR (System > Job Logs), then run `dtr-migrate migrate` again; raise --job-timeout to wait longer.',
          },
        );
      }
      const job = state.activeJobs[0];
      ctx.progress(
        job === undefined
          ? `waiting for the garbage collection holding the GC lock (${state.lockHolder}) to finish`
          : `waiting for GC job ${job.id} (${job.status}) to finish`,
      );
      await ctx.sleep(pollMs);
    }
    // The listing that found no GC job active also names every GC job there is: none ran after it.
    const gcJobsSeen = state.jobs.map((job) => job.id);
    return { previousSchedules: previous, readOnlyBefore, waitedForJobs: [...waited], gcJobsSeen, givenAfter };
  },

  /**
   * GC must stay off until DTR runs on the new storage. Found on again, the run stops rather than turn it
   * off once more: that would note the GC jobs that ran meanwhile as seen, and the gate could no longer
   * tell that blobs the backup needs may be gone. Once the operator set GC back to Never, the gate finds
   * any GC job that ran and redoes the backup and the copy.
   */
  async recheck(ctx) {
    // Before DTR runs on the new storage (and while a destroy or reconfigure left it down, it runs nothing).
    const switched = ctx.statusOf('restore') === 'verified' || ctx.statusOf('reconfigure') === 'verified';
    if (switched || changeStarted(ctx)) return { ok: true };
    const state = await readGcState(ctx.api);
    if (isGcOff(state)) return { ok: true };
    return {
      ok: false,
      reason: gcProblem(state),
      hint: 'Set garbage collection to "Never" in DTR (System > Garbage collection) and let any GC job end, then run `dtr-migrate migrate` again.',
      then: 'stop',
    };
  },

  async verify(ctx, output) {
    const state = await readGcState(ctx.api);
    if (!isGcOff(state)) {
      return {
        ok: false,
        reason: gcProblem(state),
        hint: 'Something re-enabled GC; set it to Never in DTR and run `dtr-migrate migrate` again.',
      };
    }
    return {
      ok: true,
      facts: [
        output.givenAfter === true
          ? `GC was already Never; ${describeSchedules(output.previousSchedules)} is to be put back at the end (--gc-schedule-after)`
          : `GC schedule was ${describeSchedules(output.previousSchedules)}; now Never (the old one is in the journal)`,
        output.waitedForJobs.length === 0
          ? 'no GC job was running'
          : `waited for ${output.waitedForJobs.length} GC job(s) to finish`,
      ],
      data: {
        gc: {
          before: scheduleFacts(output.previousSchedules),
          now: scheduleFacts(state.schedules),
          jobsWaitedFor: output.waitedForJobs,
        },
      } satisfies StepData,
    };
  },
};
