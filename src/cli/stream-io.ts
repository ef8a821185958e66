/**
 * Output for scripts: plain lines on stderr, or with --json newline-delimited JSON events on stdout.
 * Never interactive: a question is an error naming the flag that answers it.
 */
import { MigrateError } from '../errors.js';
import type { Io, Question, RunEvent } from '../runner/io.js';
import { eventLines } from './event-text.js';
import type { JsonEvents } from './json-events.js';
import type { Style } from './style.js';

const progressEveryMs = 2_000;

export class StreamIo implements Io {
  readonly interactive = false;
  private readonly titles = new Map<string, string>();
  /** When each step last showed progress: throttled per step, so a step's first progress always shows. */
  private readonly lastProgress = new Map<string, number>();

  /** With `events`, every event is a --json line on stdout; without, plain lines on `err`. */
  constructor(
    private readonly style: Style,
    private readonly events: JsonEvents | undefined,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  emit(event: RunEvent): void {
    if (event.event === 'run-start') for (const s of event.steps) this.titles.set(s.id, s.title);
    if (event.event === 'progress') {
      const now = Date.now();
      if (now - (this.lastProgress.get(event.id) ?? 0) < (this.events === undefined ? progressEveryMs : 500)) return;
      this.lastProgress.set(event.id, now);
    }
    if (this.events !== undefined) {
      this.events.write(event);
      return;
    }
    const lines = event.event === 'progress' ? [`  ${event.text}`] : eventLines(event, this.style, this.titles);
    if (lines !== undefined) this.err.write(`${lines.join('\n')}\n`);
  }

  ask(_question: Question): Promise<string | boolean> {
    return Promise.reject(
      new MigrateError('NOT_INTERACTIVE', 'an answer is needed, but this run is not interactive', {
        hint: 'Give the value with its flag (see --help), or run in a terminal.',
      }),
    );
  }

  close(): void {}
}
