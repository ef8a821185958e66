/**
 * What a rollback step is: a migration step's shape (same context, same runner, same journal) under an
 * id of its own, so the rollback is journaled beside the migration without mixing up their steps.
 */
import type { InputKey } from '../../config/inputs.js';
import type { Step } from '../../runner/step.js';
import type { PlanContext, StepContext } from '../step.js';

export const rollbackStepIds = ['rollback-restore', 'rollback-read-only', 'rollback-gc'] as const;
export type RollbackStepId = (typeof rollbackStepIds)[number];

export interface RollbackStep<Output = unknown> extends Step<StepContext, PlanContext, Output> {
  readonly id: RollbackStepId;
  readonly inputs: readonly InputKey[];
}

/** Where the rollback keeps the inventory taken once DTR is back on the old storage. */
export const inventoryRollbackFileName = 'inventory-rollback.json';
