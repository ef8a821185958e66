/**
 * The rollback after a destroy (or a reconfigure) began: DTR is destroyed (what is left of it; harmless on
 * a removed replica) and restored from the migration's own backup onto the OLD storage, which the
 * migration only read. Behind the same confirmation as the migration's destroy, after the backup is
 * checked again (size and sha256, right now) and the old storage is found to hold every tag's content.
 * The restore command is the migration's (common/bootstrapper.ts), given the storage DTR had.
 */
import { z } from 'zod';
import { destroyCommand } from '../../docker/dtr-commands.js';
import { apiPaths, healthyReplicaStatus } from '../../dtr/facts.js';
import { formatBytes, formatCount } from '../../util/format.js';
import type { BackupOutput } from '../03-backup.js';
import {
  bootstrapperInputs,
  bootstrapperTarget,
  replicaConfirmation,
  restoreFromBackup,
} from '../common/bootstrapper.js';
import { finishedEarlier, runNotingFailure, type AttemptMarks } from '../common/attempts.js';
import { lockedUntil } from '../common/live-checks.js';
import { storageMismatch } from '../common/new-storage-check.js';
import { storageBeforeProblem, type StorageBefore } from '../common/old-storage.js';
import { waitForHealthyReplica } from '../common/protections.js';
import { oldStorageHolds } from '../common/storage-evidence.js';
import { tagsKept } from '../common/tags-check.js';
import type { PlanContext, StepContext } from '../step.js';
import { inventoryRollbackFileName, type RollbackStep } from './step.js';

const what = 'the rollback';
const marks: AttemptMarks = { started: 'destroyedAt', done: 'restoredAt', failed: 'restoreFailedAt' };

const outputSchema = z.object({ replicaId: z.string(), storage: z.string(), backupFile: z.string() });
type Output = z.infer<typeof outputSchema>;

/** The backup and how DTR named its storage before, both from the migration's backup step. */
function recorded(ctx: Pick<PlanContext, 'outputOf'>): { backup?: BackupOutput; before?: StorageBefore } {
  const backup = ctx.outputOf<BackupOutput>('backup');
  return backup === undefined ? {} : { backup, ...(backup.storageBefore ? { before: backup.storageBefore } : {}) };
}

/** What must hold before anything is destroyed again; throws STEP_LOCKED (nothing changed) when one does not. */
async function protections(
  ctx: StepContext,
): Promise<{ backup: BackupOutput; before: StorageBefore; lines: string[] }> {
  const { backup, before } = recorded(ctx);
  if (backup === undefined)
    throw lockedUntil(
      what,
      'the journal holds no verified backup',
      'Run `dtr-migrate status` to see where things stand.',
    );
  const unusable = storageBeforeProblem(before, ctx.inputs.replicaId);
  if (unusable !== undefined || before === undefined)
    throw lockedUntil(
      what,
      unusable ?? 'the old storage is unknown',
      'Finish the migration onto the new storage instead (`dtr-migrate migrate`: the copy holds the data), or restore DTR by hand from the backup naming the old storage.',
    );
  if (backup.dtrVersion !== ctx.inputs.dtrVersion)
    throw lockedUntil(
      what,
      `the backup was taken by DTR ${backup.dtrVersion}, but this run names ${ctx.inputs.dtrVersion}`,
      `A backup is restored with the version that took it: run again with --dtr-version ${backup.dtrVersion}.`,
    );
  const problem = await ctx.files.backupProblem(backup);
  if (problem !== undefined)
    throw lockedUntil(
      what,
      problem,
      `Put the verified backup back at ${backup.file} (sha256 ${backup.sha256}), then run \`dtr-migrate rollback\` again.`,
    );
  const inventory = await ctx.files.readInventory(backup.inventoryFile);
  const broken = await oldStorageHolds(ctx, what, inventory);
  return {
    backup,
    before,
    lines: [
      `backup ${backup.file}: ${formatBytes(backup.bytes)}, sha256 ${backup.sha256} (re-checked just now)`,
      `old storage ${ctx.inputs.sourceStorage} holds the content of every tag of the inventory${broken.size > 0 ? ` but ${broken.size} already incomplete before the migration, accepted with --accept-missing-tags ${broken.size}` : ''} (${formatCount(inventory.tags.length)} tags, checked just now)`,
      `DTR is restored onto the storage it served from before the migration: ${before.shown}`,
    ],
  };
}

