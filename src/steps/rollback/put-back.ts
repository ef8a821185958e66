/**
 * The rollback's put-backs: read-only mode and the GC schedule as disable-gc recorded them before the
 * migration changed anything, each checked by reading DTR back. The backup and the copy are left alone.
 */
import { z } from 'zod';
import { cronSchema, type Cron } from '../../api/schemas.js';
import { apiPaths } from '../../dtr/facts.js';
import type { PlanContextBase } from '../../runner/step.js';
import { asCreated, gcSchedulesNow } from '../09-restore-gc.js';
import { describeSchedules } from '../common/gc-state.js';
import { readOnlyPutBack } from '../common/live-checks.js';
import { scheduleFacts, type StepData } from '../step-data.js';
import type { RollbackStep } from './step.js';

/** What disable-gc recorded: its output, or (a run stopped while it waited for GC jobs) its checkpoint. */
function recordedBefore(ctx: Pick<PlanContextBase<unknown>, 'outputOf' | 'savedBy'>): {
  schedules: Cron[] | undefined;
  readOnly: boolean | undefined;
  givenAfter: boolean;
} {
  const saved = (ctx.outputOf('disable-gc') ?? ctx.savedBy('disable-gc')) as
    { previousSchedules?: Cron[]; readOnlyBefore?: boolean; givenAfter?: boolean } | undefined;
  return {
    schedules: saved?.previousSchedules,
    readOnly: saved?.readOnlyBefore,
    givenAfter: saved?.givenAfter === true,
  };
}

/**
 * The schedules DTR had before the migration. GC already Never then: none, even though the operator named
 * one for the end of the migration (--gc-schedule-after), since a rollback puts DTR back as it was.
 */
function schedulesBefore(ctx: Pick<PlanContextBase<unknown>, 'outputOf' | 'savedBy'>): Cron[] {
  const recorded = recordedBefore(ctx);
  return recorded.givenAfter ? [] : (recorded.schedules ?? []);
}

const readOnlyOutput = z.object({ readOnly: z.boolean() });

export const rollbackReadOnlyStep: RollbackStep<z.infer<typeof readOnlyOutput>> = {
  id: 'rollback-read-only',
  title: 'Put read-only mode back',
  purpose: 'Set read-only mode as it was before the migration, recorded in the journal, so pushes work as before.',
  inputs: [],
  output: readOnlyOutput,
  plan: (ctx) => [
    {
      kind: 'http',
      method: 'POST',
      path: apiPaths.settings,
      body: { readOnlyRegistry: recordedBefore(ctx).readOnly ?? false },
      why: 'read-only mode as the journal recorded it before the migration',
    },
    { kind: 'check', description: `GET ${apiPaths.settings} and ${apiPaths.clusterStatus}: the same on every replica` },
  ],
  async run(ctx) {
    const readOnly = recordedBefore(ctx).readOnly ?? false;
    await ctx.api.setReadOnly(readOnly);
    return { readOnly };
  },
  verify: (ctx, output) =>
    readOnlyPutBack(
      ctx.api,
      output.readOnly,
      'dtr-migrate rollback',
      `read-only mode is ${output.readOnly ? 'on' : 'off'} on every replica, as before the migration`,
    ),
};

const gcOutput = z.object({ schedules: z.array(cronSchema) });

export const rollbackGcStep: RollbackStep<z.infer<typeof gcOutput>> = {
  id: 'rollback-gc',
  title: 'Put the GC schedule back',
  purpose: 'Give garbage collection back the schedule the journal recorded before the migration turned it off.',
  inputs: [],
  output: gcOutput,
  plan: (ctx) => [
    ...schedulesBefore(ctx).map((cron) => ({
      kind: 'http' as const,
      method: 'POST',
      path: apiPaths.crons,
      body: { action: cron.action, schedule: cron.schedule },
      why: 'the GC schedule as the journal recorded it before the migration',
    })),
    {
      kind: 'check',
      description: `GET ${apiPaths.crons}: GC schedule ${describeSchedules(schedulesBefore(ctx))}, as before the migration`,
    },
  ],
  async run(ctx) {
    const schedules = schedulesBefore(ctx);
    for (const cron of schedules) await ctx.api.saveCron(asCreated(cron));
    return { schedules };
  },
  async verify(ctx, output) {
    const { now, same } = await gcSchedulesNow(ctx, output.schedules);
    if (!same)
      return {
        ok: false,
        reason: `GC schedule is ${describeSchedules(now)}, expected ${describeSchedules(output.schedules)}`,
        hint: 'Set it in DTR (System > Garbage Collection), or run `dtr-migrate rollback` again.',
      };
    const givenAfter = recordedBefore(ctx).givenAfter;
    return {
      ok: true,
      facts: [
        `GC schedule is ${describeSchedules(now)}, as before the migration${givenAfter ? ' (it was Never; --gc-schedule-after was for the end of a migration)' : ''}`,
      ],
      data: {
        gc: { before: scheduleFacts(output.schedules), now: scheduleFacts(now), restored: true },
      } satisfies StepData,
    };
  },
};
