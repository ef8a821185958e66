/**
 * Storage progress as the runner's events carry it, the same for the migrate-storage step and the
 * `storage` command: a sentence, and the figures beside it (so --json progress has one shape everywhere),
 * with the rate and the time left once they can be told.
 */
import type { ProgressCounts } from '../runner/io.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';
import type { StorageProgress } from './types.js';

/** How fast a phase goes, and how long it has left. */
export interface Pace {
  readonly bytesPerSecond?: number;
  readonly etaMs?: number;
}

/**
 * Measures each phase (scan, copy, verify) from its own start: a verify that follows a copy is not
 * credited with the copy's time. The clock is given, so the arithmetic is tested without waiting.
 */
export class RateMeter {
  private phase: StorageProgress['phase'] | undefined;
  private startedAt = 0;
  private startBytes = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  pace(p: StorageProgress): Pace {
    const now = this.now();
    if (p.phase !== this.phase) {
      this.phase = p.phase;
      this.startedAt = now;
      this.startBytes = p.bytes;
      return {};
    }
    const elapsed = now - this.startedAt;
    const moved = p.bytes - this.startBytes;
    // Nothing measured yet (the first report of a phase, or a counter that went back).
    if (elapsed <= 0 || moved <= 0) return {};
    const bytesPerSecond = (moved * 1000) / elapsed;
    const left = p.totalBytes === undefined ? undefined : Math.max(0, p.totalBytes - p.bytes);
    return {
      bytesPerSecond: Math.round(bytesPerSecond),
      ...(left === undefined ? {} : { etaMs: Math.round((left / bytesPerSecond) * 1000) }),
    };
  }
}

export function storageProgressOf(p: StorageProgress, pace: Pace = {}): { text: string; counts: ProgressCounts } {
  const files =
    p.totalFiles === undefined ? formatCount(p.files) : `${formatCount(p.files)}/${formatCount(p.totalFiles)}`;
  const total = p.totalBytes === undefined ? '' : ` of ${formatBytes(p.totalBytes)}`;
  const rate = pace.bytesPerSecond === undefined ? '' : `, ${formatBytes(pace.bytesPerSecond)}/s`;
  const eta = pace.etaMs === undefined ? '' : `, ETA ${formatDuration(pace.etaMs)}`;
  const text = `${p.phase}: ${files} files, ${formatBytes(p.bytes)}${total}${rate}${eta}`;
  const counts: ProgressCounts = {
    phase: p.phase,
    files: p.files,
    bytes: p.bytes,
    ...(p.totalFiles === undefined ? {} : { totalFiles: p.totalFiles }),
    ...(p.totalBytes === undefined ? {} : { totalBytes: p.totalBytes }),
    ...(p.totalBytes !== undefined && p.totalBytes > 0 ? { fraction: Math.min(1, p.bytes / p.totalBytes) } : {}),
    ...pace,
  };
  return { text, counts };
}

/** An onProgress that measures its own pace: one per copy or verify. */
export function pacedProgress(
  report: (text: string, counts: ProgressCounts) => void,
  meter = new RateMeter(),
): (p: StorageProgress) => void {
  return (p) => {
    const { text, counts } = storageProgressOf(p, meter.pace(p));
    report(text, counts);
  };
}
