/**
 * Rate and ETA of storage work, as the migration's copy and verify and the storage command show them:
 * each phase is timed from its own start, on a clock the test moves (nothing here waits).
 */
import { describe, expect, it } from 'vitest';
import { RateMeter, pacedProgress, storageProgressOf } from '../../../src/storage/progress-text.js';
import type { ProgressCounts } from '../../../src/runner/io.js';

const MiB = 1024 * 1024;

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('RateMeter', () => {
  it('measures bytes per second and the time left against the total', () => {
    const c = clock();
    const meter = new RateMeter(c.now);
    expect(meter.pace({ phase: 'copy', files: 0, bytes: 0, totalFiles: 10, totalBytes: 100 * MiB })).toEqual({});
    c.advance(2_000);
    // 20 MiB in 2 s: 10 MiB/s, 80 MiB left: 8 s.
    expect(meter.pace({ phase: 'copy', files: 2, bytes: 20 * MiB, totalFiles: 10, totalBytes: 100 * MiB })).toEqual({
      bytesPerSecond: 10 * MiB,
      etaMs: 8_000,
    });
  });

  it('starts again with each phase, so a verify is not credited with the copy before it', () => {
    const c = clock();
    const meter = new RateMeter(c.now);
    meter.pace({ phase: 'copy', files: 0, bytes: 0 });
    c.advance(10_000);
    meter.pace({ phase: 'copy', files: 5, bytes: 50 * MiB });
    c.advance(1);
    expect(meter.pace({ phase: 'verify', files: 0, bytes: 0, totalBytes: 50 * MiB })).toEqual({});
    c.advance(500);
    expect(meter.pace({ phase: 'verify', files: 1, bytes: 25 * MiB, totalBytes: 50 * MiB })).toEqual({
      bytesPerSecond: 50 * MiB,
      etaMs: 500,
    });
  });

  it('gives a rate without an ETA while the total is unknown, and nothing while nothing moved', () => {
    const c = clock();
    const meter = new RateMeter(c.now);
    meter.pace({ phase: 'verify', files: 0, bytes: 0 });
    c.advance(1_000);
    expect(meter.pace({ phase: 'verify', files: 0, bytes: 0 })).toEqual({});
    c.advance(1_000);
    expect(meter.pace({ phase: 'verify', files: 3, bytes: 4 * MiB })).toEqual({ bytesPerSecond: 2 * MiB });
  });
});

describe('storage progress text', () => {
  it('says files, bytes, rate and a rounded ETA, and carries them as fields', () => {
    const { text, counts } = storageProgressOf(
      { phase: 'copy', files: 3, bytes: 30 * MiB, totalFiles: 12, totalBytes: 120 * MiB },
      { bytesPerSecond: 15 * MiB, etaMs: 6_000 },
    );
    expect(text).toBe('copy: 3/12 files, 30.0 MiB of 120 MiB, 15.0 MiB/s, ETA 6s');
    expect(counts).toEqual({
      phase: 'copy',
      files: 3,
      bytes: 30 * MiB,
      totalFiles: 12,
      totalBytes: 120 * MiB,
      fraction: 0.25,
      bytesPerSecond: 15 * MiB,
      etaMs: 6_000,
    });
  });

  it('an onProgress of its own measures the pace of what it is given', () => {
    const c = clock();
    const seen: Array<{ text: string; counts: ProgressCounts }> = [];
    const onProgress = pacedProgress((text, counts) => seen.push({ text, counts }), new RateMeter(c.now));
    onProgress({ phase: 'verify', files: 0, bytes: 0, totalBytes: 8 * MiB });
    c.advance(250);
    onProgress({ phase: 'verify', files: 1, bytes: 2 * MiB, totalBytes: 8 * MiB });
    expect(seen.map((s) => s.text)).toEqual([
      'verify: 0 files, 0 B of 8.0 MiB',
      'verify: 1 files, 2.0 MiB of 8.0 MiB, 8.0 MiB/s, ETA 750 ms',
    ]);
    expect(seen[1]?.counts.etaMs).toBe(750);
  });
});
