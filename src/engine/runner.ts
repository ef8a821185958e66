/**
 * Runs steps in order behind the verify gate: a step starts only when every step before it is
 * verified, and is verified only when its own check passes. The runner owns the journal, the
 * confirmation of destructive steps, progress events and interruption; steps only act and check.
 */
import { MigrateError, isMigrateError } from '../errors.js';
import type { InputResolver } from '../config/resolve.js';
import type { Io } from './events.js';
import type { Journal } from './journal.js';
import type { DestructiveConfirmation, PlanContext, Step, StepContext, StepId, Verification } from './step.js';

export interface RunServices {
  readonly api: StepContext['api'];
  readonly docker: StepContext['docker'];
  readonly storage: StepContext['storage'];
}

export interface RunnerOptions {
  readonly steps: readonly Step[];
  readonly journal: Journal;
  readonly io: Io;
  readonly inputs: InputResolver;
  readonly services: RunServices;
  readonly stateDir: string;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** `--yes`: the operator agreed up front (destructive steps still need `--confirm-destroy`). */
  readonly yes: boolean;
  /** Replaces secrets in what goes to the journal and the events (an error may quote a subprocess). */
  readonly mask?: (text: string) => string;
  /** `--redo`: this step runs again from the start, whatever an earlier run left (not asked of its probe). */
  readonly redo?: StepId;
}

/** What masks secrets for this run (none given: nothing to mask). */
const maskOf = (options: RunnerOptions): ((text: string) => string) => options.mask ?? ((text) => text);

/**
 * Notes a step's failure in the journal, the log and the events, secrets masked; returns what was noted.
 * `extra` carries the end time and duration of a run that got as far as starting.
 */
async function recordFailure(
  options: RunnerOptions,
  step: Step,
  ctx: StepContext,
  error: unknown,
  extra: { endedAt?: string; durationMs?: number } = {},
) {
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
  ctx.log(`${status}: ${summary.code}: ${summary.message}`);
  options.io.emit({ event: 'step-failed', id: step.id, ...summary });
}

function interrupted(): MigrateError {
  return new MigrateError('INTERRUPTED', 'the run was interrupted', {
    hint: 'Run the same command again to resume where it stopped.',
  });
}

export function planContext(
  options: Pick<RunnerOptions, 'journal' | 'stateDir' | 'services'>,
  inputs: PlanContext['inputs'],
): PlanContext {
  return {
    inputs,
    stateDir: options.stateDir,
    describeDocker: (command) => options.services.docker.describe(command),
    outputOf: <T>(id: Parameters<PlanContext['outputOf']>[0]) => options.journal.step(id).output as T | undefined,
    savedBy: (id) => options.journal.step(id).checkpoint,
  };
}

function stepContext(options: RunnerOptions, step: Step): StepContext {
  const { journal, io, signal } = options;
  return {
    ...planContext(options, options.inputs.snapshot()),
    inputs: options.inputs.snapshot(),
    ...options.services,
    signal,
    log: (line) => options.log(`[${step.id}] ${line}`),
    progress: (text, fraction) =>
      io.emit({ event: 'progress', id: step.id, text, ...(fraction === undefined ? {} : { fraction }) }),
    checkpoint: (data) => journal.update(step.id, { checkpoint: { ...journal.step(step.id).checkpoint, ...data } }),
    saved: () => journal.step(step.id).checkpoint,
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
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
      }),
    notify: (event) => io.emit(event),
  };
}

/** Asks for the explicit confirmation a destructive step needs; throws unless it is given. */
async function confirm(options: RunnerOptions, step: Step, ctx: StepContext): Promise<void> {
  if (step.confirmation === undefined) return;
  const { io, journal } = options;
  const earlier = options.steps
    .slice(0, options.steps.indexOf(step))
    .filter((s) => journal.status(s.id) !== 'verified');
  if (earlier.length > 0) {
    throw new MigrateError(
      'STEP_LOCKED',
      `${step.title} is locked until ${earlier.map((s) => s.id).join(', ')} ${earlier.length > 1 ? 'are' : 'is'} verified`,
      {
        hint: 'Run `dtr-migrate migrate` to finish the earlier steps first.',
      },
    );
  }
  const c = await step.confirmation(ctx);
  io.emit({
    event: 'confirm-destroy',
    id: step.id,
    willDestroy: c.willDestroy,
    protections: c.protections,
    expect: c.expect,
  });
  await acknowledge(io, c);
  const given = ctx.inputs.confirmDestroy;
  if (given !== undefined && given !== c.expect) {
    throw new MigrateError(
      'CONFIRMATION_MISMATCH',
      `--confirm-destroy "${given}" does not match replica ${c.expect}; nothing was destroyed`,
      {
        hint: `Check the replica id: --confirm-destroy ${c.expect}`,
      },
    );
  }
  if (options.yes && given === c.expect) return;
  if (!io.interactive) {
    throw new MigrateError(
      'CONFIRMATION_REQUIRED',
      `${step.title} destroys replica ${c.expect} and needs an explicit confirmation; nothing was destroyed`,
      {
        hint: `Run again with --yes --confirm-destroy ${c.expect}`,
      },
    );
  }
  const previously = journal.step(step.id).attempts;
  const answer = await io.ask({
    kind: 'text',
    message: `${previously > 0 ? `This step was started ${previously} time(s) before. ` : ''}Type the replica id ${c.expect} to destroy and restore it`,
  });
  if (String(answer).trim() !== c.expect) {
    throw new MigrateError(
      'CONFIRMATION_MISMATCH',
      `the replica id typed does not match ${c.expect}; nothing was destroyed`,
      {
        hint: 'Run `dtr-migrate migrate` again when ready, and type the replica id exactly.',
      },
    );
  }
}

