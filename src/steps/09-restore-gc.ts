/**
 * The last step: put the GC schedule back as the operator had it (recorded by disable-gc), or leave it
 * at Never when asked to (--no-restore-gc). Either way the summary says which. A schedule is written with
 * `POST /api/v0/crons`, which creates or replaces the cron of its action [spec].
 */
import { z } from 'zod';
import { cronSchema, type Cron, type CronCreate } from '../api/schemas.js';
import { apiPaths, gcCronAction, isGcAction } from '../dtr/facts.js';
import type { MigrationStep, StepContext } from './step.js';
import { describeSchedules } from './common/gc-state.js';
import { scheduleFacts, type StepData } from './step-data.js';

const outputSchema = z.object({ restored: z.boolean(), schedules: z.array(cronSchema) });
type Output = z.infer<typeof outputSchema>;

function recorded(ctx: StepContext): Cron[] {
  return ctx.outputOf<{ previousSchedules?: Cron[] }>('disable-gc')?.previousSchedules ?? [];
}

/** The cron as recorded, as DTR's body needs it: every field, an unset one as its zero value [spec]. */
export function asCreated(cron: Cron): CronCreate {
  return {
    action: cron.action,
    schedule: cron.schedule,
    retries: cron.retries ?? 0,
    capacityMap: cron.capacityMap ?? {},
    parameters: cron.parameters ?? {},
    deadline: cron.deadline ?? '',
    stopTimeout: cron.stopTimeout ?? '',
  };
}

/** The GC schedules DTR has now, and whether they are exactly `wanted` (by action and schedule). */
export async function gcSchedulesNow(
  ctx: StepContext,
  wanted: readonly Cron[],
): Promise<{ now: Cron[]; same: boolean }> {
  const now = (await ctx.api.listCrons()).filter((c) => isGcAction(c.action));
  const same =
    now.length === wanted.length &&
    wanted.every((w) => now.some((n) => n.action === w.action && n.schedule === w.schedule));
  return { now, same };
}

export const restoreGcStep: MigrationStep<Output> = {
  id: 'restore-gc',
  title: 'Put the GC schedule back',
  purpose:
    'Leave the registry as the operator had it: the GC schedule recorded at the start, unless told to keep it off.',
  inputs: ['restoreGc'],
  output: outputSchema,
  plan: (ctx) => [
    {
      kind: 'http',
      method: 'POST',
      path: apiPaths.crons,
      body: { action: gcCronAction, schedule: '<as recorded by disable-gc>' },
      why:
        ctx.inputs.restoreGc === false ? 'skipped: --no-restore-gc' : 'the GC schedule as it was before the migration',
    },
    { kind: 'check', description: `GET ${apiPaths.crons}: the schedule as recorded (or none with --no-restore-gc)` },
  ],
  async run(ctx) {
    const schedules = recorded(ctx);
    if (!ctx.inputs.restoreGc) return { restored: false, schedules };
    for (const cron of schedules) await ctx.api.saveCron(asCreated(cron));
    return { restored: true, schedules };
  },
  async verify(ctx, output) {
    const wanted = output.restored ? output.schedules : [];
    const { now, same } = await gcSchedulesNow(ctx, wanted);
    if (!same)
      return {
        ok: false,
        reason: `GC schedule is ${describeSchedules(now)}, expected ${describeSchedules(wanted)}`,
        hint: 'Set it in DTR (System > Garbage Collection), or run `dtr-migrate migrate` again.',
      };
    return {
      ok: true,
      facts: [
        output.restored
          ? `GC schedule put back: ${describeSchedules(wanted)}`
          : `GC left at Never, as asked (it was ${describeSchedules(output.schedules)})`,
      ],
      data: {
        gc: { before: scheduleFacts(output.schedules), now: scheduleFacts(now), restored: output.restored },
      } satisfies StepData,
    };
  },
};
