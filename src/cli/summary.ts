/**
 * The end of a run, as an operator wants it: each step, how long it took, what was checked, and
 * where the backup and the log are. Also the one JSON result line that closes a `--json` run.
 */
import type { MigrationResult } from '../session/migrate.js';
import { formatDuration } from '../util/format.js';
import { wrap, type Style } from './style.js';

/**
 * Broken at spaces to `width` columns: stdout may be a terminal of any size or a file, and a summary
 * wrapped at 80 reads well in both (paths and digests are never cut, so they stay copyable).
 */
export function summaryLines(result: MigrationResult, style: Style, width = 80): string[] {
  const lines = [
    '',
    style.chalk.bold(result.dryRun ? 'Dry run: nothing was changed.' : 'Migration complete: every step verified.'),
  ];
  if (result.dryRun) return lines;
  result.steps.forEach((step, i) => {
    const took = step.durationMs === undefined ? '' : ` ${style.chalk.dim(`(${formatDuration(step.durationMs)})`)}`;
    const n = `${i + 1}.`;
    lines.push(
      ...wrap(
        `  ${step.status === 'verified' ? style.ok : style.fail} ${n} `,
        `${step.title}${took}`,
        ' '.repeat(5 + n.length),
        width,
        false,
      ),
    );
    for (const fact of step.facts)
      lines.push(...wrap(' '.repeat(5 + n.length), fact, ' '.repeat(7 + n.length), width, false));
  });
  if (result.afterwards.length > 0) {
    lines.push('', style.chalk.bold('Still to do:'));
    for (const todo of result.afterwards) lines.push(...wrap('  - ', todo, '    ', width, false));
  }
  lines.push('', ...wrap('State and backup: ', result.stateDir, '  ', width, false));
  if (result.logFile !== undefined) lines.push(...wrap('Full log: ', result.logFile, '  ', width, false));
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

export function resultLine(
  ok: boolean,
  exitCode: number,
  steps: ReadonlyArray<{ id: string; status: string }>,
  extra: Record<string, unknown> = {},
): ResultLine {
  return { event: 'result', ok, exitCode, steps: steps.map((s) => ({ id: s.id, status: s.status })), ...extra };
}
