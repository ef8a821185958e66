/**
 * What a migration run checks of its own inputs and journal before it changes anything: the storage
 * paths, the naming of the new storage, `--redo`, consent to erase tags, and inputs a script lacks.
 */
import { howToGive } from '../config/inputs.js';
import type { InputResolver } from '../config/resolve.js';
import type { Cron } from '../api/schemas.js';
import { MigrateError } from '../errors.js';
import type { Io } from '../runner/io.js';
import type { Journal } from '../runner/journal.js';
import { migrateStorageFlags, migrateStorageStep } from '../steps/04-migrate-storage.js';
import { renamedStorage } from '../steps/common/bootstrapper.js';
import { describeSchedules } from '../steps/common/gc-state.js';
import { checkSourceIsDtrs, type StorageWitnesses } from '../steps/common/source-check.js';
import type { MigrationStep, StepId } from '../steps/step.js';
import { checkLocations } from '../storage/index.js';

/**
 * The storage paths, checked before anything changes (a target inside the source would otherwise be
 * found only in step 4, after GC was turned off and a backup taken). Inputs not given yet are asked for,
 * and checked, by the step itself.
 */
export async function checkStorageInputs(
  inputs: InputResolver,
  pending: readonly MigrationStep[],
  dryRun: boolean,
): Promise<void> {
  const source = inputs.peek('sourceStorage');
  const target = inputs.peek('targetStorage');
  if (source === undefined || target === undefined || !pending.some((step) => step.id === migrateStorageStep.id))
    return;
  await checkLocations({ kind: 'path', path: source }, { kind: 'path', path: target }, migrateStorageFlags, dryRun);
}

/**
 * The source must be the storage DTR serves images from (source-check.ts), checked before anything
 * changes, while the copy or the destructive step is still to come and DTR is up to say so. Returns the
 * line for the overview.
 */
export async function checkSourceStorage(
  inputs: InputResolver,
  pending: readonly MigrationStep[],
  witnesses: StorageWitnesses,
  dtrDown: boolean,
): Promise<string | undefined> {
  const source = inputs.peek('sourceStorage');
  const replicaId = inputs.peek('replicaId');
  const needed = pending.some((step) => sourceReaders.includes(step.id));
  if (source === undefined || replicaId === undefined || dtrDown || !needed) return undefined;
  return checkSourceIsDtrs(witnesses, replicaId, source);
}

const sourceReaders: readonly StepId[] = ['migrate-storage', 'restore', 'reconfigure'];

/** `--redo <step>`: a step of this procedure that did not end verified. */
export function redoRequested(
  inputs: InputResolver,
  steps: readonly MigrationStep[],
  journal: Journal,
): StepId | undefined {
  const redo = inputs.peek('redo');
  if (redo === undefined) return undefined;
  if (!steps.some((step) => step.id === redo)) {
    throw new MigrateError('USAGE', `--redo ${redo}: this migration's procedure has no ${redo} step`, {
      hint: 'Check `dtr-migrate status` for its steps.',
    });
  }
  if (journal.status(redo) === 'verified') {
    throw new MigrateError('USAGE', `--redo ${redo}: that step is verified, and is never run again`, {
      hint: 'Drop --redo; it is only for a step an earlier run left failed or undecided.',
    });
  }
  return redo;
}

/**
 * The new storage must be named to DTR as it was when it was copied and verified: checked before the
 * run records anything, so a mistyped --target-volume never reaches the journal (the gate checks again).
 */
export function checkStorageNaming(inputs: InputResolver, journal: Journal): void {
  const copiedAs = (journal.step(migrateStorageStep.id).output as { dtrStorage?: unknown } | undefined)?.dtrStorage;
  const named = renamedStorage(copiedAs, {
    targetStorage: inputs.peek('targetStorage'),
    targetVolume: inputs.peek('targetVolume'),
    targetNfsUrl: inputs.peek('targetNfsUrl'),
  });
  if (named === undefined) return;
  throw new MigrateError(
    'JOURNAL_MISMATCH',
    `this run names the new storage ${named}, but this migration copied and verified it for ${copiedAs}`,
    {
      hint: 'Drop --target-volume / --target-nfs-url, or give the values used when it was copied; use another --state-dir for a different migration.',
    },
  );
}

