/**
 * A one-line progress display for long storage work: files, bytes, rate and ETA. On a terminal it
 * redraws itself in place; elsewhere it prints a line every few seconds. With --json the command
 * emits progress events instead.
 */
import type { StorageProgress } from '../storage/types.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

export function progressText(p: StorageProgress, elapsedMs: number, width = 80): string {
  const rate = elapsedMs > 0 ? (p.bytes * 1000) / elapsedMs : 0;
  const total = p.totalBytes;
  const fraction = total !== undefined && total > 0 ? Math.min(1, p.bytes / total) : undefined;
  const eta =
    fraction !== undefined && rate > 0 && total !== undefined ? formatDuration(((total - p.bytes) / rate) * 1000) : '…';
  const files =
    p.totalFiles === undefined ? formatCount(p.files) : `${formatCount(p.files)}/${formatCount(p.totalFiles)}`;
  const bytes = total === undefined ? formatBytes(p.bytes) : `${formatBytes(p.bytes)}/${formatBytes(total)}`;
  const text = `${p.phase} ${files} files ${bytes} ${formatBytes(rate)}/s ETA ${eta}`;
  if (fraction === undefined) return text.slice(0, width);
  const barWidth = Math.max(10, width - text.length - 3);
  const filled = Math.round(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${text}`.slice(0, width);
}

export class ProgressLine {
  private readonly started = Date.now();
  private last = this.started;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly everyMs = stream.isTTY === true ? 100 : 5_000,
  ) {}

  update(p: StorageProgress): void {
    const now = Date.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    const text = progressText(p, now - this.started, Math.min(this.stream.columns ?? 80, 120) - 1);
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
