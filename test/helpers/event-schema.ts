/**
 * The shipped event schema (schema/events.schema.json), compiled once with ajv, and the check every
 * `--json` stream must pass: each line a valid event, the first `start` with schemaVersion 1, the last
 * `result`, times in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { repoRoot } from './cli.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'events.schema.json'), 'utf8')) as object;
// strict: a keyword the schema misspells is an error, not silently ignored.
const validator = new Ajv({ strict: true, allErrors: true }).compile(schema);
// Ajv's validator is a type guard, which would narrow a refused event to `never`.
const validate = (data: unknown): boolean => validator(data);

export type StreamEvent = Record<string, unknown> & { event: string; time: string };

/** Every line of `stdout` checked against the schema; returns the events. */
export function expectValidStream(stdout: string): StreamEvent[] {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const events = lines.map((line) => JSON.parse(line) as StreamEvent);
  const invalid = events.flatMap((event, i) =>
    validate(event)
      ? []
      : [
          `line ${i + 1} (${event.event}): ${(validator.errors ?? [])
            .filter((e) => e.keyword !== 'if')
            .map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
            .join('; ')}`,
        ],
  );
  expect(invalid).toEqual([]);
  expect(events[0]).toMatchObject({ event: 'start', schemaVersion: 1, tool: 'dtr-migrate' });
  expect(events.at(-1)?.event).toBe('result');
  const times = events.map((e) => Date.parse(e.time));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  return events;
}

/** Does the schema accept this one event? (For tests that show what it refuses.) */
export function isValidEvent(event: unknown): boolean {
  return validate(event);
}
