/**
 * The explicit confirmation a destructive step needs, asked by the runner right before the step runs:
 * every earlier step verified, the step's own protections shown, then the expected text typed (in
 * scripts: `--yes` and the confirmation flag of that run). Anything else throws; nothing is destroyed.
 */
import { MigrateError } from '../errors.js';
import type { Io } from './io.js';
import type { AnyStep, DestructiveConfirmation } from './step.js';

export interface ConfirmOptions {
  readonly io: Io;
  /** `--yes`: the operator agreed up front (a destructive step still needs its confirmation flag). */
  readonly yes: boolean;
  /** How often the step was started before (said in the question). */
  readonly attempts: number;
}

export async function confirmDestructive(
  step: AnyStep,
  c: DestructiveConfirmation,
  options: ConfirmOptions,
): Promise<void> {
  const { io } = options;
  io.emit({
    event: 'confirm-destroy',
    id: step.id,
    willDestroy: c.willDestroy,
    protections: c.protections,
    expect: c.expect,
  });
  await acknowledge(io, c);
  if (c.given !== undefined && c.given !== c.expect) {
    throw new MigrateError(
      'CONFIRMATION_MISMATCH',
      `${c.flag} "${c.given}" does not match ${c.subject}; nothing was destroyed`,
      { hint: `Check it: ${c.flag} ${c.expect}` },
    );
  }
  if (options.yes && c.given === c.expect) return;
  if (!io.interactive) {
    throw new MigrateError(
      'CONFIRMATION_REQUIRED',
      `${step.title} destroys ${c.subject} and needs an explicit confirmation; nothing was destroyed`,
      { hint: `Run again with --yes ${c.flag} ${c.expect}` },
    );
  }
  const previously = options.attempts > 0 ? `This step was started ${options.attempts} time(s) before. ` : '';
  // A typo is asked again (a run that checked everything should not end on one); a third is a no.
  for (let tries = 1; ; tries += 1) {
    const answer = await io.ask({ kind: 'text', key: `confirm:${step.id}`, message: `${previously}${c.prompt}` });
    if (String(answer).trim() === c.expect) return;
    if (tries === typingTries) {
      throw new MigrateError(
        'CONFIRMATION_MISMATCH',
        `the text typed ${typingTries} times does not match ${c.expect}; nothing was destroyed`,
        { hint: 'Run the same command again when ready, and type it exactly.' },
      );
    }
    io.emit({
      event: 'notice',
      level: 'warn',
      text: `That does not match ${c.expect}; nothing was destroyed. ${typingTries - tries} more tr${typingTries - tries === 1 ? 'y' : 'ies'}.`,
    });
  }
}

/** How often the operator may type the confirmation before the run ends. */
const typingTries = 3;

/** Refuses a destructive step while an earlier one is not verified. */
export function refuseUnlessEarlierVerified(step: AnyStep, unverified: readonly AnyStep[]): void {
  if (unverified.length === 0) return;
  throw new MigrateError(
    'STEP_LOCKED',
    `${step.title} is locked until ${unverified.map((s) => s.id).join(', ')} ${unverified.length > 1 ? 'are' : 'is'} verified`,
    { hint: 'Run `dtr-migrate migrate` to finish the earlier steps first.' },
  );
}

/** A consequence such as erasing every tag: accepted in words, or by its flag in scripts. */
async function acknowledge(io: Io, c: DestructiveConfirmation): Promise<void> {
  const ack = c.acknowledge;
  if (ack === undefined || ack.given) return;
  if (!io.interactive) {
    throw new MigrateError(
      'CONFIRMATION_REQUIRED',
      `${ack.consequence}; this must be accepted explicitly, and nothing was destroyed`,
      { hint: `Run again with ${ack.flag} if that is what you want.` },
    );
  }
  const answer = await io.ask({
    kind: 'text',
    key: `acknowledge:${ack.flag}`,
    message: `${ack.consequence}. Type "${ack.phrase}" to accept`,
  });
  if (String(answer).trim() !== ack.phrase) {
    throw new MigrateError('CONFIRMATION_MISMATCH', `"${ack.phrase}" was not typed; nothing was changed`, {
      hint: 'Choose another procedure, or run again and type the phrase exactly.',
    });
  }
}
