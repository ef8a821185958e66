/**
 * `dtr-migrate migrate` (and `plan`, which is `migrate --dry-run`): runs or previews the migration
 * and prints the summary, or the error with its fix, and with --json the closing result line. A run
 * (not a dry run) keeps `<state-dir>/report.html` current as it goes (live-report.ts).
 */
import { join, resolve } from 'node:path';
import { Journal, journalFileName } from '../../runner/journal.js';
import { runMigration, type MigrationOptions, type MigrationResult } from '../../session/migrate.js';
import type { PlanApplication } from '../../session/plan-check.js';
import { planDigest, planSources, readSavedPlan, writeSavedPlan } from '../../session/saved-plan.js';
import type { MigrateFlags } from '../program.js';
import { MigrateError, isMigrateError } from '../../errors.js';
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

/** `--plan <file>`: the saved plan, and the inputs it fixes (given ones must agree with it). */
async function applied(
  ctx: CliContext,
  file: string | undefined,
  sources: MigrationOptions['sources'] | undefined,
): Promise<{ applying?: PlanApplication; sources?: MigrationOptions['sources']; stateDir?: string }> {
  if (file === undefined) return sources === undefined ? {} : { sources };
  const plan = await readSavedPlan(file, toolVersion);
  // The plan was made against the journal of its state directory: it is applied there.
  const given = ctx.globals['stateDir'] as string | undefined;
  if (given !== undefined && resolve(given) !== plan.stateDir)
    throw new MigrateError(
      'USAGE',
      `--state-dir ${given}, but the plan was made for the migration in ${plan.stateDir}`,
      {
        hint: 'Drop --state-dir to apply the plan where it was made, or make a new plan for that state directory.',
      },
    );
  return {
    applying: { plan, file: resolve(file), digest: planDigest(plan) },
    sources: planSources(plan, sources ?? (await cliSources(ctx))),
    stateDir: plan.stateDir,
  };
}

/** `plan --out`: the plan saved, and the line that says how to apply it. */
async function savePlan(result: MigrationResult, out: string | undefined): Promise<string[]> {
  if (result.plan === undefined) return [];
  if (out === undefined)
    return [
      'Save this plan with `dtr-migrate plan --out plan.json`; apply exactly that with `migrate --plan plan.json`.',
    ];
  await writeSavedPlan(out, result.plan);
  return [`Plan saved to ${out}. Apply exactly this plan with: dtr-migrate migrate --plan ${out}`];
}

export async function migrateCommand(
  ctx: CliContext,
  options: MigrateFlags,
  overrides: SessionOverrides = {},
): Promise<number> {
  const plain = makeIo(ctx);
  let io: ReturnType<typeof makeIo> = plain;
  let stateDir = overrides.stateDir;
  let report: LiveReport | undefined;
  try {
    const { applying, sources, stateDir: planned } = await applied(ctx, options.plan, overrides.sources);
    const explicit = overrides.stateDir ?? planned;
    const found =
      explicit === undefined
        ? await located(ctx, plain, sources)
        : { stateDir: explicit, sources: sources ?? (await cliSources(ctx)) };
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
      ...(ctx.launchDocker === undefined ? {} : { launchDocker: ctx.launchDocker }),
      ...(applying === undefined ? {} : { plan: applying }),
    });
    const saved = await savePlan(result, options.out);
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
        ...(options.out === undefined || result.plan === undefined ? {} : { plan: options.out }),
      });
    else ctx.stdout.write(`${[...summaryLines(result, ctx.style, reportFile), ...extra, ...saved].join('\n')}\n`);
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
