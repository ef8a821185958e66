/**
 * What the engine tells the outside world. The CLI renders these as spinners, plain lines or
 * newline-delimited JSON (`--json`); the engine never prints.
 */
import type { PlannedAction, StepId } from './step.js';

export type StepStatus = 'pending' | 'running' | 'verified' | 'failed' | 'interrupted';

export interface StepState {
  readonly id: StepId;
  readonly title: string;
  readonly status: StepStatus;
}

export type RunEvent =
  | {
      readonly event: 'run-start';
      readonly stateDir: string;
      readonly procedure: string;
      /** What was detected before anything changed, each with where it came from. */
      readonly detected: readonly string[];
      readonly steps: readonly StepState[];
      readonly resumed: boolean;
    }
  | { readonly event: 'step-skip'; readonly id: StepId; readonly reason: string }
  | {
      readonly event: 'step-plan';
      readonly id: StepId;
      readonly title: string;
      readonly purpose: string;
      readonly actions: readonly PlannedAction[];
    }
  | {
      readonly event: 'step-start';
      readonly id: StepId;
      readonly title: string;
      readonly purpose: string;
      readonly attempt: number;
    }
  | { readonly event: 'progress'; readonly id: StepId; readonly text: string; readonly fraction?: number }
  | { readonly event: 'step-verify'; readonly id: StepId }
  | { readonly event: 'step-done'; readonly id: StepId; readonly facts: readonly string[]; readonly durationMs: number }
  | {
      readonly event: 'step-failed';
      readonly id: StepId;
      readonly code: string;
      readonly message: string;
      readonly hint?: string;
    }
  | {
      readonly event: 'confirm-destroy';
      readonly id: StepId;
      readonly willDestroy: readonly string[];
      readonly protections: readonly string[];
      readonly expect: string;
    }
  | { readonly event: 'notice'; readonly level: 'info' | 'warn'; readonly text: string };

/** The engine's only way out: events, and questions the CLI answers (or refuses in scripts). */
export interface Io {
  readonly interactive: boolean;
  emit(event: RunEvent): void;
  ask(question: Question): Promise<string | boolean>;
}

export type Question =
  | {
      readonly kind: 'text';
      readonly message: string;
      readonly default?: string;
      readonly validate?: (value: string) => string | true;
    }
  | { readonly kind: 'secret'; readonly message: string }
  | { readonly kind: 'confirm'; readonly message: string; readonly default: boolean }
  | {
      readonly kind: 'select';
      readonly message: string;
      readonly choices: ReadonlyArray<{ readonly value: string; readonly name: string; readonly description?: string }>;
    };
