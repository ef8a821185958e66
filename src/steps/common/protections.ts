/**
 * What must hold before DTR's data is put at risk (destroy, or a reconfigure onto the new storage), and
 * what must hold after: shared by restore and reconfigure so both gates are the same gate.
 */
import {
  blobExists,
  checkStorageHoldsTags,
  describeMissing,
  type MissingContent,
  type StorageCheck,
} from '../../inventory/storage-manifests.js';
import { healthyReplicaStatus } from '../../dtr/facts.js';
import { MigrateError, isMigrateError } from '../../errors.js';
import type { StepContext, Verification } from '../step.js';
import { formatBlobChecks, formatBytes, formatCount } from '../../util/format.js';
import type { BackupOutput } from '../03-backup.js';
import { storedVerifySummary, type MigrateStorageOutput } from '../04-migrate-storage.js';
import { describeNewStorage, newStorage, renamedStorage } from './bootstrapper.js';
import { gcProblem, isGcOff, readGcState } from './gc-state.js';
import { changeStarted, gcOffLine, locked, lockedUntil, readOnlyLine } from './live-checks.js';
import { storageMismatch } from './new-storage-check.js';

const healthWaitMs = 10 * 60_000;
const healthPollMs = 1_000;

/**
 * Re-checks, right before the operator is asked, everything that protects the data: the backup is
 * the file that was verified, the storage copy verified clean, and GC is off. Returns the lines that
 * the confirmation shows; throws STEP_LOCKED when any fails.
 */
export async function checkProtections(
  ctx: StepContext,
  what: string,
): Promise<{ backup: BackupOutput; lines: string[] }> {
  const backup = ctx.outputOf<BackupOutput>('backup');
  const verify = storedVerifySummary(ctx.savedBy('migrate-storage'));
  if (backup === undefined) throw locked(what, 'there is no verified backup');
  if (verify === undefined) throw locked(what, 'the storage copy has not been verified');
  if (!verify.ok) throw locked(what, `the storage verification found ${verify.problems.length} problem(s)`);
  if (backup.dtrVersion !== ctx.inputs.dtrVersion) {
    throw lockedUntil(
      what,
      `the backup was taken by DTR ${backup.dtrVersion}, but this run names ${ctx.inputs.dtrVersion}`,
      `A backup is restored with the version that took it: run again with --dtr-version ${backup.dtrVersion}.`,
    );
  }
  const copied = ctx.outputOf<MigrateStorageOutput>('migrate-storage')?.dtrStorage;
  const named = renamedStorage(copied, ctx.inputs);
  if (named !== undefined) {
    // Not reopened: copying again to the same --target-storage would prove nothing about the new name.
    throw lockedUntil(
      what,
      `the storage was copied and verified to be given to DTR as ${copied}, but this run names ${named}`,
      `Run again naming the new storage as when it was copied (${copied}): check --target-volume / --target-nfs-url. To switch to another storage, start over with another --state-dir.`,
    );
  }
  const problem = await ctx.files.backupProblem(backup);
  if (problem !== undefined) throw backupGone(ctx, what, problem, backup);
  const content = await contentCheck(ctx, backup);
  if (content.lost.length > 0) {
    for (const m of content.lost)
      ctx.log(`missing in the new storage: ${m.repository}:${m.tag} ${m.manifest} lacks its ${m.role} ${m.missing}`);
    throw locked(what, describeMissing({ ...content.check, missing: content.lost }), 'migrate-storage');
  }
  const gcLine = await gcOffLine(ctx, what);
  const readOnly = await readOnlyLine(ctx, what);
  return {
    backup,
    lines: [
      `backup ${backup.file}: ${formatBytes(backup.bytes)}, sha256 ${backup.sha256} (re-checked just now)`,
      `inventory: ${formatCount(backup.tags)} tags in ${formatCount(backup.repositories)} repositories (${backup.inventoryFile})`,
      `every tag's manifest, config and layers are in the new storage: ${formatCount(content.check.tagsChecked)} tags, ${formatCount(content.check.blobsChecked)} blobs checked${content.brokenBefore.length > 0 ? ` (${content.brokenBefore.length} already incomplete in the old storage: see the log)` : ''}`,
      `new storage ${ctx.inputs.targetStorage}: ${formatCount(verify.filesChecked)} files, ${formatBlobChecks(verify, '`dtr-migrate storage verify --rehash`')} checked, no problem (${verify.verifiedAt})`,
      gcLine,
      ...(readOnly === undefined ? [] : [readOnly]),
    ],
  };
}

