/**
 * The end of a run, as an operator wants it: each step, how long it took, what was checked, and
 * where the backup and the log are. Also the one JSON result line that closes a `--json` run.
 */
import type { MigrationResult } from '../engine/migration.js';
import { formatDuration } from '../format.js';
import type { Style } from './style.js';

export function summaryLines(result: MigrationResult, style: Style): string[] {
  const lines = ['', style.chalk.bold(result.dryRun ? 'Dry run: nothing was changed.' : 'Migration complete: every step verified.')];
  if (result.dryRun) return lines;
  for (const step of result.steps) {
    const took = step.durationMs === undefined ? '' : style.chalk.dim(` (${formatDuration(step.durationMs)})`);
    lines.push(`${step.status === 'verified' ? style.ok : style.fail} ${step.title}${took}`);
    for (const fact of step.facts) lines.push(`    ${fact}`);
  }
  lines.push('', `State and backup: ${result.stateDir}`);
  if (result.logFile !== undefined) lines.push(`Full log: ${result.logFile}`);
  return lines;
}

export interface ResultLine {
  readonly event: 'result';
  readonly ok: boolean;
  readonly exitCode: number;
  readonly steps: ReadonlyArray<{ id: string; status: string }>;
  readonly error?: { code: string; message: string; hint?: string };
  readonly [key: string]: unknown;
}

export function resultLine(ok: boolean, exitCode: number, steps: ReadonlyArray<{ id: string; status: string }>, extra: Record<string, unknown> = {}): ResultLine {
  return { event: 'result', ok, exitCode, steps: steps.map((s) => ({ id: s.id, status: s.status })), ...extra };
}
