/**
 * How an error reaches the operator: one line with the cause, one with the fix. The stack trace and
 * detail lines only with --debug.
 */
import type { MigrateError } from '../errors.js';
import type { Style } from './style.js';

export function errorLines(error: MigrateError, style: Style, debug: boolean): string[] {
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

export function errorJson(error: MigrateError): { code: string; message: string; hint?: string } {
  return { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
}
