/**
 * `dtr-migrate rollback`: the way back, as a procedure of its own in the migration's journal, run by the
 * same runner behind the same verify gate, so a killed rollback resumes where it stopped. Which rollback
 * it is comes from the journal (rollback-choice.ts) and is fixed when it starts. Everything it has to say
 * goes through `io`; it returns what the CLI prints.
 */
import { MigrateError } from '../errors.js';
import { stepIds } from '../steps/step.js';
import { createPathStorageEngine } from '../storage/index.js';
import { summarize, type MigrationOptions, type StepSummary } from './migrate.js';
import { checkScriptInputs, consentToChange, peekAll } from './migration-checks.js';
import { chooseRollback } from './rollback-choice.js';
import { Session } from './session.js';
import { localStateFiles } from './state-files.js';
import { planContextOf } from './step-context.js';

/** What a rollback is given: what a migration is, but a saved plan (a rollback is never planned ahead). */
export type RollbackOptions = Omit<MigrationOptions, 'plan'>;

export interface RollbackResult {
  /** The rollback procedure run (undefined: there was nothing to roll back, `text` says why). */
  readonly procedure: string | undefined;
  readonly text: string;
  readonly steps: readonly StepSummary[];
  readonly stateDir: string;
  readonly logFile: string | undefined;
  readonly dryRun: boolean;
}

export function runRollback(options: RollbackOptions): Promise<RollbackResult> {
  return Session.with({ ...options, changes: !options.dryRun }, (session) => rollback(session, options));
}

async function rollback(session: Session, options: RollbackOptions): Promise<RollbackResult> {
  const { io, stateDir, inputs } = session;
  const data = session.journalData;
  const choice = chooseRollback(data);
  const base = { stateDir, logFile: session.logFile?.file, dryRun: options.dryRun };
  if (!choice.possible) {
    if (choice.nothingToDo)
      return { ...base, procedure: undefined, text: `Nothing to roll back: ${choice.why}.`, steps: [] };
    throw new MigrateError('STEP_LOCKED', `no rollback: ${choice.why}`, {
      hint: 'Run `dtr-migrate status` to see where the migration stands; `dtr-migrate migrate` finishes it.',
    });
  }
  inputs.checkGiven();
  const client = await session.client();
  const certificates = await session.certificates();
  const docker = session.docker();
  const { procedure, steps } = choice;
  const journal = session.journal(data?.procedure ?? 'best-practice', stepIds);
  const pending = steps.filter((step) => journal.status(step.id) !== 'verified');
  // After a destroy DTR may be down until the restore onto the old storage is healthy.
  client.expectDowntime(pending.some((step) => step.id === 'rollback-restore'));
  const services = {
    api: client,
    docker,
    storage: options.storage ?? createPathStorageEngine(),
    files: localStateFiles,
    certificates,
  };
  const detected = [
    `migration: ${data?.procedure ?? '?'} procedure, started ${data?.createdAt ?? '?'}`,
    `rollback: ${choice.would}${choice.underWay ? ' (resumed)' : ''}`,
  ];
  const states = steps.map((s) => ({ id: s.id, title: s.title, status: journal.status(s.id) }));
  io.emit({
    event: 'run-start',
    stateDir,
    procedure: `rollback-${procedure}`,
    detected,
    steps: states,
    resumed: choice.underWay,
  });
  if (!io.interactive && !options.dryRun) checkScriptInputs(inputs, pending);
  if (options.dryRun) {
    const ctx = planContextOf(journal, stateDir, { ...inputs.snapshot(), ...peekAll(inputs, pending) }, services);
    for (const step of pending)
      io.emit({ event: 'step-plan', id: step.id, title: step.title, purpose: step.purpose, actions: step.plan(ctx) });
    return {
      ...base,
      procedure,
      text: 'Dry run of the rollback: nothing was changed.',
      steps: summarize(steps, journal),
    };
  }
  await consentToChange(io, options.yes, pending);
  const record = journal.rollback ?? {
    procedure,
    steps: steps.map((step) => step.id),
    startedAt: new Date().toISOString(),
  };
  if (journal.rollback === undefined) await journal.noteRollback(record);
  session.log(`rollback started: ${choice.would}; ${pending.length} step(s) to go`);
  await session.runSteps({ name: 'rollback', steps, journal, services, signal: options.signal, yes: options.yes });
  await journal.noteRollback({ ...record, completedAt: new Date().toISOString() });
  session.log('rollback finished: every step verified');
  return {
    ...base,
    procedure,
    text: `Rolled back: ${choice.would}; every step verified.`,
    steps: summarize(steps, journal),
  };
}
