/**
 * `plan` (a migration's dry run): each step's exact actions, then, once every input is known, the
 * estimates and the fingerprint, as the plan `plan --out` saves. A plan missing an input lists what it
 * lacks and is not made (exit 3): placeholders are for reading, never for applying.
 */
import { inputKeys, howToGive, specOf, type InputKey } from '../config/inputs.js';
import { allowedProcedures } from '../dtr/procedures.js';
import { migrateStorageFlags, migrateStorageStep } from '../steps/04-migrate-storage.js';
import { estimateLines, planEstimate, type PlanEstimate } from './estimates.js';
import {
  journalStates,
  missingForPlan,
  refuseIncompletePlan,
  sourceSize,
  takeFingerprint,
  type PlanApplication,
  type PlanScope,
} from './plan-check.js';
import { planFormat, planVersion, type SavedPlan } from './saved-plan.js';

/** Measures the copy still to do, when this run has one to do and the engine can measure. */
async function estimate(b: PlanScope): Promise<PlanEstimate | undefined> {
  const source = b.inputs.peek('sourceStorage');
  const target = b.inputs.peek('targetStorage');
  const copies = b.pending.some((step) => step.id === migrateStorageStep.id);
  if (!copies || source === undefined || target === undefined || b.storage.estimate === undefined) return undefined;
  const measured = await b.storage.estimate({
    from: { kind: 'path', path: source },
    to: { kind: 'path', path: target },
    flags: migrateStorageFlags,
    signal: b.signal,
  });
  return planEstimate(measured, allowedProcedures(b.version.family, b.version.version));
}

/** Emits each step's plan and, when the plan is complete, its estimate; returns the plan to save. */
export async function buildPlan(b: PlanScope, applying?: PlanApplication): Promise<SavedPlan | undefined> {
  // In the wizard a plan asks for what it lacks, as a run would (a yes/no with a default is asked too:
  // the saved plan must fix it), before the steps are planned with the answers; a script takes the
  // defaults and is told what is missing.
  const missing = (): InputKey[] => missingForPlan(b.inputs, b.pending, b.findings, b.journal);
  if (b.io.interactive) for (const key of missing()) await b.inputs.require(key, true);
  const context = b.context();
  const steps = b.pending.map((step) => ({
    id: step.id,
    title: step.title,
    purpose: step.purpose,
    actions: step.plan(context),
  }));
  for (const step of steps) b.io.emit({ event: 'step-plan', ...step });
  refuseIncompletePlan(missing());
  // `migrate --dry-run --plan` shows the plan it applies: it makes no new one.
  if (applying !== undefined) return undefined;
  const estimates = await estimate(b);
  if (estimates !== undefined)
    b.io.emit({ event: 'plan-estimate', facts: estimateLines(estimates), data: { ...estimates } });
  const source = estimates === undefined ? await sourceSize(b.storage, b.inputs, b.signal) : estimates;
  const fingerprint = await takeFingerprint(
    b.api,
    b.findings,
    b.host,
    b.version.version,
    source === undefined ? undefined : { files: source.files, bytes: source.bytes },
    b.signal,
  );
  return {
    format: planFormat,
    version: planVersion,
    toolVersion: b.toolVersion,
    createdAt: new Date().toISOString(),
    stateDir: b.stateDir,
    procedure: b.procedure,
    journal: journalStates(b.steps, b.journal),
    steps,
    inputs: { ...b.inputs.journalable(), procedure: b.procedure },
    secrets: inputKeys.filter((key) => specOf(key).secret === true).map((key) => howToGive(key)),
    fingerprint,
    ...(estimates === undefined ? {} : { estimates: { ...estimates } }),
  };
}
