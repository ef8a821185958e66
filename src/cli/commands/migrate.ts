/**
 * `dtr-migrate migrate` (and `plan`, which is `migrate --dry-run`): runs or previews the migration
 * and prints the summary, or the error with its fix, and with --json the closing result line. A run
 * (not a dry run) keeps `<state-dir>/report.html` current as it goes (live-report.ts).
 */
import { join } from 'node:path';
import { Journal, journalFileName } from '../../runner/journal.js';
import { runMigration, type MigrationOptions, type MigrationResult } from '../../session/migrate.js';
import { isMigrateError } from '../../errors.js';
import { stepsOfJournal } from '../../steps/index.js';
import { recordedTopology } from '../../dtr/topology.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { cliSources, located, makeIo } from '../sources.js';
import { LiveReport } from '../live-report.js';
import { stepStates, summaryLines, verdictOf } from '../summary.js';
import { toolVersion } from '../version.js';

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
    return stepsOfJournal(data.procedure, recordedTopology(data.runs)).map((s) => ({
      id: s.id,
      status: data.steps[s.id]?.status ?? 'pending',
    }));
  } catch {
    return [];
  }
}

export async function migrateCommand(
  ctx: CliContext,
  options: { dryRun: boolean },
  overrides: SessionOverrides = {},
): Promise<number> {
  const plain = makeIo(ctx);
  let io: ReturnType<typeof makeIo> = plain;
  let stateDir = overrides.stateDir;
  let report: LiveReport | undefined;
  try {
    const found =
      overrides.stateDir === undefined
        ? await located(ctx, plain, overrides.sources)
        : { stateDir: overrides.stateDir, sources: overrides.sources ?? (await cliSources(ctx)) };
    stateDir = found.stateDir;
    // A dry run changes nothing, so it has nothing to report.
    report = options.dryRun ? undefined : new LiveReport(stateDir, plain);
    io = report?.watch(plain) ?? plain;
    const result = await runMigration({
      io,
      toolVersion,
      sources: found.sources,
      stateDir,
      yes: overrides.yes ?? ctx.globals['yes'] === true,
      dryRun: options.dryRun,
      takeOverLock: ctx.globals['takeOverLock'] === true,
      signal: ctx.signal,
      ...(overrides.dockerEnv === undefined ? {} : { dockerEnv: overrides.dockerEnv }),
      ...(overrides.storage === undefined ? {} : { storage: overrides.storage }),
    });
    const extra = overrides.afterRun === undefined ? [] : await overrides.afterRun(result);
    const reportFile = await report?.finish();
    io.close();
    if (ctx.json)
      ctx.events.result(true, 0, verdictOf(result), {
        steps: stepStates(result.steps),
        procedure: result.procedure,
        dryRun: result.dryRun,
        stateDir,
        logFile: result.logFile,
        ...(reportFile === undefined ? {} : { report: reportFile }),
        afterwards: result.afterwards,
        checks: extra,
      });
    else ctx.stdout.write(`${[...summaryLines(result, ctx.style, reportFile), ...extra].join('\n')}\n`);
    return 0;
  } catch (error) {
    const reportFile = await report?.finish();
    io.close();
    const code = await reportFailure(ctx, error, async () => ({
      ...(stateDir === undefined ? { steps: [] } : { steps: await journaledStates(stateDir), stateDir }),
      ...(reportFile === undefined ? {} : { report: reportFile }),
    }));
    if (!ctx.json && reportFile !== undefined) ctx.stderr.write(`  Report so far: ${reportFile}\n`);
    if (isMigrateError(error) && error.code === 'INTERRUPTED' && !ctx.json)
      ctx.stderr.write(`  The journal is consistent. Resume with the same command (state: ${stateDir ?? '?'}).\n`);
    return code;
  }
}
