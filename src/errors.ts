/**
 * The one error type of dtr-migrate, its codes and the exit-code table.
 *
 * Library code throws `MigrateError`; only the CLI layer prints it. Anything else that reaches the
 * top level is a bug and is reported as such. Messages and hints must never contain a secret: build
 * them from names, paths and flags, never from request bodies or environment values.
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  stepFailed: 1,
  usage: 2,
  inputRequired: 3,
  dtrUnreachable: 4,
  stateLocked: 5,
  aborted: 6,
  /**
   * Stopped cleanly by SIGHUP (the terminal went away: 129), or by SIGINT (Ctrl-C) or SIGTERM (a service
   * manager stopping it), which mean the same here and both end with 130 (issue 12 asks SIGTERM to behave
   * as SIGINT does, so scripts test one code for "stopped, resume by running again").
   */
  hangup: 129,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The signals that stop a run cleanly (as Ctrl-C does), with the exit code each ends it with. */
export const stopSignals = {
  SIGHUP: ExitCode.hangup,
  SIGINT: ExitCode.interrupted,
  SIGTERM: ExitCode.interrupted,
} as const;
export type StopSignal = keyof typeof stopSignals;

/** Every error code, with the exit code it maps to. */
const exitCodeOf = {
  USAGE: ExitCode.usage,
  CONFIG_INVALID: ExitCode.usage,
  CONFIG_UNREADABLE: ExitCode.usage,
  INPUT_REQUIRED: ExitCode.inputRequired,
  NOT_INTERACTIVE: ExitCode.inputRequired,
  API_UNREACHABLE: ExitCode.dtrUnreachable,
  API_TLS: ExitCode.dtrUnreachable,
  API_AUTH: ExitCode.dtrUnreachable,
  API_FORBIDDEN: ExitCode.dtrUnreachable,
  API_TIMEOUT: ExitCode.dtrUnreachable,
  NOT_DTR: ExitCode.dtrUnreachable,
  API_ERROR: ExitCode.stepFailed,
  API_CONTRACT: ExitCode.stepFailed,
  UNSUPPORTED_VERSION: ExitCode.usage,
  DOCKER_MISSING: ExitCode.stepFailed,
  DOCKER_FAILED: ExitCode.stepFailed,
  BACKUP_INVALID: ExitCode.stepFailed,
  STORAGE_INVALID: ExitCode.usage,
  STORAGE_FAILED: ExitCode.stepFailed,
  STEP_FAILED: ExitCode.stepFailed,
  /** A replica of an HA cluster is not healthy at the start: nothing was changed. */
  REPLICA_UNHEALTHY: ExitCode.stepFailed,
  VERIFY_FAILED: ExitCode.stepFailed,
  JOB_FAILED: ExitCode.stepFailed,
  STEP_LOCKED: ExitCode.stepFailed,
  STATE_DIR_UNUSABLE: ExitCode.usage,
  JOURNAL_INVALID: ExitCode.stateLocked,
  JOURNAL_MISMATCH: ExitCode.stateLocked,
  STATE_LOCKED: ExitCode.stateLocked,
  CONFIRMATION_REQUIRED: ExitCode.aborted,
  CONFIRMATION_MISMATCH: ExitCode.aborted,
  ABORTED: ExitCode.aborted,
  /** A saved plan that no longer matches DTR, its storage or the journal: nothing was changed. */
  PLAN_STALE: ExitCode.aborted,
  INTERRUPTED: ExitCode.interrupted,
} as const satisfies Record<string, ExitCodeValue>;

export type ErrorCode = keyof typeof exitCodeOf;

export interface MigrateErrorOptions {
  /** One line naming the flag or command that fixes the problem. */
  readonly hint?: string;
  readonly cause?: unknown;
  /** Extra lines for `--debug` and the log file (never secrets). */
  readonly details?: readonly string[];
  /** Verified steps whose result no longer holds: the runner opens them again, so the next run redoes them. */
  readonly reopenSteps?: readonly string[];
}

const brand = Symbol.for('dtr-migrate.MigrateError');

export class MigrateError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly details: readonly string[];
  readonly reopenSteps: readonly string[];
  readonly [brand] = true;

  constructor(code: ErrorCode, message: string, options: MigrateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrateError';
    this.code = code;
    this.exitCode = exitCodeOf[code];
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.reopenSteps = options.reopenSteps ?? [];
  }
}

/**
 * The same error with every secret in its message, hint and details replaced by ****: a subprocess's
 * last line of output, quoted in a message, could hold one. Errors of other kinds keep only their
 * (masked) message.
 */
export function maskSecrets(error: unknown, mask: (text: string) => string): unknown {
  if (isMigrateError(error)) {
    const masked = new MigrateError(error.code, mask(error.message), {
      ...(error.hint === undefined ? {} : { hint: mask(error.hint) }),
      details: error.details.map(mask),
      reopenSteps: error.reopenSteps,
    });
    if (error.stack !== undefined) masked.stack = mask(error.stack);
    return masked;
  }
  if (error instanceof Error) {
    const masked = new Error(mask(error.message));
    if (error.stack !== undefined) masked.stack = mask(error.stack);
    return masked;
  }
  return mask(String(error));
}

/** True for a MigrateError, even one created by another copy of this module. */
export function isMigrateError(value: unknown): value is MigrateError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
