/**
 * The reconfigure step: the bootstrapper's `reconfigure` onto the new storage. Its mode follows the procedure
 * and the version (see ReconfigureMode): with `--storage-migrated` (2.6.4 to 2.8) or on MSR 2.9 the
 * tags must survive and the check proves it; a plain reconfigure on older versions, or
 * `--reinitialize-storage` on 2.9, erases them, and runs only after the operator accepted that in words.
 */
import { z } from 'zod';
import { reconfigureCommand, type ReconfigureMode } from '../docker/dtr-commands.js';
import { apiPaths } from '../dtr/facts.js';
import type { MigrationStep } from './step.js';
import {
  bootstrapperInputs,
  bootstrapperTarget,
  describeNewStorage,
  destroyGateInputs,
  newStorage,
  replicaConfirmation,
} from './common/bootstrapper.js';
import { finishedEarlier, runNotingFailure, type AttemptMarks } from './common/attempts.js';
import { checkProtections, recheckNewStorage, runsOnNewStorage, waitForHealthyReplica } from './common/protections.js';
import { tagsKept } from './common/tags-check.js';

const reconfigureMarks: AttemptMarks = {
  started: 'reconfigureStartedAt',
  done: 'reconfiguredAt',
  failed: 'reconfigureFailedAt',
};

const outputSchema = z.object({
  replicaId: z.string(),
  storage: z.string(),
  mode: z.enum(['migrated', 'reinitialize', 'plain']),
});
type Output = z.infer<typeof outputSchema>;

/** `nfsOptions`: the NFS mount options of the replica it names, given back on the new server (facts.ts). */
export function reconfigureStep(mode: ReconfigureMode, keepsTags: boolean, nfsOptions?: string): MigrationStep<Output> {
  return {
    id: 'reconfigure',
    title: keepsTags ? 'Reconfigure DTR onto the copied storage' : 'Reconfigure DTR onto the new storage (erases tags)',
    purpose: keepsTags
      ? 'Point DTR at the new storage, telling it the data was copied, so the tags stay.'
      : 'Point DTR at the new storage with a fresh metadata store: every tag is erased, as accepted.',
    inputs: [...bootstrapperInputs, ...destroyGateInputs, 'acceptTagLoss', 'pullCheck'],
    output: outputSchema,

    async confirmation(ctx) {
      const { lines } = await checkProtections(ctx, 'reconfigure');
      const storage = describeNewStorage(newStorage(ctx.inputs));
      return {
        expect: ctx.inputs.replicaId,
        ...replicaConfirmation(ctx, 'to reconfigure it'),
        willDestroy: keepsTags
          ? [`DTR replica ${ctx.inputs.replicaId} restarts on ${storage}; its old storage is no longer used`]
          : [`EVERY TAG of DTR replica ${ctx.inputs.replicaId}: DTR restarts on ${storage} with a new metadata store`],
        protections: lines,
        ...(keepsTags
          ? {}
          : {
              acknowledge: {
                consequence: 'A plain reconfigure erases every tag in this DTR',
                phrase: 'erase all tags',
                flag: '--accept-tag-loss',
                given: ctx.inputs.acceptTagLoss,
              },
            }),
      };
    },

    plan: (ctx) => [
      {
        kind: 'check',
        description:
          "backup size and sha256 unchanged; the old storage DTR's and holding every tag; the new storage verified again now; GC off; then the operator types the replica id",
      },
      {
        kind: 'docker',
        command: ctx.describeDocker(
          reconfigureCommand(
            bootstrapperTarget(ctx.inputs, ctx.certificates),
            newStorage(ctx.inputs),
            mode,
            nfsOptions,
          ),
        ),
        why: keepsTags
          ? 'switch DTR to the copied storage, keeping its metadata'
          : 'switch DTR to the new storage; tags are erased',
      },
      { kind: 'http', method: 'GET', path: apiPaths.clusterStatus, why: 'wait until the replica reports healthy' },
      {
        kind: 'check',
        description: keepsTags
          ? 'DTR on the new storage, healthy, GC off, every tag of the inventory present with the same digest'
          : 'DTR on the new storage, healthy, GC off',
      },
    ],

    async run(ctx) {
      const storage = newStorage(ctx.inputs);
      ctx.progress(`reconfiguring replica ${ctx.inputs.replicaId} onto ${describeNewStorage(storage)}`);
      // Saved first: DTR restarts during a reconfigure, and a run killed meanwhile must expect it down.
      await ctx.checkpoint({
        [reconfigureMarks.started]: new Date().toISOString(),
        healthyAt: undefined,
        [reconfigureMarks.done]: undefined,
        [reconfigureMarks.failed]: undefined,
      });
      ctx.api.expectDowntime(true);
      await runNotingFailure(
        ctx,
        reconfigureCommand(bootstrapperTarget(ctx.inputs, ctx.certificates), storage, mode, nfsOptions),
        { signal: ctx.signal, purpose: 'the reconfigure' },
        reconfigureMarks.failed,
      );
      await ctx.checkpoint({ [reconfigureMarks.done]: new Date().toISOString() });
      await waitForHealthyReplica(ctx, 'reconfigure');
      return { replicaId: ctx.inputs.replicaId, storage: describeNewStorage(storage), mode };
    },

    async verify(ctx) {
      const running = await runsOnNewStorage(ctx);
      if (!running.ok || !keepsTags)
        return running.ok ? { ...running, facts: [...running.facts, 'tags erased, as accepted'] } : running;
      const tags = await tagsKept(ctx);
      return tags.ok
        ? { ok: true, facts: [...running.facts, ...tags.facts], data: { ...running.data, ...tags.data } }
        : tags;
    },

    recheck: recheckNewStorage,

    /** A reconfigure that finished (see finishedEarlier) is checked, never run again. */
    async probe(ctx) {
      if (!(await finishedEarlier(ctx, 'reconfigure', reconfigureMarks))) return undefined;
      return { replicaId: ctx.inputs.replicaId, storage: describeNewStorage(newStorage(ctx.inputs)), mode };
    },
  };
}
