/**
 * Whether a migration can be rolled back, and how, from its journal alone (status says it without asking
 * DTR; the rollback run starts from it): before any destroy or reconfigure, put back what disable-gc
 * recorded; once one began and DTR is not yet verified on the new storage, restore DTR onto the old
 * storage. A rollback under way resumes with the steps it started with.
 */
import { isReplicaStepId } from '../dtr/topology.js';
import { MigrateError } from '../errors.js';
import type { JournalData } from '../runner/journal.js';
import {
  describeRollback,
  rollbackProcedures,
  rollbackStepsByIds,
  rollbackStepsFor,
  type RollbackProcedure,
  type RollbackStep,
} from '../steps/rollback/index.js';

export type RollbackChoice =
  | {
      readonly possible: true;
      readonly procedure: RollbackProcedure;
      readonly steps: readonly RollbackStep[];
      /** A rollback that an earlier run started (and did not complete). */
      readonly underWay: boolean;
      /** What it would do, in words. */
      readonly would: string;
    }
  | {
      readonly possible: false;
      /** Why not, in words. */
      readonly why: string;
      /** Nothing to undo (nothing changed yet, or rolled back already): not a failure. */
      readonly nothingToDo: boolean;
    };

const isProcedure = (text: string): text is RollbackProcedure =>
  (rollbackProcedures as readonly string[]).includes(text);

/**
 * A destroy or a reconfigure was started: DTR's metadata may be gone, and only the backup brings it back.
 * In an HA cluster the other replicas are destroyed first, each in a step of its own (destroy-<replica>).
 */
function destroyBegan(data: JournalData): boolean {
  const saved = (id: string, mark: string): boolean => data.steps[id]?.checkpoint?.[mark] !== undefined;
  return (
    saved('restore', 'destroyStartedAt') ||
    saved('reconfigure', 'reconfigureStartedAt') ||
    replicaSteps(data).some((id) => saved(id, 'destroyStartedAt'))
  );
}

/** The per-replica steps of an HA migration (destroy-<replica>, join-<replica>); none for one replica. */
const replicaSteps = (data: JournalData): string[] => Object.keys(data.steps).filter(isReplicaStepId);

export function chooseRollback(data: JournalData | undefined): RollbackChoice {
  if (data === undefined)
    return {
      possible: false,
      why: 'no migration has started here, so there is nothing to roll back',
      nothingToDo: true,
    };
  const record = data.rollback;
  if (record?.completedAt !== undefined)
    return { possible: false, why: `the migration was rolled back at ${record.completedAt}`, nothingToDo: true };
  if (record !== undefined && isProcedure(record.procedure)) {
    const steps = rollbackStepsByIds(record.steps);
    return { possible: true, procedure: record.procedure, steps, underWay: true, would: describeRollback(steps) };
  }
  const switched = ['restore', 'reconfigure'].find((id) => data.steps[id]?.status === 'verified');
  if (switched !== undefined)
    return {
      possible: false,
      why: `DTR already serves the new storage with every tag (${switched} verified); rolling back would lose what was pushed since, so it is not offered`,
      nothingToDo: false,
    };
  const readOnlyChanged = (data.steps['read-only']?.attempts ?? 0) > 0;
  const gc = data.steps['disable-gc'];
  const procedure: RollbackProcedure | undefined = destroyBegan(data)
    ? 'after-destroy'
    : gc?.output !== undefined || gc?.checkpoint?.['previousSchedules'] !== undefined
      ? 'before-destroy'
      : undefined;
  if (procedure === undefined)
    return { possible: false, why: 'the migration has changed nothing in DTR yet', nothingToDo: true };
  // The rollback's restore brings back one replica; the others would stay destroyed, so an HA cluster
  // whose destroys began is not rolled back here but finished (backup and new storage are verified).
  if (procedure === 'after-destroy' && replicaSteps(data).length > 0)
    return {
      possible: false,
      why:
        'this is an HA cluster and its destroys began, and a rollback restores one replica only; finish the migration instead ' +
        '(the backup and the new storage were verified before the first destroy), or restore the backed-up replica onto the old ' +
        'storage by hand and join each other replica to it',
      nothingToDo: false,
    };
  const steps = rollbackStepsFor(procedure, readOnlyChanged);
  return { possible: true, procedure, steps, underWay: false, would: describeRollback(steps) };
}

/** A migration does not run while its rollback is under way: the two would undo each other. */
export function refuseDuringRollback(data: JournalData | undefined): void {
  const record = data?.rollback;
  if (record === undefined || record.completedAt !== undefined) return;
  throw new MigrateError(
    'STEP_LOCKED',
    `a rollback of this migration started at ${record.startedAt} and has not completed; the migration does not run meanwhile`,
    {
      hint: 'Finish it with `dtr-migrate rollback` (it resumes where it stopped); `dtr-migrate status` shows where it stands.',
    },
  );
}
