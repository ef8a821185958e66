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
import { nfsOptionsStep, replicasWithNfsOptions } from './06-nfs-options.js';
import type { ReconfigureMode } from '../docker/dtr-commands.js';
import { restoreGcStep } from './09-restore-gc.js';

/**
 * With NFS on both sides, each replica that had NFS options of its own gets them back once it serves
 * the new server (06-nfs-options.ts). Not on 2.5 and 2.6.0 to 2.6.3, where a reconfigure naming the
 * storage may start a new metadata store (the session says so instead).
 */
function nfsOptionsSteps(family: VersionFamily, topology: Topology | undefined): MigrationStep[] {
  if (topology === undefined || family === 'wipes-tags') return [];
  const mode: ReconfigureMode = family === 'msr-2.9' ? 'plain' : 'migrated';
  return replicasWithNfsOptions([topology.restored, ...topology.joined]).map((r) => nfsOptionsStep(r, mode));
}

export function stepsFor(procedure: ProcedureId, family: VersionFamily, topology?: Topology): readonly MigrationStep[] {
  const nfsOptions = nfsOptionsSteps(family, topology);
  // The reconfigure names the restored replica, so its own NFS options go with it.
  const reconfigureOptions = topology?.restored.nfsOptions;
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
          ...nfsOptions,
          onlineGcBlobsStep,
          restoreGcStep,
        ];
      return [
        disableGcStep,
        backupStep,
        migrateStorageStep,
        restoreStep,
        ...nfsOptions,
        onlineGcBlobsStep,
        restoreGcStep,
      ];
    case 'read-only':
      return [
        disableGcStep,
        readOnlyStep,
        backupStep,
        migrateStorageStep,
        reconfigureStep(family === 'msr-2.9' ? 'plain' : 'migrated', true, reconfigureOptions),
        ...nfsOptions,
        readWriteStep,
        restoreGcStep,
      ];
    case 'reconfigure':
      return [
        disableGcStep,
        backupStep,
        migrateStorageStep,
        reconfigureStep(family === 'msr-2.9' ? 'reinitialize' : 'plain', false, reconfigureOptions),
        ...nfsOptions,
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
