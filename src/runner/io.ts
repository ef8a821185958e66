/**
 * What a run tells the outside world, and how it asks. The CLI renders events as spinners, plain lines
 * or newline-delimited JSON (`--json`) and answers questions (or refuses them in scripts); nothing below
 * the CLI prints.
 */
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

export type StepStatus = 'pending' | 'running' | 'verified' | 'failed' | 'interrupted';

export interface StepState {
  readonly id: string;
  readonly title: string;
  readonly status: StepStatus;
}

/**
 * How far long work is, in figures a program can read beside the sentence: `fraction` done (0 to 1), and
 * for storage work its phase and the files and bytes done against their totals (once known).
 */
export interface ProgressCounts {
  readonly fraction?: number;
  readonly phase?: string;
  readonly files?: number;
  readonly bytes?: number;
  readonly totalFiles?: number;
  readonly totalBytes?: number;
  /** Storage work: bytes per second since its phase began, and milliseconds left at that rate. */
  readonly bytesPerSecond?: number;
  readonly etaMs?: number;
}

/** Structured facts beside the sentences that say them: journaled, in --json, read by the report. */
export type FactData = Readonly<Record<string, unknown>>;

export type RunEvent =
  | {
      readonly event: 'run-start';
      readonly stateDir: string;
      readonly procedure: string;
      /** What was detected before anything changed, each with where it came from. */
      readonly detected: readonly string[];
      /** The same, as fields. */
      readonly data?: FactData;
      readonly steps: readonly StepState[];
      readonly resumed: boolean;
    }
  | { readonly event: 'step-skip'; readonly id: string; readonly reason: string }
  | {
      readonly event: 'step-plan';
      readonly id: string;
      readonly title: string;
      readonly purpose: string;
      readonly actions: readonly PlannedAction[];
    }
  | {
      readonly event: 'step-start';
      readonly id: string;
      readonly title: string;
      readonly purpose: string;
      readonly attempt: number;
    }
  | ({ readonly event: 'progress'; readonly id: string; readonly text: string } & ProgressCounts)
  | { readonly event: 'step-verify'; readonly id: string }
  | {
      readonly event: 'step-done';
      readonly id: string;
      readonly facts: readonly string[];
      readonly durationMs: number;
      /** What the check established, as fields (the facts say it in words). */
      readonly data?: FactData;
    }
  | {
      readonly event: 'step-failed';
      readonly id: string;
      readonly code: string;
      readonly message: string;
      readonly hint?: string;
    }
  | {
      readonly event: 'confirm-destroy';
      readonly id: string;
      readonly willDestroy: readonly string[];
      readonly protections: readonly string[];
      readonly expect: string;
    }
  | { readonly event: 'notice'; readonly level: 'info' | 'warn'; readonly text: string }
  /** plan: what the copy still has to do and the window each procedure needs, in sentences and as fields. */
  | { readonly event: 'plan-estimate'; readonly facts: readonly string[]; readonly data: FactData };

/** The only way out of the layers below the CLI: events, and questions the CLI answers (or refuses in scripts). */
export interface Io {
  readonly interactive: boolean;
  emit(event: RunEvent): void;
  ask(question: Question): Promise<string | boolean>;
}

/**
 * A question for the operator. `key` names it stably ("input:dtrUrl", "confirm:restore", "procedure"),
 * so a test can answer it by name and fail on one it did not expect.
 */
export type Question =
  | {
      readonly kind: 'text';
      readonly key: string;
      readonly message: string;
      readonly default?: string;
      readonly validate?: (value: string) => string | true;
    }
  | { readonly kind: 'secret'; readonly key: string; readonly message: string }
  | { readonly kind: 'confirm'; readonly key: string; readonly message: string; readonly default: boolean }
  | {
      readonly kind: 'select';
      readonly key: string;
      readonly message: string;
      readonly choices: ReadonlyArray<{ readonly value: string; readonly name: string; readonly description?: string }>;
    };
