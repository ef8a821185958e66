/**
 * Throttled progress: the workers update shared counters freely, and the callback sees a snapshot at most
 * every ~100 ms (from a timer, so a single multi-gigabyte blob still shows bytes moving) plus one final
 * snapshot per phase. A callback that throws aborts the operation instead of crashing the process.
 */

import type { StorageProgress } from './types.js';

const intervalMs = 100;

export class ProgressReporter {
  totalFiles: number | undefined;
  totalBytes: number | undefined;

  private timer: NodeJS.Timeout | undefined;
  private last = '';

  constructor(
    private readonly phase: StorageProgress['phase'],
    private readonly callback: ((progress: StorageProgress) => void) | undefined,
    private readonly onError: (error: unknown) => void,
    /** The current figures (the workers' shared counters). */
    private readonly read: () => { files: number; bytes: number },
  ) {}

  start(): void {
    if (!this.callback || this.timer) return;
    this.timer = setInterval(() => this.emit(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and reports the final figures once. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.emit();
  }

  private emit(): void {
    if (!this.callback) return;
    const { files, bytes } = this.read();
    const snapshot: StorageProgress = {
      phase: this.phase,
      files,
      bytes,
      ...(this.totalFiles === undefined ? {} : { totalFiles: this.totalFiles }),
      ...(this.totalBytes === undefined ? {} : { totalBytes: this.totalBytes }),
    };
    // Nothing moved since the last report: stay quiet rather than repeat it.
    const key = `${snapshot.files}/${snapshot.bytes}/${snapshot.totalFiles}/${snapshot.totalBytes}`;
    if (key === this.last) return;
    this.last = key;
    try {
      this.callback(snapshot);
    } catch (error) {
      this.onError(error);
    }
  }
}
