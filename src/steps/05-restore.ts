/**
 * Step 4 of the best practice, the destructive one: `docker/dtr destroy`, then `docker/dtr restore` from
 * the backup onto the new storage. Before the operator is even asked, the protections are re-checked
 * (protections.ts); if any fails, the step is locked and nothing is destroyed.
 */
import { z } from 'zod';
import { destroyCommand, restoreCommand } from '../docker/dtr-commands.js';
import { apiPaths } from '../dtr/facts.js';
import { MigrateError, isMigrateError } from '../errors.js';
import type { MigrationStep } from './step.js';
import type { BackupOutput } from './03-backup.js';
import { bootstrapperTarget, describeNewStorage, newStorage, replicaConfirmation } from './common/bootstrapper.js';
import { finishedEarlier, runNotingFailure, type AttemptMarks } from './common/attempts.js';
import { checkProtections, recheckNewStorage, runsOnNewStorage, waitForHealthyReplica } from './common/protections.js';
import { tagsKept } from './common/tags-check.js';

/** The restore command may run once destroy is done. */
const restoreMarks: AttemptMarks = { started: 'destroyedAt', done: 'restoredAt', failed: 'restoreFailedAt' };

const outputSchema = z.object({
  replicaId: z.string(),
  storage: z.string(),
  backupFile: z.string(),
});
type Output = z.infer<typeof outputSchema>;

/** A failed destroy may have removed some of the replica: say so, and that resuming is the way on. */
function mayBePartlyDestroyed(error: unknown): unknown {
  if (!isMigrateError(error) || error.code !== 'DOCKER_FAILED') return error;
  return new MigrateError(
    error.code,
    `${error.message}; DTR may be partly destroyed (its data is safe in the verified backup and the new storage)`,
    {
      hint: `${error.hint ?? ''} Resuming runs destroy again (harmless on a removed replica), then the restore.`.trim(),
      details: error.details,
      cause: error,
    },
  );
}

export const restoreStep: MigrationStep<Output> = {
  id: 'restore',
  title: 'Destroy and restore DTR on the new storage',
  purpose:
    'Remove the DTR replica and restore it from the backup, naming the new storage, so the tags come back on the copied data.',
  inputs: [
    'ucpUrl',
    'ucpUsername',
    'ucpPassword',
    'ucpCa',
    'ucpInsecureTls',
    'ucpNode',
    'dtrVersion',
    'replicaId',
    'dockerBin',
    'sourceStorage',
    'targetStorage',
    'targetVolume',
    'targetNfsUrl',
    'confirmDestroy',
    'acceptMissingTags',
    'acceptForeignFiles',
    'pullCheck',
  ],
  output: outputSchema,

  async confirmation(ctx) {
    const { lines } = await checkProtections(ctx, 'restore');
    return {
      expect: ctx.inputs.replicaId,
      ...replicaConfirmation(ctx, 'to destroy and restore it'),
      willDestroy: [
        `DTR replica ${ctx.inputs.replicaId}: its containers and volumes (docker/dtr destroy)`,
        `then DTR is restored from the backup onto ${describeNewStorage(newStorage(ctx.inputs))}`,
      ],
      protections: lines,
    };
  },

  plan: (ctx) => {
    const target = bootstrapperTarget(ctx.inputs, ctx.certificates);
    const backup = ctx.outputOf<BackupOutput>('backup')?.file ?? `${ctx.stateDir}/backup-<time>.tar`;
    return [
      {
        kind: 'check',
        description:
          "backup size and sha256 unchanged; the old storage DTR's and holding every tag; the new storage verified again now; GC off; then the operator types the replica id",
      },
      {
        kind: 'docker',
        command: ctx.describeDocker(destroyCommand(target)),
        why: 'remove the replica (its metadata is in the backup)',
      },
      {
        kind: 'docker',
        command: `${ctx.describeDocker(restoreCommand(target, newStorage(ctx.inputs), ctx.inputs.ucpNode))} < ${backup}`,
        why: 'restore the metadata onto the new storage',
      },
      { kind: 'http', method: 'GET', path: apiPaths.clusterStatus, why: 'wait until the replica reports healthy' },
      {
        kind: 'check',
        description:
          'DTR serves from the new storage (docker container inspect), replica healthy, GC still off, every tag of the inventory present with the same digest',
      },
    ];
  },

  async run(ctx) {
    const target = bootstrapperTarget(ctx.inputs, ctx.certificates);
    const backup = ctx.outputOf<BackupOutput>('backup');
    if (backup === undefined) throw new Error('restore ran without a backup: the runner gate should have stopped it');
    const storage = newStorage(ctx.inputs);
    ctx.progress(`destroying replica ${target.replicaId}`);
    // Saved first: a destroy that fails or is killed half-way may leave DTR down, and the next run must
    // expect that rather than stop at DTR's silence. What earlier attempts noted no longer holds.
    await ctx.checkpoint({
      destroyStartedAt: new Date().toISOString(),
      healthyAt: undefined,
      [restoreMarks.started]: undefined,
      [restoreMarks.done]: undefined,
      [restoreMarks.failed]: undefined,
    });
    ctx.api.expectDowntime(true);
    await ctx.docker
      .run(destroyCommand(target), { signal: ctx.signal, purpose: 'docker/dtr destroy' })
      .catch((error: unknown) => {
        throw mayBePartlyDestroyed(error);
      });
    await ctx.checkpoint({ [restoreMarks.started]: new Date().toISOString() });
    ctx.progress(`restoring from ${backup.file} onto ${describeNewStorage(storage)}`);
    // How this restore ends is noted; only a kill while it runs leaves it open (attempts.ts).
    await runNotingFailure(
      ctx,
      restoreCommand(target, storage, ctx.inputs.ucpNode),
      { stdinFile: backup.file, signal: ctx.signal, purpose: 'docker/dtr restore' },
      restoreMarks.failed,
    );
    // From here on the restore is never repeated: a later run only checks it (see probe).
    await ctx.checkpoint({ [restoreMarks.done]: new Date().toISOString() });
    await waitForHealthyReplica(ctx, 'restore');
    return { replicaId: target.replicaId, storage: describeNewStorage(storage), backupFile: backup.file };
  },

  async verify(ctx) {
    const running = await runsOnNewStorage(ctx);
    if (!running.ok) return running;
    const tags = await tagsKept(ctx);
    return tags.ok
      ? { ok: true, facts: [...running.facts, ...tags.facts], data: { ...running.data, ...tags.data } }
      : tags;
  },

  recheck: recheckNewStorage,

  /**
   * A restore that finished is never repeated (the runner checks it, and reports a failed check); one
   * that did not (see finishedEarlier) runs again: destroy (harmless on a removed replica), then restore.
   */
  async probe(ctx) {
    const backup = ctx.outputOf<BackupOutput>('backup');
    if (backup === undefined || !(await finishedEarlier(ctx, 'restore', restoreMarks))) return undefined;
    return {
      replicaId: ctx.inputs.replicaId,
      storage: describeNewStorage(newStorage(ctx.inputs)),
      backupFile: backup.file,
    };
  },
};
