/**
 * Keeps `<state-dir>/report.html` current while a migration runs: written when the run starts and after
 * each step ends (one write at a time; the journal is already saved when those events come), and once
 * more at the end. A report that cannot be written is said once, as a warning: it never stops a migration.
 */
import type { Io, RunEvent } from '../runner/io.js';
import { writeReport } from '../report/write.js';
import { toolVersion } from './version.js';

const rewriteAfter: ReadonlySet<RunEvent['event']> = new Set(['run-start', 'step-done', 'step-failed']);

export class LiveReport {
  private writing: Promise<unknown> = Promise.resolve();
  private queued = false;
  private warned = false;

  constructor(
    private readonly stateDir: string,
    private readonly io: Io,
  ) {}

  /** The Io to run with: the same events and questions, and the report rewritten after the events that change it. */
  watch(io: Io & { close(): void }): Io & { close(): void } {
    return {
      interactive: io.interactive,
      ask: (question) => io.ask(question),
      close: () => io.close(),
      emit: (event) => {
        io.emit(event);
        if (rewriteAfter.has(event.event)) this.queue();
      },
    };
  }

  /** Waits for the writes under way, writes the report once more, and says where it is (undefined: none). */
  async finish(): Promise<string | undefined> {
    await this.writing;
    return this.write();
  }

  private queue(): void {
    // A write already waiting will read the newest journal: one more would only repeat it.
    if (this.queued) return;
    this.queued = true;
    this.writing = this.writing.then(() => {
      this.queued = false;
      return this.write();
    });
  }

  private async write(): Promise<string | undefined> {
    try {
      return await writeReport(this.stateDir, toolVersion);
    } catch (error) {
      if (!this.warned)
        this.io.emit({
          event: 'notice',
          level: 'warn',
          text: `the report could not be written to ${this.stateDir} (${error instanceof Error ? error.message : String(error)}); \`dtr-migrate report\` writes it again`,
        });
      this.warned = true;
      return undefined;
    }
  }
}
