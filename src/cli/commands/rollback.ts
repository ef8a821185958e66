/**
 * `dtr-migrate rollback`: runs (or with --dry-run previews) the way back that the journal allows, and
 * prints each step with what its check established, or the error with its fix, and with --json the
 * closing result line.
 */
import { isMigrateError } from '../../errors.js';
import { runRollback, type RollbackResult } from '../../session/rollback.js';
import { formatDuration } from '../../util/format.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { located, makeIo } from '../sources.js';
import { wrap, type Style } from '../style.js';
import { stepStates } from '../summary.js';
import { toolVersion } from '../version.js';

function resultLines(result: RollbackResult, style: Style, width = 80): string[] {
  const lines = ['', style.chalk.bold(result.text)];
  if (result.dryRun || result.procedure === undefined) return lines;
  result.steps.forEach((step, i) => {
    const took = step.durationMs === undefined ? '' : ` ${style.chalk.dim(`(${formatDuration(step.durationMs)})`)}`;
    const n = `${i + 1}.`;
    const mark = step.status === 'verified' ? style.ok : style.fail;
    lines.push(...wrap(`  ${mark} ${n} `, `${step.title}${took}`, ' '.repeat(5 + n.length), width, false));
    for (const fact of step.facts)
      lines.push(...wrap(' '.repeat(5 + n.length), fact, ' '.repeat(7 + n.length), width, false));
  });
  lines.push('', ...wrap('State and backup: ', result.stateDir, '  ', width, false));
  if (result.logFile !== undefined) lines.push(...wrap('Full log: ', result.logFile, '  ', width, false));
  return lines;
}

export async function rollbackCommand(ctx: CliContext, options: { dryRun: boolean }): Promise<number> {
  const io = makeIo(ctx);
  let stateDir: string | undefined;
  try {
    const found = await located(ctx, io);
    stateDir = found.stateDir;
    const result = await runRollback({
      io,
      toolVersion,
      sources: found.sources,
      stateDir,
      yes: ctx.globals['yes'] === true,
      dryRun: options.dryRun,
      takeOverLock: ctx.globals['takeOverLock'] === true,
      signal: ctx.signal,
    });
    io.close();
    if (ctx.json)
      ctx.events.result(true, 0, result.text, {
        steps: stepStates(result.steps),
        ...(result.procedure === undefined ? {} : { procedure: `rollback-${result.procedure}` }),
        dryRun: result.dryRun,
        stateDir,
        ...(result.logFile === undefined ? {} : { logFile: result.logFile }),
      });
    else ctx.stdout.write(`${resultLines(result, ctx.style).join('\n')}\n`);
    return 0;
  } catch (error) {
    io.close();
    const code = await reportFailure(ctx, error, () => (stateDir === undefined ? {} : { stateDir }));
    if (isMigrateError(error) && error.code === 'INTERRUPTED' && !ctx.json)
      ctx.stderr.write(`  The journal is consistent. Resume with the same command (state: ${stateDir ?? '?'}).\n`);
    return code;
  }
}
