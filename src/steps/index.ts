/**
 * The steps of each procedure, in order. Which reconfigure a procedure runs depends on the version
 * family (dtr-api.md section 9): the tags survive `--storage-migrated` (2.6.4 to 2.8) and a plain
 * reconfigure onto an exact copy on MSR 2.9; anything else erases them.
 */
import type { ProcedureId } from '../dtr/procedures.js';
import type { VersionFamily } from '../dtr/versions.js';
import type { MigrationStep } from './step.js';
import { disableGcStep } from './01-disable-gc.js';
import { backupStep } from './03-backup.js';
import { migrateStorageStep } from './04-migrate-storage.js';
import { clusterRestoreStep, restoreStep } from './05-restore.js';
import { destroyReplicaStep } from './05-destroy-replica.js';
import { joinReplicaStep } from './05-join-replica.js';
import { isHighlyAvailable, type Topology } from '../dtr/topology.js';
import { onlineGcBlobsStep } from './07-onlinegc-blobs.js';
import { readOnlyStep, readWriteStep } from './02-read-only.js';
import { reconfigureStep } from './06-reconfigure.js';
import { restoreGcStep } from './09-restore-gc.js';

export function stepsFor(procedure: ProcedureId, family: VersionFamily, topology?: Topology): readonly MigrationStep[] {
  switch (procedure) {
    case 'best-practice':
      // An HA cluster: destroy every other replica, restore one, join each other (dtr-api.md 11, "HA").
      if (isHighlyAvailable(topology))
        return [
          disableGcStep,
          backupStep,
          migrateStorageStep,
          ...topology.joined.map((r) => destroyReplicaStep(r, topology)),
          clusterRestoreStep(topology),
          ...topology.joined.map((r) => joinReplicaStep(r, topology)),
          onlineGcBlobsStep,
          restoreGcStep,
        ];
      return [disableGcStep, backupStep, migrateStorageStep, restoreStep, onlineGcBlobsStep, restoreGcStep];
    case 'read-only':
      return [
        disableGcStep,
        readOnlyStep,
        backupStep,
        migrateStorageStep,
        reconfigureStep(family === 'msr-2.9' ? 'plain' : 'migrated', true),
        readWriteStep,
        restoreGcStep,
      ];
    case 'reconfigure':
      return [
        disableGcStep,
        backupStep,
        migrateStorageStep,
        reconfigureStep(family === 'msr-2.9' ? 'reinitialize' : 'plain', false),
        restoreGcStep,
      ];
  }
}

/** For reading a journal without knowing the version: ids and titles only (with the HA steps of its topology). */
export function stepsOfJournal(procedure: string, topology?: Topology): readonly MigrationStep[] {
  const known = ['best-practice', 'read-only', 'reconfigure'].includes(procedure)
    ? (procedure as ProcedureId)
    : 'best-practice';
  return stepsFor(known, 'storage-migrated', topology);
}
