/**
 * The `--json` event stream, made in this one place for every command: each line is one object with
 * `event` (its type) and `time` (ISO 8601) first; the first line is `start` (with `schemaVersion`), the
 * last is `result`. Facts are fields, the sentence a person reads is `text` beside them. The contract is
 * schema/events.schema.json, shipped in the package; README "JSON events" says the rule for changes.
 */
import type { ProgressCounts } from '../runner/io.js';
import { toolVersion } from './version.js';

/** Raised when a field changes meaning or goes away; fields and event types are added within a version. */
export const eventSchemaVersion = 1;

export class JsonEvents {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  write<Event extends { readonly event: string }>(event: Event): void {
    const { event: type, ...fields } = event;
    this.out.write(`${JSON.stringify({ event: type, time: this.clock().toISOString(), ...fields })}\n`);
  }

  /** The first line: which contract the stream follows and which command wrote it (`storage copy`). */
  start(command: string): void {
    this.write({
      event: 'start',
      schemaVersion: eventSchemaVersion,
      tool: 'dtr-migrate',
      version: toolVersion,
      command,
    });
  }

  /** Progress of long work by `id` (a step, or `storage` for the storage command), the same shape everywhere. */
  progress(id: string, text: string, counts: ProgressCounts = {}): void {
    this.write({ event: 'progress', id, text, ...counts });
  }

  /** The last line: the outcome, its exit code and sentence, and the command's own fields. */
  result(ok: boolean, exitCode: number, text: string, fields: Record<string, unknown> = {}): void {
    this.write({ event: 'result', ok, exitCode, text, ...fields });
  }
}
