/**
 * Step 4, the destructive one: `docker/dtr destroy`, then `docker/dtr restore` from the backup onto the
 * new storage. Before the operator is even asked, the protections are re-checked: the backup file is
 * still the one verified (size and sha256), the storage copy's verification was clean, and GC is off.
 * If any fails, the step is locked and nothing is destroyed.
 */
import { z } from 'zod';
import { backupProblem } from '../backup/backup-file.js';
import { destroyCommand, restoreCommand } from '../docker/dtr-commands.js';
import { apiPaths, healthyReplicaStatus } from '../dtr/facts.js';
import { MigrateError, isMigrateError } from '../errors.js';
import type { Step, StepContext } from '../engine/step.js';
import { formatBytes, formatCount } from '../format.js';
import type { BackupOutput } from './02-backup.js';
import { storedVerifySummary, type StoredVerifySummary } from './03-migrate-storage.js';
import { bootstrapperTarget, describeNewStorage, newStorage } from './bootstrapper.js';
import { gcProblem, isGcOff, readGcState } from './gc-state.js';
import { storageMismatch } from './new-storage-check.js';

const outputSchema = z.object({
  replicaId: z.string(),
  storage: z.string(),
  backupFile: z.string(),
});
type Output = z.infer<typeof outputSchema>;

const healthWaitMs = 10 * 60_000;
const healthPollMs = 1_000;

function protectionsOrThrow(ctx: StepContext): { backup: BackupOutput; verify: StoredVerifySummary } {
  const backup = ctx.outputOf<BackupOutput>('backup');
  const verify = storedVerifySummary(ctx.savedBy('migrate-storage'));
  if (backup === undefined) throw locked('there is no verified backup');
  if (verify === undefined) throw locked('the storage copy has not been verified');
  if (!verify.ok) throw locked(`the storage verification found ${verify.problems.length} problem(s)`);
  return { backup, verify };
}

function locked(reason: string): MigrateError {
  return new MigrateError('STEP_LOCKED', `restore is locked: ${reason}; nothing was destroyed`, {
    hint: 'Run `dtr-migrate migrate` to redo the earlier steps; `dtr-migrate status` shows where things stand.',
  });
}

/** Polls until DTR answers with a healthy replica (DTR restarts during restore). */
async function waitForHealthyReplica(ctx: StepContext): Promise<void> {
  const deadline = Date.now() + healthWaitMs;
  for (;;) {
    try {
      const status = await ctx.api.clusterStatus();
      if (status.replica_health[ctx.inputs.replicaId] === healthyReplicaStatus) return;
      ctx.progress(`waiting for replica ${ctx.inputs.replicaId} to report healthy`);
    } catch (error) {
      if (isMigrateError(error) && (error.code === 'API_AUTH' || error.code === 'API_FORBIDDEN')) throw error;
      ctx.progress('waiting for DTR to answer after the restore');
    }
    if (Date.now() > deadline) {
      throw new MigrateError('STEP_FAILED', `DTR did not report replica ${ctx.inputs.replicaId} healthy within ${healthWaitMs / 60_000} minutes of the restore`, {
        hint: 'Check the DTR containers on the node; then run `dtr-migrate migrate` again (it checks before repeating anything).',
      });
    }
    await ctx.sleep(healthPollMs);
  }
}

