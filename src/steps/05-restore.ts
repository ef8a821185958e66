/**
 * Step 4 of the best practice, the destructive one: the bootstrapper's `destroy`, then `restore` from
 * the backup onto the new storage, on the replica's node and under DTR's own address (settings'
 * `dtrHost`, recorded with the backup), so that single sign-on with UCP comes back. On DTR 2.6.0 to 2.6.3
 * an NFS target is first made an NFS-backed docker volume (the URL would wipe the tags [KB]). Before the
 * operator is even asked, the protections are re-checked (protections.ts); if any fails, the step is
 * locked and nothing is destroyed.
 */
import { z } from 'zod';
import { destroyCommand, nfsVolumeCreateCommand, type DockerCommand, type NewStorage } from '../docker/dtr-commands.js';
import { apiPaths } from '../dtr/facts.js';
import { sequenceLines, where, type Topology } from '../dtr/topology.js';
import type { MigrationStep, PlanContext } from './step.js';
import type { BackupOutput } from './03-backup.js';
import {
  bootstrapperTarget,
  describeNewStorage,
  newStorage,
  replicaConfirmation,
  restoreFromBackup,
} from './common/bootstrapper.js';
import { finishedEarlier, mayBePartlyDestroyed, runNotingFailure, type AttemptMarks } from './common/attempts.js';
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

/** The restore command for this run: onto the new storage. */
function restoreFor(
  ctx: Pick<PlanContext, 'inputs' | 'certificates'>,
  backup: BackupOutput | undefined,
): DockerCommand {
  return restoreFromBackup(ctx, backup, newStorage(ctx.inputs));
}

/** The NFS-backed volume of the 2.6.0-2.6.3 workaround, made on the replica's node before anything is destroyed. */
function volumeToCreate(storage: NewStorage): DockerCommand | undefined {
  return storage.kind === 'nfs-volume' ? nfsVolumeCreateCommand(storage.volume, storage.url) : undefined;
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
    'bootstrapperImage',
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
        `DTR replica ${ctx.inputs.replicaId}: its containers and volumes (the bootstrapper's destroy)`,
        `then DTR is restored from the backup onto ${describeNewStorage(newStorage(ctx.inputs))}`,
      ],
      protections: lines,
    };
  },

  plan: (ctx) => {
    const target = bootstrapperTarget(ctx.inputs, ctx.certificates);
    const backup = ctx.outputOf<BackupOutput>('backup');
    const volume = volumeToCreate(newStorage(ctx.inputs));
    return [
      {
        kind: 'check',
        description:
          "backup size and sha256 unchanged; the old storage DTR's and holding every tag; the new storage verified again now; GC off; then the operator types the replica id",
      },
      ...(volume === undefined
        ? []
        : [
            {
              kind: 'docker' as const,
              command: ctx.describeDocker(volume),
              why: `on each DTR node (${ctx.inputs.ucpNode ?? "the replica's"}): DTR ${ctx.inputs.dtrVersion ?? ''} would wipe the tags on --nfs-storage-url, so the NFS export is given to it as this docker volume`,
            },
          ]),
      {
        kind: 'docker',
        command: ctx.describeDocker(destroyCommand(target)),
        why: 'remove the replica (its metadata is in the backup)',
      },
      {
        kind: 'docker',
        command: `${ctx.describeDocker(restoreFor(ctx, backup))} < ${backup?.file ?? `${ctx.stateDir}/backup-<time>.tar`}`,
        why: "restore the metadata onto the new storage, under DTR's address (--dtr-external-url, from its settings) so that single sign-on with UCP comes back",
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
    const volume = volumeToCreate(storage);
    if (volume !== undefined) {
      ctx.progress(`creating the NFS-backed volume ${ctx.describeDocker(volume)}`);
      await ctx.docker.run(volume, { signal: ctx.signal, purpose: 'docker volume create' });
    }
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
      .run(destroyCommand(target), { signal: ctx.signal, purpose: 'the destroy' })
      .catch((error: unknown) => {
        throw mayBePartlyDestroyed(error);
      });
    await ctx.checkpoint({ [restoreMarks.started]: new Date().toISOString() });
    ctx.progress(`restoring from ${backup.file} onto ${describeNewStorage(storage)}`);
    // How this restore ends is noted; only a kill while it runs leaves it open (attempts.ts).
    await runNotingFailure(
      ctx,
      restoreFor(ctx, backup),
      { stdinFile: backup.file, signal: ctx.signal, purpose: 'the restore' },
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

/**
 * The restore of an HA cluster: the same step (the other replicas are destroyed before it, and join after
 * it), whose box and plan name every replica and node destroyed, restored and joined.
 */
export function clusterRestoreStep(topology: Topology): MigrationStep<Output> {
  return {
    ...restoreStep,
    title: `Destroy ${where(topology.restored)} and restore it on the new storage`,
    async confirmation(ctx) {
      const base = await restoreStep.confirmation?.(ctx);
      if (base === undefined) throw new Error('the restore step has a confirmation');
      const sequence = sequenceLines(topology, describeNewStorage(newStorage(ctx.inputs)));
      return {
        ...base,
        ...replicaConfirmation(ctx, 'to destroy it (the last replica left) and restore it'),
        willDestroy: [`every replica of this DTR (${topology.joined.length + 1}), one at a time:`, ...sequence],
      };
    },
    plan: (ctx) => [
      ...restoreStep.plan(ctx),
      {
        kind: 'check',
        description: `then each other replica joins it, one at a time: ${topology.joined.map((r) => where(r)).join(', ')}`,
      },
    ],
  };
}
