/**
 * Storage progress as the runner's events carry it, the same for the migrate-storage step and the
 * `storage` command: a sentence, and the figures beside it (so --json progress has one shape everywhere).
 */
import type { ProgressCounts } from '../runner/io.js';
import { formatBytes, formatCount } from '../util/format.js';
import type { StorageProgress } from './types.js';

export function storageProgressOf(p: StorageProgress): { text: string; counts: ProgressCounts } {
  const total = p.totalBytes === undefined ? '' : ` of ${formatBytes(p.totalBytes)}`;
  const text = `${p.phase}: ${formatCount(p.files)} files, ${formatBytes(p.bytes)}${total}`;
  const counts: ProgressCounts = {
    phase: p.phase,
    files: p.files,
    bytes: p.bytes,
    ...(p.totalFiles === undefined ? {} : { totalFiles: p.totalFiles }),
    ...(p.totalBytes === undefined ? {} : { totalBytes: p.totalBytes }),
    ...(p.totalBytes !== undefined && p.totalBytes > 0 ? { fraction: Math.min(1, p.bytes / p.totalBytes) } : {}),
  };
  return { text, counts };
}