/** A consequence such as erasing every tag: accepted in words, or by its flag in scripts. */
async function acknowledge(io: Io, c: DestructiveConfirmation): Promise<void> {
  const ack = c.acknowledge;
  if (ack === undefined || ack.given) return;
  if (!io.interactive) {
    throw new MigrateError(
      'CONFIRMATION_REQUIRED',
      `${ack.consequence}; this must be accepted explicitly, and nothing was destroyed`,
      { hint: `Run again with ${ack.flag} if that is what you want.` },
    );
  }
  const answer = await io.ask({ kind: 'text', message: `${ack.consequence}. Type "${ack.phrase}" to accept` });
  if (String(answer).trim() !== ack.phrase) {
    throw new MigrateError('CONFIRMATION_MISMATCH', `"${ack.phrase}" was not typed; nothing was changed`, {
      hint: 'Choose another procedure, or run again and type the phrase exactly.',
    });
  }
}

/**
 * Was the step's effect already in place after an earlier run? Then check it instead of repeating it.
 * Once the probe says the effect is in place, nothing leads back to `run`: a check that fails, or that
 * cannot be made (DTR slow to answer), fails the step, and the next run checks again.
 */
async function alreadyDone(options: RunnerOptions, step: Step, ctx: StepContext): Promise<boolean> {
  const record = options.journal.step(step.id);
  if (step.probe === undefined || record.attempts === 0) return false;
  const output = await step.probe(ctx);
  if (output === undefined) return false;
  let verification: Verification;
  try {
    verification = await step.verify(ctx, output);
  } catch (error) {
    if (!isMigrateError(error) || error.code === 'INTERRUPTED') throw error;
    throw await notRepeated(options, step, ctx, error.message, error.hint);
  }
  if (!verification.ok) throw await notRepeated(options, step, ctx, verification.reason, verification.hint);
  await options.journal.update(step.id, {
    status: 'verified',
    output,
    facts: [...verification.facts],
    endedAt: new Date().toISOString(),
  });
  options.io.emit({
    event: 'step-done',
    id: step.id,
    facts: ['found already done by an earlier run', ...verification.facts],
    durationMs: 0,
  });
  return true;
}

/** The step's effect is in place but its check did not pass: recorded, reported, never repeated. */
async function notRepeated(
  options: RunnerOptions,
  step: Step,
  ctx: StepContext,
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
  await recordFailure(options, step, ctx, error);
  return error;
}

export async function runSteps(options: RunnerOptions): Promise<void> {
  const { journal, io, inputs, signal } = options;
  for (const step of options.steps) {
    if (journal.status(step.id) === 'verified') {
      io.emit({ event: 'step-skip', id: step.id, reason: 'verified in an earlier run' });
      continue;
    }
    if (signal.aborted) throw interrupted();
    await inputs.requireAll(step.inputs);
    await journal.setInputs(inputs.journalable());
    const ctx = stepContext(options, step);
    if (step.id !== options.redo && (await alreadyDone(options, step, ctx))) continue;
    try {
      await confirm(options, step, ctx);
    } catch (error) {
      // A protection that no longer holds (the backup changed, the copy lost a blob) reopens the step that made it.
      if (isMigrateError(error)) {
        for (const id of error.reopenSteps) {
          await journal.update(id as StepId, {
            status: 'failed',
            error: { code: error.code, message: maskOf(options)(error.message) },
          });
        }
      }
      throw error;
    }
    const attempt = journal.step(step.id).attempts + 1;
    const started = Date.now();
    await journal.update(step.id, {
      status: 'running',
      attempts: attempt,
      startedAt: new Date(started).toISOString(),
      error: undefined,
    });
    io.emit({ event: 'step-start', id: step.id, title: step.title, purpose: step.purpose, attempt });
    ctx.log(`started (attempt ${attempt}): ${step.purpose}`);
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
        endedAt: new Date().toISOString(),
        durationMs,
      });
      ctx.log(`verified in ${durationMs} ms: ${verification.facts.join('; ')}`);
      io.emit({ event: 'step-done', id: step.id, facts: verification.facts, durationMs });
    } catch (caught) {
      const error =
        signal.aborted && !(isMigrateError(caught) && caught.code === 'INTERRUPTED') ? interrupted() : caught;
      await recordFailure(options, step, ctx, error, {
        endedAt: new Date().toISOString(),
        durationMs: Date.now() - started,
      });
      throw error;
    }
  }
}
