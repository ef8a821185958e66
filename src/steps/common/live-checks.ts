/**
 * What DTR itself must show right before the destructive step: GC off, and off since step 1 (no GC job
 * ran meanwhile), and, in the read-only procedure, read-only mode still on. Part of the gate in
 * protections.ts.
 *
 * After a destroy or reconfigure that did not finish, DTR may not answer at all (or its API may be gone
 * behind a proxy that answers 5xx): then nothing can run or change, and the check is the restore or
 * reconfigure that follows. Only when DTR is really not serving: a replica that reports healthy must
 * pass these checks like any other.
 */
import { unanswered, type DtrClient } from '../../api/client.js';
import { healthyReplicaStatus } from '../../dtr/facts.js';
import { destroyReplicaStepId } from '../../dtr/topology.js';
import { MigrateError } from '../../errors.js';
import type { StepContext, StepId, Verification } from '../step.js';
import type { StepData } from '../step-data.js';
import { gcProblem, isGcOff, readGcState } from './gc-state.js';

/** The gate's refusal; `reopen` names the steps the next run redoes before asking again. */
export function locked(what: string, reason: string, ...reopen: StepId[]): MigrateError {
  const hint =
    reopen.length === 0
      ? 'Run `dtr-migrate migrate` to finish the earlier steps; `dtr-migrate status` shows where things stand.'
      : `Run \`dtr-migrate migrate\` again: it redoes ${reopen.join(', ')}, checks again, and only then asks again.`;
  return lockedUntil(what, reason, hint, reopen);
}

/** The gate's refusal when what mends it is the operator's to do, said in `hint`. */
export function lockedUntil(what: string, reason: string, hint: string, reopen: readonly StepId[] = []): MigrateError {
  return new MigrateError('STEP_LOCKED', `${what} is locked: ${reason}; nothing was changed`, {
    hint,
    reopenSteps: reopen,
  });
}

/** A destroy or a reconfigure was started on an earlier run: DTR may be partly gone or restarting. */
export function changeStarted(ctx: StepContext): boolean {
  const replicaDestroyed = (ctx.topology?.joined ?? []).some(
    (r) => ctx.savedBy(destroyReplicaStepId(r.id))?.['destroyStartedAt'] !== undefined,
  );
  return (
    replicaDestroyed ||
    ctx.savedBy('restore')?.['destroyStartedAt'] !== undefined ||
    ctx.savedBy('reconfigure')?.['reconfigureStartedAt'] !== undefined
  );
}

/** Runs `check`; if DTR does not answer after an unfinished destroy or reconfigure, `whileDown` instead. */
async function unlessDown(ctx: StepContext, check: () => Promise<string>, whileDown: string): Promise<string> {
  try {
    return await check();
  } catch (error) {
    if (!unanswered(error) || !changeStarted(ctx) || (await replicaHealthy(ctx))) throw error;
    return whileDown;
  }
}

async function replicaHealthy(ctx: StepContext): Promise<boolean> {
  try {
    return (await ctx.api.clusterStatus()).replica_health[ctx.inputs.replicaId] === healthyReplicaStatus;
  } catch {
    return false;
  }
}

/**
 * GC is off now, and no GC job appeared since disable-gc (which noted the GC jobs it saw): one that ran
 * and ended meanwhile may have deleted blobs the backup refers to, so backup and copy are redone.
 * [choice: jobs are told apart by id, not by time, so DTR's clock does not matter]
 */
export function gcOffLine(ctx: StepContext, what: string): Promise<string> {
  return unlessDown(
    ctx,
    async () => {
      const gc = await readGcState(ctx.api);
      if (!isGcOff(gc)) {
        throw lockedUntil(
          what,
          gcProblem(gc),
          'Set garbage collection to "Never" in DTR (System > Garbage collection) and let any GC job end, then run `dtr-migrate migrate` again.',
        );
      }
      const seen = ctx.outputOf<{ gcJobsSeen?: string[] }>('disable-gc')?.gcJobsSeen;
      if (seen !== undefined) {
        const known = new Set(seen);
        const ran = gc.jobs.filter((job) => !known.has(job.id));
        if (ran.length > 0) {
          const jobs = ran.map((job) => `${job.action} ${job.id} (${job.status})`).join(', ');
          throw locked(
            what,
            `garbage collection ran after it was turned off (${jobs}): it may have deleted blobs the backup refers to`,
            'disable-gc',
            'backup',
            'migrate-storage',
          );
        }
      }
      return 'garbage collection is off, and no GC job ran since it was turned off (checked just now)';
    },
    'garbage collection cannot run: DTR is not serving after the earlier, unfinished destroy or reconfigure',
  );
}

/**
 * Undefined when DTR is in read-only mode `wanted` (true: on) everywhere: in its settings and on every
 * replica, as cluster_status reports it per replica [spec]; otherwise what differs.
 */
export async function readOnlyMismatch(api: DtrClient, wanted: boolean): Promise<string | undefined> {
  const [settings, cluster] = await Promise.all([api.getSettings(), api.clusterStatus()]);
  if ((settings.readOnlyRegistry ?? false) !== wanted)
    return `DTR's settings say readOnlyRegistry ${String(settings.readOnlyRegistry ?? false)}`;
  const lagging = Object.entries(cluster.replica_readonly ?? {}).filter(([, readOnly]) => readOnly !== wanted);
  if (lagging.length === 0) return undefined;
  return `replica ${lagging.map(([id]) => id).join(', ')} reports read-only mode ${wanted ? 'off' : 'on'} (replica_readonly)`;
}

/**
 * The check after read-only mode was put back to `readOnly`: DTR's settings and every replica agree
 * (`fact` is then said), or what differs, and that `rerun` is the command to run again.
 */
export async function readOnlyPutBack(
  api: DtrClient,
  readOnly: boolean,
  rerun: string,
  fact: string,
): Promise<Verification> {
  const differs = await readOnlyMismatch(api, readOnly);
  if (differs !== undefined)
    return {
      ok: false,
      reason: `read-only mode is not back as it was (${readOnly ? 'on' : 'off'}): ${differs}`,
      hint: `Check DTR's settings and replicas, then run \`${rerun}\` again.`,
    };
  return { ok: true, facts: [fact], data: { readOnly } satisfies StepData };
}

/**
 * In the read-only procedure the copy is complete only while nothing can be pushed: read-only mode must
 * still be on, on every replica. If someone turned it off, what was pushed meanwhile is not in the copy: read-only mode
 * goes back on and the copy is brought up to date. Undefined for procedures without read-only mode.
 */
export async function readOnlyLine(ctx: StepContext, what: string): Promise<string | undefined> {
  if (ctx.outputOf('read-only') === undefined) return undefined;
  return unlessDown(
    ctx,
    async () => {
      const off = await readOnlyMismatch(ctx.api, true);
      if (off !== undefined) {
        throw locked(
          what,
          `read-only mode was turned off after the copy (${off}), so pushes made since may be missing from it`,
          'read-only',
          'migrate-storage',
        );
      }
      return 'read-only mode is still on: nothing was pushed since the copy (checked just now)';
    },
    'read-only mode cannot be checked: DTR is not serving after the earlier, unfinished reconfigure',
  );
}