export const rollbackRestoreStep: RollbackStep<Output> = {
  id: 'rollback-restore',
  title: 'Restore DTR onto the old storage',
  purpose:
    'Destroy what is left of the replica and restore it from the same backup onto the old storage, which the migration never wrote to.',
  inputs: [...bootstrapperInputs, 'ucpNode', 'sourceStorage', 'confirmDestroy', 'acceptMissingTags', 'pullCheck'],
  output: outputSchema,

  async confirmation(ctx) {
    const { before, lines } = await protections(ctx);
    return {
      expect: ctx.inputs.replicaId,
      ...replicaConfirmation(ctx, 'to destroy it and restore it onto the old storage'),
      willDestroy: [
        `DTR replica ${ctx.inputs.replicaId}: what is left of its containers and volumes (the bootstrapper's destroy)`,
        `then DTR is restored from the backup onto the old storage, ${before.shown}`,
      ],
      protections: lines,
    };
  },

  plan: (ctx) => {
    const { backup, before } = recorded(ctx);
    const storage = before?.restoreAs ?? { kind: 'volume' as const, volume: '<the storage before the migration>' };
    return [
      {
        kind: 'check',
        description:
          'backup size and sha256 unchanged; the old storage holds every tag of inventory-before.json; then the operator types the replica id',
      },
      {
        kind: 'docker',
        command: ctx.describeDocker(destroyCommand(bootstrapperTarget(ctx.inputs, ctx.certificates))),
        why: 'remove what is left of the replica (harmless when the migration removed it already)',
      },
      {
        kind: 'docker',
        command: `${ctx.describeDocker(restoreFromBackup(ctx, backup, storage))} < ${backup?.file ?? '<backup>'}`,
        why: `restore the metadata from the migration's backup onto the old storage (${before?.shown ?? 'unknown'})`,
      },
      { kind: 'http', method: 'GET', path: apiPaths.clusterStatus, why: 'wait until the replica reports healthy' },
      {
        kind: 'check',
        description: `DTR serves from the old storage (docker container inspect); every tag of the inventory present with the same digest (kept as ${inventoryRollbackFileName})`,
      },
    ];
  },

  async run(ctx) {
    const { backup, before } = recordedOrThrow(ctx);
    const target = bootstrapperTarget(ctx.inputs, ctx.certificates);
    // Saved first, as in the migration's restore: a destroy killed half-way leaves DTR down.
    await ctx.checkpoint({
      destroyStartedAt: new Date().toISOString(),
      healthyAt: undefined,
      [marks.started]: undefined,
      [marks.done]: undefined,
      [marks.failed]: undefined,
    });
    ctx.api.expectDowntime(true);
    ctx.progress(`destroying what is left of replica ${target.replicaId}`);
    await ctx.docker.run(destroyCommand(target), { signal: ctx.signal, purpose: 'the destroy' });
    await ctx.checkpoint({ [marks.started]: new Date().toISOString() });
    ctx.progress(`restoring from ${backup.file} onto the old storage ${before.shown}`);
    await runNotingFailure(
      ctx,
      restoreFromBackup(ctx, backup, before.restoreAs),
      { stdinFile: backup.file, signal: ctx.signal, purpose: 'the restore' },
      marks.failed,
    );
    await ctx.checkpoint({ [marks.done]: new Date().toISOString() });
    await waitForHealthyReplica(ctx, 'restore');
    return { replicaId: target.replicaId, storage: before.shown, backupFile: backup.file };
  },

  async verify(ctx) {
    const { backup, before } = recordedOrThrow(ctx);
    const replicaId = ctx.inputs.replicaId;
    const health = (await ctx.api.clusterStatus()).replica_health[replicaId];
    const wrong =
      health !== healthyReplicaStatus
        ? `replica ${replicaId} reports "${health ?? 'nothing'}"`
        : await storageMismatch(ctx.docker, replicaId, before.restoreAs, ctx.signal);
    if (wrong !== undefined)
      return {
        ok: false,
        reason: wrong,
        hint: 'Check the DTR containers on the node, then run `dtr-migrate rollback` again (it checks before repeating anything).',
      };
    const tags = await tagsKept(ctx, inventoryRollbackFileName);
    if (!tags.ok) return tags;
    return {
      ok: true,
      facts: [
        `DTR answers; replica ${replicaId} is healthy and serves images from the old storage, ${before.shown}`,
        ...tags.facts,
        `the backup ${backup.file} and the copy in the new storage are left in place`,
      ],
      data: { ...tags.data, dtr: { replicaId, storage: before.shown } },
    };
  },

  async probe(ctx) {
    const { backup, before } = recorded(ctx);
    if (backup === undefined || before === undefined || !(await finishedEarlier(ctx, 'restore', marks)))
      return undefined;
    return { replicaId: ctx.inputs.replicaId, storage: before.shown, backupFile: backup.file };
  },
};

/** The backup and old storage as run and verify need them (the confirmation checked them already). */
function recordedOrThrow(ctx: StepContext): { backup: BackupOutput; before: StorageBefore } {
  const { backup, before } = recorded(ctx);
  if (backup === undefined || before === undefined)
    throw new Error('rollback-restore ran without a backup or old storage: its confirmation should have stopped it');
  return { backup, before };
}
