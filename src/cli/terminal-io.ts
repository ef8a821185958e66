/**
 * The operator's terminal: a spinner while a step works, inquirer prompts for questions, everything
 * on stderr so stdout stays for results. A spinner and a prompt are never on screen together: the
 * spinner stops before any question is asked.
 */
import { confirm, input, password, select } from '@inquirer/prompts';
import ora, { type Ora } from 'ora';
import { MigrateError } from '../errors.js';
import type { Io, Question, RunEvent } from '../engine/events.js';
import { eventLines } from './event-text.js';
import type { Style } from './style.js';

export class TerminalIo implements Io {
  readonly interactive: boolean;
  private spinner: Ora | undefined;
  private readonly titles = new Map<string, string>();

  constructor(
    private readonly style: Style,
    interactive: boolean,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {
    this.interactive = interactive;
  }

  emit(event: RunEvent): void {
    if (event.event === 'run-start') for (const s of event.steps) this.titles.set(s.id, s.title);
    if (event.event === 'step-start') this.titles.set(event.id, event.title);
    if (event.event === 'progress') {
      const percent = event.fraction === undefined ? '' : ` ${Math.floor(event.fraction * 100)}%`;
      if (this.spinner !== undefined) this.spinner.text = `${event.text}${percent}`;
      return;
    }
    this.stopSpinner();
    // The spinner says "checking…" itself; a line for it as well would only add noise.
    const lines = event.event === 'step-verify' ? undefined : eventLines(event, this.style, this.titles);
    if (lines !== undefined) this.err.write(`${lines.join('\n')}\n`);
    if (event.event === 'step-start' || event.event === 'step-verify') {
      this.spinner = ora({
        text: event.event === 'step-start' ? 'working…' : 'checking…',
        stream: this.err,
        color: this.style.color ? 'cyan' : false,
        discardStdin: false,
        isEnabled: this.err.isTTY === true,
      }).start();
    }
  }

  async ask(question: Question): Promise<string | boolean> {
    this.stopSpinner();
    const context = { output: this.err };
    try {
      switch (question.kind) {
        case 'confirm':
          return await confirm({ message: question.message, default: question.default }, context);
        case 'secret':
          return await password({ message: question.message, mask: '*', validate: (v) => (v === '' ? 'required' : true) }, context);
        case 'select':
          return await select({ message: question.message, choices: question.choices.map((c) => ({ ...c })) }, context);
        case 'text':
          return await input(
            { message: question.message, ...(question.default === undefined ? {} : { default: question.default }), ...(question.validate === undefined ? {} : { validate: question.validate }) },
            context,
          );
      }
    } catch (error) {
      if (error instanceof Error && error.name === 'ExitPromptError') {
        throw new MigrateError('INTERRUPTED', 'stopped at a question', { hint: 'Run the same command again to resume where it stopped.' });
      }
      throw error;
    }
  }

  close(): void {
    this.stopSpinner();
  }

  private stopSpinner(): void {
    if (this.spinner !== undefined) {
      this.spinner.stop();
      this.spinner = undefined;
    }
  }
}
