/**
 * The end of a run, as an operator wants it: each step, how long it took, what was checked, and
 * where the backup, the log and the report are.
 */
import type { MigrationResult } from '../session/migrate.js';
import { formatDuration } from '../util/format.js';
import { wrap, type Style } from './style.js';

/**
 * Broken at spaces to `width` columns: stdout may be a terminal of any size or a file, and a summary
 * wrapped at 80 reads well in both (paths and digests are never cut, so they stay copyable).
 */
export function summaryLines(result: MigrationResult, style: Style, reportFile?: string, width = 80): string[] {
  const lines = ['', style.chalk.bold(verdictOf(result))];
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
  if (result.completion.length > 0) lines.push('', 'Checked on DTR just now:');
  for (const fact of result.completion) lines.push(...wrap(`  ${style.ok} `, fact, '    ', width, false));
  if (result.afterwards.length > 0) {
    lines.push('', style.chalk.bold('Still to do:'));
    for (const todo of result.afterwards) lines.push(...wrap('  - ', todo, '    ', width, false));
  }
  lines.push('', ...wrap('State and backup: ', result.stateDir, '  ', width, false));
  if (result.logFile !== undefined) lines.push(...wrap('Full log: ', result.logFile, '  ', width, false));
  if (reportFile !== undefined) lines.push(...wrap('Report: ', reportFile, '  ', width, false));
  return lines;
}

export function verdictOf(result: MigrationResult): string {
  return result.dryRun ? 'Dry run: nothing was changed.' : 'Migration complete: every step verified.';
}

/** The steps as the result line lists them: id and state. */
export function stepStates(
  steps: ReadonlyArray<{ id: string; status: string }>,
): Array<{ id: string; status: string }> {
  return steps.map((s) => ({ id: s.id, status: s.status }));
}