/**
 * The verified backup file changed or vanished. Before any destroy the backup step is simply redone;
 * after a destroy started, a new backup cannot be taken from a partly destroyed DTR: the file must be
 * put back.
 */
function backupGone(ctx: StepContext, what: string, problem: string, backup: BackupOutput): MigrateError {
  if (!changeStarted(ctx)) return locked(what, problem, 'backup');
  return lockedUntil(
    what,
    `${problem}, and DTR was partly destroyed or reconfigured on an earlier run, so no new backup can be taken`,
    `Put the verified backup back at ${backup.file} (sha256 ${backup.sha256}), then run \`dtr-migrate migrate\` again.`,
  );
}

/**
 * Every tag of the inventory must be servable from the new storage. Content that is missing from the
 * old storage as well was already lost before the migration: it is reported, but does not block.
 */
async function contentCheck(
  ctx: StepContext,
  backup: BackupOutput,
): Promise<{ check: StorageCheck; lost: MissingContent[]; brokenBefore: MissingContent[] }> {
  const inventory = await ctx.files.readInventory(backup.inventoryFile);
  ctx.progress(`checking ${formatCount(inventory.tags.length)} tags' manifests and blobs in the new storage`);
  const check = await checkStorageHoldsTags(ctx.inputs.targetStorage, inventory.tags);
  if (check.ok) return { check, lost: [], brokenBefore: [] };
  const lost: MissingContent[] = [];
  const brokenBefore: MissingContent[] = [];
  for (const m of check.missing) {
    const inSource = await blobExists(ctx.inputs.sourceStorage, m.missing);
    (inSource ? lost : brokenBefore).push(m);
  }
  for (const m of brokenBefore)
    ctx.log(`already missing in the old storage: ${m.repository}:${m.tag} lacks its ${m.role} ${m.missing}`);
  return { check, lost, brokenBefore };
}

/** Polls until DTR answers with a healthy replica (DTR restarts after restore and reconfigure). */
export async function waitForHealthyReplica(ctx: StepContext, after: string): Promise<void> {
  const deadline = Date.now() + healthWaitMs;
  for (;;) {
    try {
      const status = await ctx.api.clusterStatus();
      if (status.replica_health[ctx.inputs.replicaId] === healthyReplicaStatus) {
        ctx.api.expectDowntime(false);
        return;
      }
      ctx.progress(`waiting for replica ${ctx.inputs.replicaId} to report healthy`);
    } catch (error) {
      if (isMigrateError(error) && (error.code === 'API_AUTH' || error.code === 'API_FORBIDDEN')) throw error;
      ctx.progress(`waiting for DTR to answer after the ${after}`);
    }
    if (Date.now() > deadline) {
      throw new MigrateError(
        'STEP_FAILED',
        `DTR did not report replica ${ctx.inputs.replicaId} healthy within ${healthWaitMs / 60_000} minutes of the ${after}`,
        {
          hint: 'Check the DTR containers on the node; then run `dtr-migrate migrate` again (it checks before repeating anything).',
        },
      );
    }
    await ctx.sleep(healthPollMs);
  }
}

/** DTR healthy, serving from the new storage, GC still off. */
export async function runsOnNewStorage(ctx: StepContext): Promise<Verification> {
  const replicaId = ctx.inputs.replicaId;
  const health = (await ctx.api.clusterStatus()).replica_health[replicaId];
  if (health !== healthyReplicaStatus) {
    return {
      ok: false,
      reason: `replica ${replicaId} reports "${health ?? 'nothing'}"`,
      hint: 'Check the DTR containers, then run `dtr-migrate migrate` again.',
    };
  }
  const storage = newStorage(ctx.inputs);
  const mismatch = await storageMismatch(ctx.docker, replicaId, storage, ctx.signal);
  if (mismatch !== undefined)
    return {
      ok: false,
      reason: mismatch,
      hint: 'Check --target-volume / --target-nfs-url, then run `dtr-migrate migrate` again.',
    };
  const gc = await readGcState(ctx.api);
  if (!isGcOff(gc))
    return {
      ok: false,
      reason: gcProblem(gc),
      hint: 'Set GC to Never in DTR before anything else, then run `dtr-migrate migrate` again.',
    };
  return {
    ok: true,
    facts: [
      `DTR answers; replica ${replicaId} is healthy`,
      `DTR serves images from ${describeNewStorage(storage)}`,
      'GC is still off',
    ],
  };
}
