/**
 * An Io for in-process tests: it records every event, answers questions by their key from a table,
 * and fails on a question the test did not expect (so a new prompt cannot slip in unnoticed).
 */
import type { Io, Question, RunEvent } from '../../src/runner/io.js';

export type Answers = Readonly<Record<string, string | boolean | ReadonlyArray<string | boolean>>>;

export class RecordingIo implements Io {
  readonly events: RunEvent[] = [];
  readonly asked: Question[] = [];
  private readonly given = new Map<string, number>();

  constructor(
    private readonly answers: Answers = {},
    readonly interactive = Object.keys(answers).length > 0,
  ) {}

  emit(event: RunEvent): void {
    this.events.push(event);
  }

  /** A list of answers is used in turn, for a question asked again (a mistyped id, a second run). */
  async ask(question: Question): Promise<string | boolean> {
    this.asked.push(question);
    const answer = this.answers[question.key];
    if (answer === undefined) throw new Error(`unexpected question "${question.key}": ${question.message}`);
    if (!Array.isArray(answer)) return answer as string | boolean;
    const turn = this.given.get(question.key) ?? 0;
    this.given.set(question.key, turn + 1);
    const value = (answer as ReadonlyArray<string | boolean>)[turn];
    if (value === undefined) throw new Error(`question "${question.key}" asked more than ${answer.length} time(s)`);
    return value;
  }

  /** The events of one kind, typed. */
  of<K extends RunEvent['event']>(kind: K): Extract<RunEvent, { event: K }>[] {
    return this.events.filter((e): e is Extract<RunEvent, { event: K }> => e.event === kind);
  }

  /** Ids of the steps that started, in order. */
  started(): string[] {
    return this.of('step-start').map((e) => e.id);
  }
}
