/**
 * `dtr-migrate status`: what the journal says, without touching DTR: each step, its state and when,
 * the last error with its fix, and what comes next.
 */
import type { JournalData } from '../../runner/journal.js';
import { Session } from '../../session/session.js';
import { stepsOfJournal } from '../../steps/index.js';
import { formatDuration } from '../../util/format.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { cliSources, makeIo, stateDirOf } from '../sources.js';

export async function statusCommand(ctx: CliContext): Promise<number> {
  const io = makeIo(ctx);
  const stateDir = stateDirOf(ctx);
  try {
    const sources = await cliSources(ctx);
    const options = { io, sources, stateDir, yes: false, changes: false, signal: ctx.signal };
    return await Session.with(options, async (session) => {
      io.close();
      return printStatus(ctx, stateDir, session.journalData);
    });
  } catch (error) {
    io.close();
    return reportFailure(ctx, error);
  }
}

function printStatus(ctx: CliContext, stateDir: string, data: JournalData | undefined): number {
  if (data === undefined) {
    const text = `No migration has started in ${stateDir}.`;
    if (ctx.json) {
      ctx.events.write({ event: 'status', stateDir, started: false, steps: [] });
      ctx.events.result(true, 0, text);
    } else ctx.stdout.write(`${text}\nStart one with: dtr-migrate migrate\n`);
    return 0;
  }
  const steps = stepsOfJournal(data.procedure).map((step) => ({
    id: step.id,
    title: step.title,
    ...(data.steps[step.id] ?? { status: 'pending' as const, attempts: 0 }),
  }));
  const next = steps.find((s) => s.status !== 'verified');
  const verdict =
    next === undefined
      ? 'Every step is verified: the migration is complete.'
      : `Next: ${next.title}. Run \`dtr-migrate migrate\` to continue.`;
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
    });
    ctx.events.result(true, 0, verdict);
    return 0;
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
  lines.push('', verdict);
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