export const restoreStep: Step<Output> = {
  id: 'restore',
  title: 'Destroy and restore DTR on the new storage',
  purpose: 'Remove the DTR replica and restore it from the backup, naming the new storage, so the tags come back on the copied data.',
  inputs: ['ucpUrl', 'ucpUsername', 'ucpPassword', 'ucpCa', 'ucpInsecureTls', 'ucpNode', 'dtrVersion', 'replicaId', 'dockerBin', 'targetStorage', 'targetVolume', 'targetNfsUrl', 'confirmDestroy'],
  output: outputSchema,

  async confirmation(ctx) {
    const { backup, verify } = protectionsOrThrow(ctx);
    const problem = await backupProblem(backup);
    if (problem !== undefined) throw locked(problem);
    const gc = await readGcState(ctx.api);
    if (!isGcOff(gc)) throw locked(gcProblem(gc));
    const storage = newStorage(ctx.inputs);
    return {
      expect: ctx.inputs.replicaId,
      willDestroy: [
        `DTR replica ${ctx.inputs.replicaId}: its containers and volumes (docker/dtr destroy)`,
        `then DTR is restored from the backup onto ${describeNewStorage(storage)}`,
      ],
      protections: [
        `backup ${backup.file}: ${formatBytes(backup.bytes)}, sha256 ${backup.sha256} (re-checked just now)`,
        `new storage ${ctx.inputs.targetStorage}: ${formatCount(verify.filesChecked)} files, ${formatBytes(verify.bytesChecked)}, ${formatCount(verify.blobsHashed)} blob digests checked, no problem (${verify.verifiedAt})`,
        'garbage collection is off: no schedule, no job running (checked just now)',
      ],
    };
  },

  plan: (ctx) => {
    const target = bootstrapperTarget(ctx.inputs);
    const backup = ctx.outputOf<BackupOutput>('backup')?.file ?? `${ctx.stateDir}/backup-<time>.tar`;
    return [
      { kind: 'check', description: 'backup size and sha256 unchanged, storage verification clean, GC off; then the operator types the replica id' },
      { kind: 'docker', command: ctx.describeDocker(destroyCommand(target)), why: 'remove the replica (its metadata is in the backup)' },
      { kind: 'docker', command: `${ctx.describeDocker(restoreCommand(target, newStorage(ctx.inputs), ctx.inputs.ucpNode))} < ${backup}`, why: 'restore the metadata onto the new storage' },
      { kind: 'http', method: 'GET', path: apiPaths.clusterStatus, why: 'wait until the replica reports healthy' },
      { kind: 'check', description: 'DTR serves from the new storage (docker container inspect), replica healthy, GC still off' },
    ];
  },

  async run(ctx) {
    const target = bootstrapperTarget(ctx.inputs);
    const backup = ctx.outputOf<BackupOutput>('backup');
    if (backup === undefined) throw locked('there is no verified backup');
    const storage = newStorage(ctx.inputs);
    ctx.progress(`destroying replica ${target.replicaId}`);
    await ctx.docker.run(destroyCommand(target), { signal: ctx.signal, purpose: 'docker/dtr destroy' });
    await ctx.checkpoint({ destroyedAt: new Date().toISOString() });
    ctx.progress(`restoring from ${backup.file} onto ${describeNewStorage(storage)}`);
    await ctx.docker.run(restoreCommand(target, storage, ctx.inputs.ucpNode), { stdinFile: backup.file, signal: ctx.signal, purpose: 'docker/dtr restore' });
    await ctx.checkpoint({ restoredAt: new Date().toISOString() });
    await waitForHealthyReplica(ctx);
    return { replicaId: target.replicaId, storage: describeNewStorage(storage), backupFile: backup.file };
  },

  async verify(ctx, output) {
    const status = await ctx.api.clusterStatus();
    const health = status.replica_health[output.replicaId];
    if (health !== healthyReplicaStatus) {
      return { ok: false, reason: `replica ${output.replicaId} reports "${health ?? 'nothing'}"`, hint: 'Check the DTR containers, then run `dtr-migrate migrate` again.' };
    }
    const mismatch = await storageMismatch(ctx.docker, output.replicaId, newStorage(ctx.inputs), ctx.signal);
    if (mismatch !== undefined) return { ok: false, reason: mismatch, hint: 'Check --target-volume / --target-nfs-url, then run `dtr-migrate migrate` again.' };
    const gc = await readGcState(ctx.api);
    if (!isGcOff(gc)) return { ok: false, reason: gcProblem(gc), hint: 'Set GC to Never in DTR before anything else, then run `dtr-migrate migrate` again.' };
    return { ok: true, facts: [`DTR answers; replica ${output.replicaId} is healthy`, `DTR serves images from ${output.storage}`, 'GC is still off'] };
  },

  /**
   * After a killed run that got past destroy: if DTR is healthy on the new storage (the runner runs
   * `verify` on this), the restore finished and must not be repeated.
   */
  async probe(ctx) {
    if (ctx.saved()?.['destroyedAt'] === undefined) return undefined;
    const backup = ctx.outputOf<BackupOutput>('backup');
    if (backup === undefined) return undefined;
    return { replicaId: ctx.inputs.replicaId, storage: describeNewStorage(newStorage(ctx.inputs)), backupFile: backup.file };
  },
};
