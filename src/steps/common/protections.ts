/**
 * What must hold before DTR's data is put at risk (destroy, or a reconfigure onto the new storage), and
 * what must hold after: shared by restore and reconfigure so both gates are the same gate.
 */
import { healthyReplicaStatus } from '../../dtr/facts.js';
import type { MigrateError } from '../../errors.js';
import type { Recheck } from '../../runner/step.js';
import type { StepContext, Verification } from '../step.js';
import type { StepData } from '../step-data.js';
import { formatBytes, formatCount } from '../../util/format.js';
import type { BackupOutput } from '../03-backup.js';
import type { MigrateStorageOutput } from '../04-migrate-storage.js';
import { describeNewStorage, newStorage, renamedStorage } from './bootstrapper.js';
import { gcProblem, isGcOff, readGcState } from './gc-state.js';
import { changeStarted, gcOffLine, locked, lockedUntil, readOnlyLine } from './live-checks.js';
import { storageMismatch } from './new-storage-check.js';
import { waitUntilHealthy } from './replicas.js';
import { checkStorages } from './storage-evidence.js';

/**
 * Re-checks, right before the operator is asked, everything that protects the data, from the backup file,
 * the two storages and DTR as they are now (what earlier steps recorded only says where to look): the
 * backup is the file that was verified, the old storage is DTR's and holds every tag, the new storage
 * verifies clean again and holds every tag's content, and GC is off. Returns the lines that the
 * confirmation shows; throws (STEP_LOCKED, or a consent the operator must give) when any fails.
 */
export async function checkProtections(
  ctx: StepContext,
  what: string,
): Promise<{ backup: BackupOutput; lines: string[] }> {
  const backup = ctx.outputOf<BackupOutput>('backup');
  if (backup === undefined) throw locked(what, 'there is no verified backup');
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
  const inventory = await ctx.files.readInventory(backup.inventoryFile);
  const storageLines = await checkStorages(ctx, what, inventory);
  const gcLine = await gcOffLine(ctx, what);
  const readOnly = await readOnlyLine(ctx, what);
  return {
    backup,
    lines: [
      `backup ${backup.file}: ${formatBytes(backup.bytes)}, sha256 ${backup.sha256} (re-checked just now)`,
      `inventory: ${formatCount(backup.tags)} tags in ${formatCount(backup.repositories)} repositories (${backup.inventoryFile})`,
      ...storageLines,
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

/** Polls until DTR answers with this run's replica healthy (DTR restarts after restore and reconfigure). */
export async function waitForHealthyReplica(ctx: StepContext, after: string): Promise<void> {
  await waitUntilHealthy(
    ctx,
    ctx.inputs.replicaId,
    after,
    'Check the DTR containers on the node; then run `dtr-migrate migrate` again (it checks before repeating anything).',
  );
  ctx.api.expectDowntime(false);
  // When DTR was back: the report measures the time it was unavailable up to here.
  await ctx.checkpoint({ healthyAt: new Date().toISOString() });
}

/** Undefined when the replica is healthy and serves from the new storage; otherwise what is wrong. */
export async function servesNewStorage(ctx: StepContext): Promise<string | undefined> {
  const replicaId = ctx.inputs.replicaId;
  const health = (await ctx.api.clusterStatus()).replica_health[replicaId];
  if (health !== healthyReplicaStatus) return `replica ${replicaId} reports "${health ?? 'nothing'}"`;
  return storageMismatch(ctx.docker, replicaId, newStorage(ctx.inputs), ctx.signal);
}

/**
 * The recheck of a restore or reconfigure the journal calls verified: DTR must serve from the new storage.
 * Opened again when not: the step then runs behind the same gate (backup, both storages, GC) and the same
 * confirmation, and its probe tells a restore that ran (checked, never repeated) from one that did not.
 */
export async function recheckNewStorage(ctx: StepContext): Promise<Recheck> {
  const problem = await servesNewStorage(ctx);
  return problem === undefined
    ? { ok: true }
    : {
        ok: false,
        reason: problem,
        hint: 'Run `dtr-migrate migrate` again: the step is checked and, behind the gate, done again if it must be.',
        then: 'reopen',
      };
}

/** DTR healthy, serving from the new storage, GC still off. */
export async function runsOnNewStorage(ctx: StepContext): Promise<Verification> {
  const problem = await servesNewStorage(ctx);
  if (problem !== undefined) {
    return {
      ok: false,
      reason: problem,
      hint: 'Check the DTR containers and --target-volume / --target-nfs-url, then run `dtr-migrate migrate` again.',
    };
  }
  const gc = await readGcState(ctx.api);
  if (!isGcOff(gc))
    return {
      ok: false,
      reason: gcProblem(gc),
      hint: 'Set GC to Never in DTR before anything else, then run `dtr-migrate migrate` again.',
    };
  const { replicaId } = ctx.inputs;
  const storage = newStorage(ctx.inputs);
  return {
    ok: true,
    facts: [
      `DTR answers; replica ${replicaId} is healthy`,
      `DTR serves images from ${describeNewStorage(storage)}`,
      'GC is still off',
    ],
    data: { dtr: { replicaId, storage: describeNewStorage(storage) } } satisfies StepData,
  };
}
