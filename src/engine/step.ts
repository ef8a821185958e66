/**
 * What a migration step is. A step acts and then checks; the runner (runner.ts), not the step, owns
 * prompts, spinners, the journal, Ctrl-C and the verify gate. Steps import none of inquirer, ora,
 * chalk, execa or undici: they reach the world only through the context below.
 */
import type { z } from 'zod';
import type { DtrClient } from '../api/client.js';
import type { InputKey, ResolvedInputs } from '../config/inputs.js';
import type { Docker } from '../docker/docker.js';
import type { DockerCommand } from '../docker/dtr-commands.js';
import type { StorageEngine } from '../storage/types.js';
import type { RunEvent } from './events.js';

export const stepIds = [
  'disable-gc',
  'read-only',
  'backup',
  'migrate-storage',
  'restore',
  'reconfigure',
  'onlinegc-blobs',
  'read-write',
  'restore-gc',
] as const;
export type StepId = (typeof stepIds)[number];

/** One thing a step would do, exactly, for `plan` and `--dry-run`. Secrets are masked. */
export type PlannedAction =
  | {
      readonly kind: 'http';
      readonly method: string;
      readonly path: string;
      readonly body?: unknown;
      readonly why: string;
    }
  | { readonly kind: 'docker'; readonly command: string; readonly why: string }
  | { readonly kind: 'local'; readonly description: string; readonly why: string }
  | { readonly kind: 'check'; readonly description: string };

export type Verification =
  | { readonly ok: true; readonly facts: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly hint: string };

/** What the operator must confirm before a destructive step: shown in full, answered by typing `expect`. */
export interface DestructiveConfirmation {
  readonly willDestroy: readonly string[];
  readonly protections: readonly string[];
  /** The text to type (the replica id); `--confirm-destroy` carries it in scripts. */
  readonly expect: string;
  /** A consequence the operator must accept in words first (`phrase` typed, or `flag` in scripts). */
  readonly acknowledge?: {
    readonly consequence: string;
    readonly phrase: string;
    readonly flag: string;
    readonly given: boolean;
  };
}

export interface PlanContext {
  readonly inputs: Partial<ResolvedInputs>;
  readonly stateDir: string;
  /** The docker command line as it would run, secrets masked. */
  describeDocker(command: DockerCommand): string;
  outputOf<T>(stepId: StepId): T | undefined;
  /** What another step saved with `checkpoint` (e.g. the storage verify summary). */
  savedBy(stepId: StepId): Record<string, unknown> | undefined;
}

export interface StepContext extends PlanContext {
  readonly inputs: ResolvedInputs;
  readonly api: DtrClient;
  readonly docker: Docker;
  readonly storage: StorageEngine;
  readonly signal: AbortSignal;
  /** A line for the log file (never the terminal). */
  log(line: string): void;
  /** Progress of long work, rendered by the runner as a spinner or bar. */
  progress(text: string, fraction?: number): void;
  /** Saves step-private state in the journal at once, so a killed run resumes from it. */
  checkpoint(data: Record<string, unknown>): Promise<void>;
  /** What the last `checkpoint` saved for this step, if anything. */
  saved(): Record<string, unknown> | undefined;
  /** Waits, or rejects with INTERRUPTED when the run is stopped. */
  sleep(ms: number): Promise<void>;
  notify(event: Extract<RunEvent, { event: 'notice' }>): void;
}

export interface Step<Output = unknown> {
  readonly id: StepId;
  readonly title: string;
  /** One sentence: what the step does and why it matters. */
  readonly purpose: string;
  readonly inputs: readonly InputKey[];
  readonly output: z.ZodType<Output>;
  /** Present on steps that destroy something; the runner asks before `run`. */
  confirmation?(ctx: StepContext): Promise<DestructiveConfirmation>;
  /** Side-effect free: what `run` would do. */
  plan(ctx: PlanContext): PlannedAction[];
  run(ctx: StepContext): Promise<Output>;
  verify(ctx: StepContext, output: Output): Promise<Verification>;
  /**
   * For a step found started but not finished (the run was killed, or its check failed): if its effect
   * is already in place, return the output; the runner then checks it and never repeats the step (a
   * failed check is reported: repeating a destroy or a reconfigure would not mend it). Undefined when
   * the step must run (again). Only steps whose effect can be observed from outside have one.
   */
  probe?(ctx: StepContext): Promise<Output | undefined>;
}
