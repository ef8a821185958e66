/**
 * `dtr-migrate migrate` (and `plan`, which is `migrate --dry-run`): runs or previews the migration
 * and prints the summary, or the error with its fix, and with --json the closing result line.
 */
import { join } from 'node:path';
import { Journal, journalFileName } from '../../runner/journal.js';
import { runMigration, type MigrationOptions, type MigrationResult } from '../../session/migrate.js';
import { isMigrateError } from '../../errors.js';
import { stepsOfJournal } from '../../steps/index.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { cliSources, makeIo, stateDirOf } from '../sources.js';
import { resultLine, summaryLines } from '../summary.js';

export interface SessionOverrides {
  readonly stateDir?: string;
  readonly sources?: MigrationOptions['sources'];
  readonly dockerEnv?: Record<string, string>;
  readonly storage?: MigrationOptions['storage'];
  readonly yes?: boolean;
  /** Called after a successful run, before the result is printed (the rehearsal adds its checks). */
  readonly afterRun?: (result: MigrationResult) => Promise<string[]>;
}

/** Steps' states from the journal on disk, for a result line after a failure. */
async function journaledStates(stateDir: string): Promise<Array<{ id: string; status: string }>> {
  try {
    const data = await Journal.read(join(stateDir, journalFileName));
    if (data === undefined) return [];
    return stepsOfJournal(data.procedure).map((s) => ({ id: s.id, status: data.steps[s.id]?.status ?? 'pending' }));
  } catch {
    return [];
  }
}

export async function migrateCommand(
  ctx: CliContext,
  options: { dryRun: boolean },
  overrides: SessionOverrides = {},
): Promise<number> {
  const io = makeIo(ctx);
  const stateDir = overrides.stateDir ?? stateDirOf(ctx);
  try {
    const result = await runMigration({
      io,
      sources: overrides.sources ?? (await cliSources(ctx)),
      stateDir,
      yes: overrides.yes ?? ctx.globals['yes'] === true,
      dryRun: options.dryRun,
      takeOverLock: ctx.globals['takeOverLock'] === true,
      signal: ctx.signal,
      ...(overrides.dockerEnv === undefined ? {} : { dockerEnv: overrides.dockerEnv }),
      ...(overrides.storage === undefined ? {} : { storage: overrides.storage }),
    });
    const extra = overrides.afterRun === undefined ? [] : await overrides.afterRun(result);
    io.close();
    if (ctx.json)
      ctx.stdout.write(
        `${JSON.stringify(resultLine(true, 0, result.steps, { procedure: result.procedure, dryRun: result.dryRun, stateDir, logFile: result.logFile, afterwards: result.afterwards, checks: extra }))}\n`,
      );
    else ctx.stdout.write(`${[...summaryLines(result, ctx.style), ...extra].join('\n')}\n`);
    return 0;
  } catch (error) {
    io.close();
    const code = await reportFailure(ctx, error, async () => ({
      steps: await journaledStates(stateDir),
      stateDir,
    }));
    if (isMigrateError(error) && error.code === 'INTERRUPTED' && !ctx.json)
      ctx.stderr.write(`  The journal is consistent. Resume with the same command (state: ${stateDir}).\n`);
    return code;
  }
}
