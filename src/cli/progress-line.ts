/**
 * A one-line progress display for long storage work: files, bytes, rate and ETA (each phase timed from
 * its own start: storage/progress-text.ts). On a terminal it redraws itself in place; elsewhere it
 * prints a line every few seconds. With --json the command emits progress events instead.
 */
import type { Pace } from '../storage/progress-text.js';
import type { StorageProgress } from '../storage/types.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

export function progressText(p: StorageProgress, pace: Pace, width = 80): string {
  const total = p.totalBytes;
  const fraction = total !== undefined && total > 0 ? Math.min(1, p.bytes / total) : undefined;
  const rate = pace.bytesPerSecond === undefined ? '…' : `${formatBytes(pace.bytesPerSecond)}/s`;
  const eta = pace.etaMs === undefined ? '…' : formatDuration(pace.etaMs);
  const files =
    p.totalFiles === undefined ? formatCount(p.files) : `${formatCount(p.files)}/${formatCount(p.totalFiles)}`;
  const bytes = total === undefined ? formatBytes(p.bytes) : `${formatBytes(p.bytes)}/${formatBytes(total)}`;
  const text = `${p.phase} ${files} files ${bytes} ${rate} ETA ${eta}`;
  if (fraction === undefined) return text.slice(0, width);
  const barWidth = Math.max(10, width - text.length - 3);
  const filled = Math.round(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${text}`.slice(0, width);
}

export class ProgressLine {
  private last = Date.now();
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly everyMs = stream.isTTY === true ? 100 : 5_000,
  ) {}

  /** `pace` from the command's RateMeter, which sees every report (the line shows only some). */
  update(p: StorageProgress, pace: Pace): void {
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    const text = progressText(p, pace, Math.min(this.stream.columns ?? 80, 120) - 1);
    if (this.stream.isTTY === true) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.drawn = true;
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
