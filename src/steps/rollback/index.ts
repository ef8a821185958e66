/**
 * The rollback's procedures: before anything was destroyed, the put-backs alone; once a destroy (or a
 * reconfigure) began, DTR restored onto the old storage first, then the put-backs (the restored DTR has
 * the settings of the backup, taken with GC off). Read-only mode is put back only by procedures that
 * changed it (DTR 2.5 has none to set).
 */
import { rollbackGcStep, rollbackReadOnlyStep } from './put-back.js';
import { rollbackRestoreStep } from './restore-old-storage.js';
import type { RollbackStep } from './step.js';

export type { RollbackStep, RollbackStepId } from './step.js';
export { inventoryRollbackFileName, rollbackStepIds } from './step.js';

export const rollbackProcedures = {
  'before-destroy': {
    title: 'put back the GC schedule and read-only mode; leave the backup and the copy in place',
  },
  'after-destroy': {
    title: 'restore DTR from the backup onto the old storage, then put back read-only mode and the GC schedule',
  },
} as const;
export type RollbackProcedure = keyof typeof rollbackProcedures;

const allSteps: readonly RollbackStep[] = [rollbackRestoreStep, rollbackReadOnlyStep, rollbackGcStep];

export function rollbackStepsFor(procedure: RollbackProcedure, readOnlyChanged: boolean): readonly RollbackStep[] {
  return allSteps.filter(
    (step) =>
      (step.id !== 'rollback-restore' || procedure === 'after-destroy') &&
      (step.id !== 'rollback-read-only' || readOnlyChanged),
  );
}

/** The steps a journal recorded for its rollback, by id (unknown ids are left out). */
export function rollbackStepsByIds(ids: readonly string[]): readonly RollbackStep[] {
  return allSteps.filter((step) => ids.includes(step.id));
}
