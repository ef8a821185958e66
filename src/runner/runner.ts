/**
 * Runs steps in order behind the verify gate: a step starts only when every step before it is
 * verified, and is verified only when its own check passes. The runner owns the journal, the
 * confirmation of destructive steps, progress events and interruption; steps only act and check.
 * It knows no step and no service: whoever opens the run extends each step's context with its own.
 */
import { MigrateError, isMigrateError } from '../errors.js';
import { confirmDestructive, refuseUnlessEarlierVerified } from './confirm.js';
import type { Io } from './io.js';
import type { Journal } from './journal.js';
import type { AnyStep, PlanContextBase, StepContextBase, Verification } from './step.js';

/** Where the runner gets each step's inputs (the migration's: config/resolve.ts). */
export interface RunInputs<Inputs> {
  /** Resolves these inputs, asking the operator in the wizard; throws INPUT_REQUIRED in scripts. */
  requireAll(keys: readonly string[]): Promise<void>;
  /** Resolves those of these inputs that can be had without asking (for a recheck). */
  resolveKnown(keys: readonly string[]): void;
  /** The resolved inputs that may be kept in the journal (no secret, no consent). */
  journalable(): Record<string, unknown>;
  snapshot(): Inputs;
}

export interface RunnerOptions<Inputs, Ctx> {
  readonly steps: readonly AnyStep<Ctx>[];
  readonly journal: Journal;
  readonly io: Io;
  readonly inputs: RunInputs<Inputs>;
  /** Adds the services of this kind of step (DTR client, docker, storage) to the runner's context. */
  readonly extend: (base: StepContextBase<Inputs>) => Ctx;
  readonly stateDir: string;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** `--yes`: the operator agreed up front (destructive steps still need their confirmation flag). */
  readonly yes: boolean;
  /** Replaces secrets in what goes to the journal and the events (an error may quote a subprocess). */
  readonly mask?: (text: string) => string;
  /** `--redo`: this step runs again from the start, whatever an earlier run left (not asked of its probe). */
  readonly redo?: string;
}

type Options = RunnerOptions<unknown, unknown>;

/** What masks secrets for this run (none given: nothing to mask). */
const maskOf = (options: Options): ((text: string) => string) => options.mask ?? ((text) => text);

export function interrupted(): MigrateError {
  return new MigrateError('INTERRUPTED', 'the run was interrupted', {
    hint: 'Run the same command again to resume where it stopped.',
  });
}

/** The part of every plan's context that comes from the journal. */
export function planContextBase<Inputs>(
  journal: Journal,
  stateDir: string,
  inputs: Partial<Inputs>,
): PlanContextBase<Inputs> {
  return {
    inputs,
    stateDir,
    outputOf: <T>(id: string) => journal.step(id).output as T | undefined,
    savedBy: (id) => journal.step(id).checkpoint,
    statusOf: (id) => journal.status(id),
  };
}

/** Waits `ms`, or rejects with INTERRUPTED as soon as `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(interrupted());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(interrupted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function stepContext(options: Options, step: AnyStep): unknown {
  const { journal, io, signal } = options;
  const inputs = options.inputs.snapshot();
  const base: StepContextBase<unknown> = {
    ...planContextBase(journal, options.stateDir, {}),
    inputs,
    signal,
    log: (line) => options.log(`[${step.id}] ${line}`),
    // A progress line may quote a child process (the bootstrapper's phase): masked like everything shown.
    progress: (text, counts) => io.emit({ event: 'progress', id: step.id, text: maskOf(options)(text), ...counts }),
    checkpoint: (data) => journal.update(step.id, { checkpoint: { ...journal.step(step.id).checkpoint, ...data } }),
    saved: () => journal.step(step.id).checkpoint,
    sleep: (ms) => sleepUnlessAborted(ms, signal),
    notify: (event) => io.emit(event),
  };
  return options.extend(base);
}

/** A passed check's structured facts, when it has any (for the journal and step-done). */
function dataOf(verification: Verification & { ok: true }): { data?: Record<string, unknown> } {
  return verification.data === undefined ? {} : { data: { ...verification.data } };
}

/**
 * Notes a step's failure in the journal, the log and the events, secrets masked.
 * `extra` carries the end time and duration of a run that got as far as starting.
 */
async function recordFailure(
  options: Options,
  step: AnyStep,
  error: unknown,
  extra: { endedAt?: string; durationMs?: number } = {},
): Promise<void> {
  const mask = maskOf(options);
  const status = isMigrateError(error) && error.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
  const summary = isMigrateError(error)
    ? {
        code: error.code,
        message: mask(error.message),
        ...(error.hint === undefined ? {} : { hint: mask(error.hint) }),
      }
    : { code: 'INTERNAL', message: mask(error instanceof Error ? error.message : String(error)) };
  await options.journal.update(step.id, { status, error: summary, ...extra });
  options.log(`[${step.id}] ${status}: ${summary.code}: ${summary.message}`);
  options.io.emit({ event: 'step-failed', id: step.id, ...summary });
}

/**
 * Was the step's effect already in place after an earlier run? Then check it instead of repeating it.
 * Once the probe says the effect is in place, nothing leads back to `run`: a check that fails, or that
 * cannot be made (DTR slow to answer), fails the step, and the next run checks again.
 */
