/**
 * `dtr-migrate status`: what the journal says: each step, its state and when, the last error with its
 * fix, and what comes next. DTR is asked only once every step is verified: the migration is called
 * complete after the same live check `migrate` ends with (session/completion.ts), and never on the
 * journal's word alone; without credentials or an answer, status says it could not check.
 */
import type { JournalData } from '../../runner/journal.js';
import { lockHolder } from '../../runner/state-dir.js';
import { checkCompletionLive, type LiveCompletion } from '../../session/completion.js';
import { chooseRollback, type RollbackChoice } from '../../session/rollback-choice.js';
import { Session } from '../../session/session.js';
import { stepsOfJournal } from '../../steps/index.js';
import { recordedTopology } from '../../dtr/topology.js';
import { formatDuration } from '../../util/format.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { located, makeIo } from '../sources.js';

export async function statusCommand(ctx: CliContext): Promise<number> {
  const io = makeIo(ctx);
  try {
    const { stateDir, sources } = await located(ctx, io);
    const options = {
      io,
      sources,
      stateDir,
      yes: false,
      changes: false,
      signal: ctx.signal,
      ...(ctx.launchDocker === undefined ? {} : { launchDocker: ctx.launchDocker }),
    };
    return await Session.with(options, async (session) => {
      const data = session.journalData;
      const done = data !== undefined && stepsOf(data).every((step) => step.status === 'verified');
      const live = done ? await checkCompletionLive(session, data) : undefined;
      const run = runUnderWay(await lockHolder(stateDir), data);
      io.close();
      return printStatus(ctx, stateDir, data, live, run);
    });
  } catch (error) {
    io.close();
    return reportFailure(ctx, error);
  }
}

/** The run that holds the lock, if any, and the step the journal says it is at. */
interface RunUnderWay {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** Whether that process still runs; null when it is on another host (cannot be checked from here). */
  readonly running: boolean | null;
  /** The step it is working on, when it is in one (between steps, or before the first: null). */
  readonly step: string | null;
}

function runUnderWay(
  holder: Awaited<ReturnType<typeof lockHolder>>,
  data: JournalData | undefined,
): RunUnderWay | undefined {
  if (holder === undefined) return undefined;
  const step = data === undefined ? undefined : stepsOf(data).find((s) => s.status === 'running');
  return {
    pid: holder.pid,
    host: holder.host,
    startedAt: holder.startedAt,
    running: holder.running ?? null,
    step: step?.id ?? null,
  };
}

/** What status says of the run holding the lock: which step, which process. */
function runLine(run: RunUnderWay, data: JournalData | undefined): string {
  const who = `process ${run.pid} on ${run.host}${run.startedAt === '' ? '' : ` (since ${run.startedAt})`}`;
  if (run.running === false)
    return `The lock names ${who}, which no longer runs: the next \`dtr-migrate migrate\` asks to take it over (in scripts: --take-over-lock).`;
  const steps = data === undefined ? [] : stepsOf(data);
  const at = steps.findIndex((s) => s.id === run.step);
  const where =
    at >= 0
      ? `at step ${at + 1}, ${steps[at]?.title ?? run.step}`
      : data === undefined
        ? 'before its first step'
        : 'between steps';
  return run.running === null
    ? `A run is under way ${where}, by ${who}; from this host it cannot be told whether it still runs.`
    : `Running now, ${where}: ${who}.`;
}

function stepsOf(data: JournalData) {
  return stepsOfJournal(data.procedure, recordedTopology(data.runs)).map((step) => ({
    id: step.id,
    title: step.title,
    ...(data.steps[step.id] ?? { status: 'pending' as const, attempts: 0 }),
  }));
}

/** What `dtr-migrate rollback` would do now, for --json: its steps with their state in the journal. */
function rollbackJson(choice: RollbackChoice, data: JournalData): Record<string, unknown> {
  if (!choice.possible) return { possible: false, why: choice.why, nothingToDo: choice.nothingToDo };
  const { possible, procedure, would, underWay } = choice;
  const steps = choice.steps.map((s) => ({ id: s.id, title: s.title, status: data.steps[s.id]?.status ?? 'pending' }));
  return { possible, procedure, would, underWay, steps };
}

/** The rollback in words: what it would do (and its steps so far), or why there is none. */
function rollbackLines(choice: RollbackChoice, data: JournalData, ctx: CliContext): string[] {
  const { style } = ctx;
  if (!choice.possible)
    return [
      `${style.chalk.bold('Rollback:')} not possible now: ${choice.why}.${data.rollback?.completedAt === undefined ? '' : ' `dtr-migrate migrate` starts a new migration.'}`,
    ];
  const lines = [
    `${style.chalk.bold('Rollback:')} ${choice.underWay ? 'under way, ' : 'possible: '}\`dtr-migrate rollback\` would ${choice.would}${choice.steps.some((s) => s.id === 'rollback-restore') ? ' (confirmed as the destroy is: the replica id typed, or --yes --confirm-destroy <replica-id>)' : ''}.`,
  ];
  for (const [i, step] of choice.steps.entries()) {
    const record = data.steps[step.id];
    lines.push(`  ${i + 1}. ${step.title}: ${record?.status ?? 'pending'}`);
    if (record?.error !== undefined && record.status !== 'verified')
      lines.push(`      ${style.chalk.red(record.error.message)}`);
  }
  return lines;
}

