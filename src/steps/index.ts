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
import { restoreStep } from './05-restore.js';
import { onlineGcBlobsStep } from './07-onlinegc-blobs.js';
import { readOnlyStep, readWriteStep } from './02-read-only.js';
import { reconfigureStep } from './06-reconfigure.js';
import { restoreGcStep } from './09-restore-gc.js';

export function stepsFor(procedure: ProcedureId, family: VersionFamily): readonly MigrationStep[] {
  switch (procedure) {
    case 'best-practice':
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

/** For reading a journal without knowing the version: ids and titles only. */
export function stepsOfJournal(procedure: string): readonly MigrationStep[] {
  const known = ['best-practice', 'read-only', 'reconfigure'].includes(procedure)
    ? (procedure as ProcedureId)
    : 'best-practice';
  return stepsFor(known, 'storage-migrated');
}