/** In a script, the reconfigure procedure's erasing of every tag must be accepted up front. */
export function checkTagLossAccepted(
  inputs: InputResolver,
  procedure: string,
  pending: readonly MigrationStep[],
  journal: Journal,
  interactive: boolean,
): void {
  // Only while the reconfigure is still to come: once it ran, the loss was accepted on that run.
  const wipePending =
    procedure === 'reconfigure' &&
    pending.some((step) => step.id === 'reconfigure') &&
    journal.step('reconfigure').checkpoint?.['reconfiguredAt'] === undefined;
  if (!wipePending || interactive || inputs.peek('acceptTagLoss') === true) return;
  throw new MigrateError(
    'CONFIRMATION_REQUIRED',
    'the reconfigure procedure erases every tag; in a script that must be accepted up front, and nothing was changed',
    {
      hint: 'Add --accept-tag-loss if that is what you want, or use --procedure best-practice (or read-only on 2.6.4+), which keep the tags.',
    },
  );
}

/**
 * GC already "Never" as a migration starts (no schedule recorded yet): restore-gc would put "Never" back
 * and the real schedule would be lost, so what to put back must be said, before anything changes.
 */
export async function checkGcScheduleAfter(
  inputs: InputResolver,
  io: Io,
  gcSchedules: readonly Cron[] | undefined,
  journal: Journal,
  pending: readonly MigrationStep[],
): Promise<void> {
  const recorded = journal.step('disable-gc').checkpoint?.['previousSchedules'] !== undefined;
  if (recorded || gcSchedules === undefined || !pending.some((step) => step.id === 'disable-gc')) return;
  const given = inputs.peek('gcScheduleAfter');
  if (gcSchedules.length > 0) {
    if (given !== undefined)
      io.emit({
        event: 'notice',
        level: 'warn',
        text: `--gc-schedule-after is for a GC already at Never: the schedule found (${describeSchedules(gcSchedules)}) is the one put back`,
      });
    return;
  }
  if (given !== undefined) return;
  if (!io.interactive) {
    throw new MigrateError(
      'INPUT_REQUIRED',
      'garbage collection is already "Never" in DTR, so the schedule to put back at the end is not known; nothing was changed',
      {
        hint: "Pass --gc-schedule-after '<cron with seconds>' (e.g. '0 0 1 * * 6'), or --gc-schedule-after none to leave GC at Never.",
      },
    );
  }
  await inputs.require('gcScheduleAfter', true);
}

/**
 * A run that changes DTR needs the operator's go, as `terraform apply` does: --yes in a script, one yes in
 * the wizard (asked after its overview, before the first change). The destroy asks again, for its replica id.
 */
export async function consentToChange(
  io: Io,
  yes: boolean,
  pending: readonly Pick<MigrationStep, 'title'>[],
): Promise<void> {
  const first = pending[0];
  if (yes || first === undefined) return;
  if (!io.interactive) {
    throw new MigrateError(
      'INPUT_REQUIRED',
      `this run would change DTR (first: ${first.title}), which a script does only with --yes; nothing was changed`,
      {
        hint: 'Run again with --yes (the destroy also needs --confirm-destroy <replica-id>); `dtr-migrate plan` shows what it would do.',
      },
    );
  }
  const go = await io.ask({
    kind: 'confirm',
    key: 'start',
    message: `Start now? The first change: ${first.title}.`,
    default: true,
  });
  if (go !== true) {
    throw new MigrateError('ABORTED', 'not started: nothing was changed', {
      hint: '`dtr-migrate plan` shows every step; run `dtr-migrate migrate` again when ready.',
    });
  }
}

/** A script must have every input of the steps to come before the first one changes anything. */
export function checkScriptInputs(inputs: InputResolver, pending: readonly Pick<MigrationStep, 'inputs'>[]): void {
  const missing = inputs.missing([...new Set(pending.flatMap((step) => step.inputs))]);
  if (missing.length === 0) return;
  const named = missing.map((k) => howToGive(k));
  throw new MigrateError(
    'INPUT_REQUIRED',
    `${missing.length === 1 ? 'an input is' : `${missing.length} inputs are`} missing: ${named.join(', ')}`,
    { hint: `Pass ${named.join('; ')}. Nothing was changed.` },
  );
}

/** For a plan: every input that can be had without asking (missing ones show as <placeholders>). */
export function peekAll(
  inputs: InputResolver,
  steps: readonly Pick<MigrationStep, 'inputs'>[],
): Record<string, unknown> {
  const keys = [...new Set(steps.flatMap((s) => s.inputs))];
  return Object.fromEntries(keys.map((k) => [k, inputs.peek(k)]).filter(([, v]) => v !== undefined));
}
