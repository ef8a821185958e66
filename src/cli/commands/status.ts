/**
 * `dtr-migrate status`: what the journal says: each step, its state and when, the last error with its
 * fix, and what comes next. DTR is asked only once every step is verified: the migration is called
 * complete after the same live check `migrate` ends with (session/completion.ts), and never on the
 * journal's word alone; without credentials or an answer, status says it could not check.
 */
import type { JournalData } from '../../runner/journal.js';
import { checkCompletionLive, type LiveCompletion } from '../../session/completion.js';
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
    const options = { io, sources, stateDir, yes: false, changes: false, signal: ctx.signal };
    return await Session.with(options, async (session) => {
      const data = session.journalData;
      const done = data !== undefined && stepsOf(data).every((step) => step.status === 'verified');
      const live = done ? await checkCompletionLive(session, data) : undefined;
      io.close();
      return printStatus(ctx, stateDir, data, live);
    });
  } catch (error) {
    io.close();
    return reportFailure(ctx, error);
  }
}

function stepsOf(data: JournalData) {
  return stepsOfJournal(data.procedure, recordedTopology(data.runs)).map((step) => ({
    id: step.id,
    title: step.title,
    ...(data.steps[step.id] ?? { status: 'pending' as const, attempts: 0 }),
  }));
}

/** The closing line, and the exit code: 1 only when DTR was asked and contradicts the journal. */
function verdict(
  next: { title: string } | undefined,
  live: LiveCompletion | undefined,
): { line: string; code: number } {
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
): number {
  if (data === undefined) {
    const text = `No migration has started in ${stateDir}.`;
    if (ctx.json) {
      ctx.events.write({ event: 'status', stateDir, started: false, steps: [] });
      ctx.events.result(true, 0, text);
    } else ctx.stdout.write(`${text}\nStart one with: dtr-migrate migrate\n`);
    return 0;
  }
  const steps = stepsOf(data);
  const next = steps.find((s) => s.status !== 'verified');
  const { line, code } = verdict(next, live);
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
    });
    ctx.events.result(code === 0, code, line);
    return code;
  }
  const { style } = ctx;
  const lines = [
    style.chalk.bold(`Migration in ${stateDir} (${data.procedure} procedure)`),
    style.chalk.dim(`started ${data.createdAt}, last change ${data.updatedAt}`),
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
  lines.push('', line);
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return code;
}