/** The closing line, and the exit code: 1 only when DTR was asked and contradicts the journal. */
function verdict(
  next: { title: string } | undefined,
  live: LiveCompletion | undefined,
  run: RunUnderWay | undefined,
): { line: string; code: number } {
  if (next !== undefined && run !== undefined && run.running !== false)
    return {
      line: `Next: ${next.title}, once that run is done: a second run is refused while it holds the lock.`,
      code: 0,
    };
  if (next !== undefined) return { line: `Next: ${next.title}. Run \`dtr-migrate migrate\` to continue.`, code: 0 };
  if (live === undefined || !live.checked)
    return {
      line: `Every step is verified in the journal, but DTR could not be checked (${live?.why ?? 'not asked'}), so the migration is not confirmed complete: give DTR_TOKEN and run again, or run \`dtr-migrate verify\`.`,
      code: 0,
    };
  if (!live.verification.ok)
    return {
      line: `Every step is verified in the journal, but DTR does not show the migration done: ${live.verification.reason}. ${live.verification.hint}`,
      code: 1,
    };
  return { line: `The migration is complete: ${live.verification.facts.join('; ')}.`, code: 0 };
}

function printStatus(
  ctx: CliContext,
  stateDir: string,
  data: JournalData | undefined,
  live: LiveCompletion | undefined,
  run: RunUnderWay | undefined,
): number {
  if (data === undefined) {
    // A first run in its preflight holds the lock before it writes a journal.
    const under = run === undefined ? undefined : runLine(run, undefined);
    const text = `No migration has started in ${stateDir}.${under === undefined ? '' : ` ${under}`}`;
    if (ctx.json) {
      ctx.events.write({ event: 'status', stateDir, started: false, steps: [], run: run ?? null });
      ctx.events.result(true, 0, text);
    } else ctx.stdout.write(`${text}\n${under === undefined ? 'Start one with: dtr-migrate migrate\n' : ''}`);
    return 0;
  }
  const steps = stepsOf(data);
  const next = steps.find((s) => s.status !== 'verified');
  const rollback = chooseRollback(data);
  const { line, code } =
    rollback.possible && rollback.underWay
      ? { line: 'A rollback is under way: run `dtr-migrate rollback` to finish it.', code: 0 }
      : data.rollback?.completedAt !== undefined
        ? { line: `Rolled back at ${data.rollback.completedAt}.`, code: 0 }
        : verdict(next, live, run);
  if (ctx.json) {
    const shown = steps.map(({ output: _output, checkpoint: _checkpoint, ...rest }) => rest);
    ctx.events.write({
      event: 'status',
      stateDir,
      started: true,
      procedure: data.procedure,
      createdAt: data.createdAt,
      updatedAt: data.updatedAt,
      steps: shown,
      next: next?.id ?? null,
      complete: live?.checked === true ? live.verification.ok : null,
      check: live ?? null,
      run: run ?? null,
      rollback: rollbackJson(rollback, data),
    });
    ctx.events.result(code === 0, code, line);
    return code;
  }
  const { style } = ctx;
  const lines = [
    style.chalk.bold(`Migration in ${stateDir} (${data.procedure} procedure)`),
    style.chalk.dim(`started ${data.createdAt}, last change ${data.updatedAt}`),
    ...(run === undefined ? [] : [runLine(run, data)]),
    '',
  ];
  for (const [i, step] of steps.entries()) {
    const mark =
      step.status === 'verified'
        ? style.ok
        : step.status === 'pending'
          ? style.locked
          : step.status === 'running'
            ? style.next
            : style.fail;
    const when = step.endedAt ?? step.startedAt;
    const took = step.durationMs === undefined ? '' : `, took ${formatDuration(step.durationMs)}`;
    lines.push(`${mark} ${i + 1}. ${step.title}: ${step.status}${when === undefined ? '' : ` (${when}${took})`}`);
    for (const fact of step.facts ?? []) lines.push(`      ${fact}`);
    if (step.error !== undefined && step.status !== 'verified') {
      lines.push(`      ${style.chalk.red(step.error.message)}`);
      if (step.error.hint !== undefined) lines.push(`      → ${step.error.hint}`);
    }
  }
  lines.push('', ...rollbackLines(rollback, data, ctx), '', line);
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return code;
}
