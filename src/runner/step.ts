/**
 * What a step is, for the runner: an object that plans, acts and then checks. The runner (runner.ts),
 * not the step, owns prompts, spinners, the journal, Ctrl-C and the verify gate.
 *
 * This layer knows nothing of DTR: a step's context is the generic part below, extended by whoever
 * opens the run with the services its steps need (the migration's: src/steps/step.ts). Step ids are
 * plain strings, so a procedure may have steps per replica.
 */
import type { z } from 'zod';
import type { FactData, PlannedAction, ProgressCounts, RunEvent, StepStatus } from './io.js';

export type { PlannedAction } from './io.js';

export type Verification =
  | { readonly ok: true; readonly facts: readonly string[]; readonly data?: FactData }
  | { readonly ok: false; readonly reason: string; readonly hint: string };

/**
 * What `recheck` found of a step the journal says is verified. When its effect no longer holds, the step
 * says what is safe: `reopen` (the step runs again, behind its own gate, confirmation and probe) or `stop`
 * (running it again could hide the damage: the operator mends it, as `hint` says).
 */
export type Recheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly hint: string; readonly then: 'reopen' | 'stop' };

/** What the operator must confirm before a destructive step: shown in full, answered by typing `expect`. */
export interface DestructiveConfirmation {
  readonly willDestroy: readonly string[];
  readonly protections: readonly string[];
  /** The text to type (a replica id); `flag` carries it in scripts. */
  readonly expect: string;
  /** What is destroyed, in the messages: "replica 0123456789ab". */
  readonly subject: string;
  /** The question that asks for `expect` in the wizard. */
  readonly prompt: string;
  /** What the flag of this run says, if it was given (`--confirm-destroy <id>`). */
  readonly given: string | undefined;
  /** The flag that confirms in scripts, named in the messages. */
  readonly flag: string;
  /** A consequence the operator must accept in words first (`phrase` typed, or `flag` in scripts). */
  readonly acknowledge?: {
    readonly consequence: string;
    readonly phrase: string;
    readonly flag: string;
    readonly given: boolean;
  };
}

/** What every plan sees: the inputs known so far and what earlier steps left in the journal. */
export interface PlanContextBase<Inputs> {
  readonly inputs: Partial<Inputs>;
  readonly stateDir: string;
  outputOf<T>(stepId: string): T | undefined;
  /** What another step saved with `checkpoint` (e.g. that destroy started). */
  savedBy(stepId: string): Record<string, unknown> | undefined;
  /** Where the journal says a step stands (what it says is a claim: see `recheck`). */
  statusOf(stepId: string): StepStatus;
}

/** What every running step sees, before the services of its kind are added. */
export interface StepContextBase<Inputs> extends Omit<PlanContextBase<Inputs>, 'inputs'> {
  readonly inputs: Inputs;
  readonly signal: AbortSignal;
  /** A line for the log file (never the terminal). */
  log(line: string): void;
  /** Progress of long work, rendered by the CLI as a spinner or bar (with `counts.fraction`). */
  progress(text: string, counts?: ProgressCounts): void;
  /** Saves step-private state in the journal at once, so a killed run resumes from it. */
  checkpoint(data: Record<string, unknown>): Promise<void>;
  /** What the last `checkpoint` saved for this step, if anything. */
  saved(): Record<string, unknown> | undefined;
  /** Waits, or rejects with INTERRUPTED when the run is stopped. */
  sleep(ms: number): Promise<void>;
  notify(event: Extract<RunEvent, { event: 'notice' }>): void;
}

export interface Step<Ctx, PlanCtx, Output = unknown> {
  readonly id: string;
  readonly title: string;
  /** One sentence: what the step does and why it matters. */
  readonly purpose: string;
  /** The inputs the step needs, resolved (and asked for) by the runner before it starts. */
  readonly inputs: readonly string[];
  readonly output: z.ZodType<Output>;
  /** Present on steps that destroy something; the runner asks before `run`. */
  confirmation?(ctx: Ctx): Promise<DestructiveConfirmation>;
  /** Side-effect free: what `run` would do. */
  plan(ctx: PlanCtx): PlannedAction[];
  run(ctx: Ctx): Promise<Output>;
  verify(ctx: Ctx, output: Output): Promise<Verification>;
  /**
   * For a step found started but not finished (the run was killed, or its check failed): if its effect
   * is already in place, return the output; the runner then checks it and never repeats the step (a
   * failed check is reported: repeating a destroy or a reconfigure would not mend it). Undefined when
   * the step must run (again). Only steps whose effect can be observed from outside have one.
   */
  probe?(ctx: Ctx): Promise<Output | undefined>;
  /**
   * For a step the journal says is verified: a cheap look, made before the run moves on past it, that its
   * effect still holds (the journal is a record of intent, and may be stale or edited). Only steps whose
   * effect can be seen cheaply from outside have one.
   */
  recheck?(ctx: Ctx): Promise<Recheck>;
}

/** Any step, whatever its context: what the runner and the journal handle. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep<Ctx = any, PlanCtx = any> = Step<Ctx, PlanCtx, any>;
