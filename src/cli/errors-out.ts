/**
 * How an error reaches the operator: one line with the cause, one with the fix. The stack trace and
 * detail lines only with --debug. Every command ends a failure the same way, through `reportFailure`.
 */
import { isMigrateError, stopSignals, type MigrateError } from '../errors.js';
import type { CliContext } from './context.js';
import type { Style } from './style.js';

function errorLines(error: MigrateError, style: Style, debug: boolean): string[] {
  const lines = [`${style.fail} ${style.chalk.bold('Error:')} ${error.message}`];
  if (error.hint !== undefined) lines.push(`  ${style.chalk.cyan('→')} ${error.hint}`);
  if (debug) {
    lines.push(style.chalk.dim(`  code ${error.code}, exit ${error.exitCode}`));
    for (const detail of error.details) lines.push(style.chalk.dim(`  ${detail}`));
    const cause = error.cause instanceof Error ? error.cause : error;
    if (cause.stack !== undefined) lines.push(style.chalk.dim(cause.stack));
  }
  return lines;
}

function errorJson(error: MigrateError): { code: string; message: string; hint?: string } {
  return { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
}

/** The exit code of a failure; an interrupted run's says which signal stopped it (the abort's reason). */
export function exitCodeOf(error: MigrateError, signal: AbortSignal): number {
  const reason: unknown = signal.reason;
  if (error.code !== 'INTERRUPTED' || typeof reason !== 'string' || !(reason in stopSignals)) return error.exitCode;
  return stopSignals[reason as keyof typeof stopSignals];
}

/**
 * Prints a command's failure (and with --json its closing result line, with `result`'s fields) and
 * returns the exit code. Anything but a MigrateError is a bug: it goes on to main, which says so.
 */
export async function reportFailure(
  ctx: CliContext,
  error: unknown,
  result: () => Record<string, unknown> | Promise<Record<string, unknown>> = () => ({}),
): Promise<number> {
  if (!isMigrateError(error)) throw error;
  ctx.stderr.write(`${errorLines(error, ctx.style, ctx.debug).join('\n')}\n`);
  const exitCode = exitCodeOf(error, ctx.signal);
  if (ctx.json) ctx.events.result(false, exitCode, error.message, { ...(await result()), error: errorJson(error) });
  return exitCode;
}
