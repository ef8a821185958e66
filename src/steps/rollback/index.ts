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

/** Before any destroy (or reconfigure) began, and after. */
export const rollbackProcedures = ['before-destroy', 'after-destroy'] as const;
export type RollbackProcedure = (typeof rollbackProcedures)[number];

/** What these steps do, in words: "restore DTR onto the old storage, then put the GC schedule back". */
export function describeRollback(steps: readonly RollbackStep[]): string {
  const titles = steps.map((step) => `${step.title[0]!.toLowerCase()}${step.title.slice(1)}`).join(', then ');
  return `${titles}; the backup and the copy stay in place`;
}

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