async function alreadyDone(options: Options, step: AnyStep, ctx: unknown): Promise<boolean> {
  const record = options.journal.step(step.id);
  if (step.probe === undefined || record.attempts === 0) return false;
  const output = await step.probe(ctx);
  if (output === undefined) return false;
  let verification: Verification;
  try {
    verification = await step.verify(ctx, output);
  } catch (error) {
    if (!isMigrateError(error) || error.code === 'INTERRUPTED') throw error;
    throw await notRepeated(options, step, error.message, error.hint);
  }
  if (!verification.ok) throw await notRepeated(options, step, verification.reason, verification.hint);
  await options.journal.update(step.id, {
    status: 'verified',
    output,
    facts: [...verification.facts],
    ...dataOf(verification),
    endedAt: new Date().toISOString(),
  });
  options.io.emit({
    event: 'step-done',
    id: step.id,
    facts: ['found already done by an earlier run', ...verification.facts],
    durationMs: 0,
    ...dataOf(verification),
  });
  return true;
}

/** The step's effect is in place but its check did not pass: recorded, reported, never repeated. */
async function notRepeated(
  options: Options,
  step: AnyStep,
  reason: string,
  hint: string | undefined,
): Promise<MigrateError> {
  const error = new MigrateError(
    'VERIFY_FAILED',
    `${step.title}: an earlier run did it, but its check did not pass: ${reason}; it is not repeated`,
    {
      hint: `${hint ?? 'Run `dtr-migrate migrate` again to check again; `dtr-migrate status` shows where things stand.'} If it must run again all the same: --redo ${step.id}.`,
    },
  );
  await recordFailure(options, step, error);
  return error;
}

/** Asks for a destructive step's confirmation; a protection that no longer holds reopens the steps that made it. */
async function confirm(options: Options, step: AnyStep, ctx: unknown): Promise<void> {
  if (step.confirmation === undefined) return;
  const { journal } = options;
  const before = options.steps.slice(0, options.steps.indexOf(step));
  refuseUnlessEarlierVerified(
    step,
    before.filter((s) => journal.status(s.id) !== 'verified'),
  );
  try {
    const confirmation = await step.confirmation(ctx);
    await confirmDestructive(step, confirmation, {
      io: options.io,
      yes: options.yes,
      attempts: journal.step(step.id).attempts,
    });
  } catch (error) {
    if (isMigrateError(error)) {
      for (const id of error.reopenSteps) {
        await journal.update(id, {
          status: 'failed',
          error: { code: error.code, message: maskOf(options)(error.message) },
        });
      }
    }
    throw error;
  }
}

/**
 * Does the effect of a step the journal calls verified still hold? Asked only when the run moves on past
 * it (a later step is not verified). A step found undone is opened again (it then runs behind its gate,
 * confirmation and probe, like any unfinished step), or the run stops, as the step's recheck decides.
 */
async function stillHolds(options: Options, step: AnyStep, index: number): Promise<boolean> {
  const { journal } = options;
  const movesOn = options.steps.slice(index + 1).some((later) => journal.status(later.id) !== 'verified');
  if (step.recheck === undefined || !movesOn) return true;
  options.inputs.resolveKnown(step.inputs);
  const found = await step.recheck(stepContext(options, step));
  if (found.ok) return true;
  const message = `${step.title}: verified on an earlier run, but now ${found.reason}`;
  options.log(`[${step.id}] recheck: ${found.reason} (${found.then})`);
  if (found.then === 'stop')
    throw new MigrateError('VERIFY_FAILED', `${message}; nothing more was changed`, { hint: found.hint });
  await journal.update(step.id, {
    status: 'failed',
    error: { code: 'VERIFY_FAILED', message: maskOf(options)(message) },
  });
  options.io.emit({ event: 'notice', level: 'warn', text: `${message}: it is opened again` });
  return false;
}

export async function runSteps<Inputs, Ctx>(runner: RunnerOptions<Inputs, Ctx>): Promise<void> {
  const options = runner as unknown as Options;
  const { journal, io, inputs, signal } = options;
  for (const [index, step] of options.steps.entries()) {
    if (journal.status(step.id) === 'verified' && (await stillHolds(options, step, index))) {
      io.emit({ event: 'step-skip', id: step.id, reason: 'verified in an earlier run' });
      continue;
    }
    if (signal.aborted) throw interrupted();
    await inputs.requireAll(step.inputs);
    await journal.setInputs(inputs.journalable());
    const ctx = stepContext(options, step);
    if (step.id !== options.redo && (await alreadyDone(options, step, ctx))) continue;
    await confirm(options, step, ctx);
    const attempt = journal.step(step.id).attempts + 1;
    const started = Date.now();
    await journal.update(step.id, {
      status: 'running',
      attempts: attempt,
      startedAt: new Date(started).toISOString(),
      error: undefined,
    });
    io.emit({ event: 'step-start', id: step.id, title: step.title, purpose: step.purpose, attempt });
    options.log(`[${step.id}] started (attempt ${attempt}): ${step.purpose}`);
    try {
      const output = step.output.parse(await step.run(ctx));
      await journal.update(step.id, { output });
      io.emit({ event: 'step-verify', id: step.id });
      const verification = await step.verify(ctx, output);
      const durationMs = Date.now() - started;
      if (!verification.ok) {
        throw new MigrateError('VERIFY_FAILED', `${step.title}: check failed: ${verification.reason}`, {
          hint: verification.hint,
        });
      }
      await journal.update(step.id, {
        status: 'verified',
        facts: [...verification.facts],
        ...dataOf(verification),
        endedAt: new Date().toISOString(),
        durationMs,
      });
      options.log(`[${step.id}] verified in ${durationMs} ms: ${verification.facts.join('; ')}`);
      io.emit({ event: 'step-done', id: step.id, facts: verification.facts, durationMs, ...dataOf(verification) });
    } catch (caught) {
      const error =
        signal.aborted && !(isMigrateError(caught) && caught.code === 'INTERRUPTED') ? interrupted() : caught;
      await recordFailure(options, step, error, {
        endedAt: new Date().toISOString(),
        durationMs: Date.now() - started,
      });
      throw error;
    }
  }
}
