/**
 * The scan before a copy: one streaming pass over the source that counts what is there, compares each
 * file with the target by size and mtime, and adds up the space the copy still needs (file sizes rounded
 * up to whole blocks, one block and inode per new directory). It also finds the temporary files an
 * interrupted run left in the target: removed when `removeStale` is set, else counted as reclaimable.
 */

import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from './fs-errors.js';
import { isTempName } from './layout.js';
import type { ResolvedLocations } from './locations.js';
import type { ProgressReporter } from './progress.js';
import { walkTree } from './tree-walk.js';

export interface ScanResult {
  readonly files: number;
  readonly bytes: number;
  readonly filesToCopy: number;
  readonly bytesToCopy: number;
  /** Bytes of target space the copy needs, in whole blocks. */
  readonly spaceNeeded: number;
  /** Inodes the copy creates (new files and directories). */
  readonly inodesNeeded: number;
  readonly staleTempFilesRemoved: number;
  /** Bytes held by stale temporary files that were not removed (the copy will remove them). */
  readonly staleTempBytesKept: number;
}

export interface ScanOptions {
  readonly includeUploads: boolean;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly removeStale: boolean;
  readonly blockSize: number;
  readonly progress: ProgressReporter;
}

/** Same mtime, to the millisecond: sub-millisecond digits do not survive every filesystem and utimes(2). */
export function sameMtime(a: number, b: number): boolean {
  return Math.abs(a - b) < 1;
}

export async function scanForCopy(locations: ResolvedLocations, options: ScanOptions): Promise<ScanResult> {
  const { source, target } = locations;
  const { blockSize, progress } = options;
  const blocks = (size: number): number => Math.ceil(size / blockSize) * blockSize;
  const result = {
    files: 0,
    bytes: 0,
    filesToCopy: 0,
    bytesToCopy: 0,
    spaceNeeded: 0,
    inodesNeeded: 0,
    staleTempFilesRemoved: 0,
    staleTempBytesKept: 0,
  };

  const sweep = async (dir: string): Promise<boolean> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    for (const name of names.filter(isTempName)) {
      const path = join(dir, name);
      if (options.removeStale) {
        await unlink(path).catch(() => undefined);
        result.staleTempFilesRemoved += 1;
      } else {
        result.staleTempBytesKept += await lstat(path).then((stats) => stats.size, () => 0);
      }
    }
    return true;
  };

  await walkTree<{ readonly targetMissing: boolean }>(
    { root: source, includeUploads: options.includeUploads, concurrency: options.concurrency, signal: options.signal },
    {
      async enterDir(rel, parent) {
        // Below a directory the target lacks, everything is missing: no need to ask the target.
        const exists = parent?.targetMissing ? false : await sweep(join(target, rel));
        if (!exists) {
          result.spaceNeeded += blockSize;
          result.inodesNeeded += 1;
        }
        return { targetMissing: !exists };
      },
      async file(rel, _name, dir) {
        const stats = await lstat(join(source, rel)).catch(() => undefined);
        // Vanished or unreadable files are the copy's to report; the scan only counts.
        if (!stats || !(stats.isFile() || stats.isSymbolicLink())) return;
        result.files += 1;
        result.bytes += stats.size;
        progress.files = result.files;
        progress.bytes = result.bytes;
        if (!dir.targetMissing) {
          const existing = await lstat(join(target, rel)).catch(() => undefined);
          if (existing && existing.size === stats.size && sameMtime(existing.mtimeMs, stats.mtimeMs)) return;
        }
        result.filesToCopy += 1;
        result.bytesToCopy += stats.size;
        result.spaceNeeded += blocks(stats.size);
        result.inodesNeeded += 1;
      },
      async leaveDir() {},
      dirError(rel, error) {
        if (rel === '') throw error;
      },
    },
  );
  return result;
}
