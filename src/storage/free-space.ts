/**
 * The free-space check: what the copy still needs against what statfs(2) says is available to an
 * unprivileged writer (`bavail`, not `bfree`: root-reserved blocks are not ours to fill).
 */

import { statfs } from 'node:fs/promises';
import { MigrateError } from '../errors.js';

/** The statfs(2) figures the engine reads; tests inject a fake to simulate a full disk. */
export interface FreeSpace {
  /** Block size the counts below are in. */
  readonly bsize: number;
  readonly bavail: number;
  /** Total and free inodes; 0 total means the filesystem does not count inodes (NFS often). */
  readonly files: number;
  readonly ffree: number;
}

export type StatfsFunction = (path: string) => Promise<FreeSpace>;

/** What the scan found: the source's size, and what the copy still has to write. */
export interface ScanResult {
  readonly files: number;
  readonly bytes: number;
  readonly filesToCopy: number;
  readonly bytesToCopy: number;
  /** Bytes of target space the copy needs, in whole allocation units, new directories included. */
  readonly spaceNeeded: number;
  /** Inodes the copy creates (new files and directories). */
  readonly inodesNeeded: number;
  /** Files and directories whose content matches but whose mode, owner or (directories) mtime differ. */
  readonly metadataChanges: number;
  /** Source files or directories the scan could not read (the copy pass runs, to report them). */
  readonly sourceTrouble: number;
  readonly staleRemoved: number;
  /** Bytes held by an interrupted run's temporary files, not removed yet (the copy will remove them). */
  readonly staleBytesKept: number;
}

export const systemStatfs: StatfsFunction = async (path) => {
  const stats = await statfs(path);
  return { bsize: stats.bsize, bavail: stats.bavail, files: stats.files, ffree: stats.ffree };
};

/**
 * The unit files are rounded up to. statfs reports the transfer size as `bsize`, which on NFS can be a
 * megabyte; allocation on the server is almost always 4 KiB, so the rounding never uses more than that.
 */
export function allocationUnit(space: FreeSpace): number {
  return space.bsize > 0 ? Math.min(space.bsize, 4096) : 4096;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function assertEnoughSpace(target: string, space: FreeSpace, scan: ScanResult): void {
  const available = space.bavail * space.bsize + scan.staleBytesKept;
  const hint = 'Free space on the --to volume or pass a larger one; files already copied are not counted again.';
  if (scan.spaceNeeded > available) {
    throw new MigrateError(
      'STORAGE_INVALID',
      `Not enough free space on ${target}: ${formatBytes(scan.spaceNeeded)} still to copy ` +
        `(${scan.filesToCopy} files), ${formatBytes(available)} available.`,
      { hint },
    );
  }
  if (space.files > 0 && scan.inodesNeeded > space.ffree) {
    throw new MigrateError(
      'STORAGE_INVALID',
      `Not enough free inodes on ${target}: ${scan.inodesNeeded} files and directories still to create, ` +
        `${space.ffree} available.`,
      { hint },
    );
  }
}
