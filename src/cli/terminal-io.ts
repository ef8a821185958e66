/**
 * The operator's terminal: a welcome screen with what was detected and the steps as a checklist, a
 * spinner (with a bar when the step knows how far it is) while a step works, inquirer prompts for
 * questions, everything on stderr so stdout stays for results. Lines are laid out for the terminal's
 * width (at most style.maxWidth).
 *
 * A spinner and a prompt are never on screen together: the spinner stops before any question is
 * asked (np had to stay on old listr because a live renderer overwrote its prompts), and comes back
 * once the question is answered if the step is still working.
 */
import { confirm, input, password, select } from '@inquirer/prompts';
import ora, { type Ora } from 'ora';
import { MigrateError } from '../errors.js';
import type { Io, Question, RunEvent } from '../runner/io.js';
import { eventLines } from './event-text.js';
import { screenWidth, wrap, type Style } from './style.js';

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const same = (text: string): string => text;

/**
 * Inquirer colours by itself (it follows NO_COLOR, not --no-color); without colour its theme is
 * replaced by one that writes no escape code at all.
 */
const plainTheme = {
  prefix: { idle: '?', done: '✔' },
  spinner: { interval: 80, frames: spinnerFrames },
  style: {
    answer: same,
    message: same,
    error: (text: string) => `> ${text}`,
    defaultAnswer: (text: string) => `(${text})`,
    help: same,
    highlight: same,
    key: (text: string) => `<${text}>`,
    disabled: (text: string) => `- ${text}`,
    description: same,
    keysHelpTip: (keys: Array<[string, string]>) => keys.map(([key, action]) => `${key} ${action}`).join(' • '),
  },
};

/** What the spinner says: the step's progress, with a bar when it knows the fraction done. */
export function spinnerText(text: string, fraction: number | undefined, room: number): string {
  let line = text;
  if (fraction !== undefined) {
    const done = Math.max(0, Math.min(1, fraction));
    const barWidth = 16;
    const filled = Math.round(done * barWidth);
    line = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${String(Math.floor(done * 100)).padStart(3)}% ${text}`;
  }
  // One line only: a spinner that wraps leaves copies of itself behind when it redraws.
  return [...line].length > room ? `${[...line].slice(0, Math.max(room - 1, 1)).join('')}…` : line;
}

export class TerminalIo implements Io {
  readonly interactive: boolean;
  private spinner: Ora | undefined;
  private readonly titles = new Map<string, string>();
  private hinted = false;

  constructor(
    private readonly style: Style,
    interactive: boolean,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {
    this.interactive = interactive;
  }

  private get width(): number {
    return screenWidth(this.err) ?? 80;
  }

  emit(event: RunEvent): void {
    if (event.event === 'run-start') for (const s of event.steps) this.titles.set(s.id, s.title);
    if (event.event === 'step-start') this.titles.set(event.id, event.title);
    if (event.event === 'progress') {
      if (this.spinner !== undefined) this.spinner.text = spinnerText(event.text, event.fraction, this.width - 3);
      return;
    }
    const working = this.spinner?.text;
    this.stopSpinner();
    // Said once, when the first step starts (a dry run, which starts none, has nothing to stop).
    if (event.event === 'step-start' && this.interactive && !this.hinted) {
      this.hinted = true;
      const hint = 'Ctrl-C stops at the next safe point; the same command then resumes where it stopped.';
      this.err.write(`${wrap('', this.style.chalk.dim(hint), '', this.width).join('\n')}\n`);
    }
    // The spinner says "checking…" itself; a line for it as well would only add noise.
    const lines = event.event === 'step-verify' ? undefined : eventLines(event, this.style, this.titles, this.width);
    if (lines !== undefined) this.err.write(`${lines.join('\n')}\n`);
    if (event.event === 'step-start') this.startSpinner('working…');
    else if (event.event === 'step-verify') this.startSpinner('checking…');
    // A notice in the middle of a step: the step is still working, so is the spinner.
    else if (event.event === 'notice' && working !== undefined) this.startSpinner(working);
  }

  async ask(question: Question): Promise<string | boolean> {
    const working = this.spinner?.text;
    this.stopSpinner();
    const context = { output: this.err };
    const theme = this.style.color ? {} : { theme: plainTheme };
    try {
      const answer = await this.prompt(question, theme, context);
      if (working !== undefined) this.startSpinner(working);
      return answer;
    } catch (error) {
      if (error instanceof Error && error.name === 'ExitPromptError') {
        throw new MigrateError('INTERRUPTED', 'stopped at a question', {
          hint: 'Run the same command again to resume where it stopped.',
        });
      }
      throw error;
    }
  }

  close(): void {
    this.stopSpinner();
  }

  private async prompt(
    question: Question,
    theme: { theme?: typeof plainTheme },
    context: { output: NodeJS.WriteStream },
  ): Promise<string | boolean> {
    switch (question.kind) {
      case 'confirm':
        return confirm({ message: question.message, default: question.default, ...theme }, context);
      case 'secret':
        return password(
          { message: question.message, mask: '*', validate: (v) => (v === '' ? 'required' : true), ...theme },
          context,
        );
      case 'select':
        return select(
          { message: question.message, choices: question.choices.map((c) => ({ ...c })), ...theme },
          context,
        );
      case 'text':
        return input(
          {
            message: question.message,
            ...(question.default === undefined ? {} : { default: question.default }),
            ...(question.validate === undefined ? {} : { validate: question.validate }),
            ...theme,
          },
          context,
        );
    }
  }

  private startSpinner(text: string): void {
    this.spinner = ora({
      text: spinnerText(text, undefined, this.width - 3),
      stream: this.err,
      color: this.style.color ? 'cyan' : false,
      spinner: { interval: 80, frames: spinnerFrames },
      discardStdin: false,
      isEnabled: this.err.isTTY === true,
    }).start();
  }

  private stopSpinner(): void {
    if (this.spinner !== undefined) {
      this.spinner.stop();
      this.spinner = undefined;
    }
  }
}
