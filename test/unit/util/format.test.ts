/** Durations as the CLI, the log and the report print them: whole units, never `73.18058264497314 ms`. */
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/util/format.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [73.18058264497314, '73 ms'],
    [0.4, '0 ms'],
    [999.4, '999 ms'],
    // Rounds up into the next unit rather than print "1000 ms".
    [999.6, '1s'],
    [1_499, '1s'],
    [59_499, '59s'],
    [59_500, '1m 0s'],
    [125_000, '2m 5s'],
    [7_620_000, '2h 7m'],
  ])('%s ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('says nothing false for an estimate that cannot be made', () => {
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('…');
    expect(formatDuration(Number.NaN)).toBe('…');
    expect(formatDuration(-5)).toBe('0 ms');
  });
});
