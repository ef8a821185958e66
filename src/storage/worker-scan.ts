/**
 * The scan before a copy, run by the tree workers: counts the source, compares each file with the target
 * by size and mtime, and adds up the space the copy still needs (sizes rounded up to whole blocks, one
 * block and inode per new directory). It also finds the temporary files an interrupted run left in the
 * target: removed with `removeStale`, else counted as space the copy will get back.
 *
 * Runs inside a worker, shipped as source text: only parameters and globals may be used.
 */

import type { Stats } from 'node:fs';
import type { DirOps, Kit } from './worker-types.js';

/** Counters: files, bytes, filesToCopy, bytesToCopy, spaceNeeded, inodesNeeded, staleRemoved, staleBytesKept. */
export function createScanOps(kit: Kit): DirOps<{ readonly missing: boolean }> {
  const { fs, path, config, layout } = kit;
  const blocks = (size: number): number => Math.ceil(size / config.blockSize) * config.blockSize;

  /** Sweeps stale temporary files from a target directory; false if the directory does not exist. */
  const sweep = (dir: string): boolean => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      if (kit.isNotFound(error)) return false;
      throw kit.fatal(`Cannot read the target directory ${dir}`, error);
    }
    for (const name of names) {
      if (!layout.isTempName(name)) continue;
      const stale = path.join(dir, name);
      if (config.removeStale) {
        fs.rmSync(stale, { force: true });
        kit.add('staleRemoved', 1);
      } else {
        kit.add('staleBytesKept', fs.lstatSync(stale, { throwIfNoEntry: false })?.size ?? 0);
      }
    }
    return true;
  };

  return {
    root: config.source,
    enter(rel, missing) {
      // Below a directory the target lacks, everything is missing: no need to ask the target.
      const exists = !missing && sweep(path.join(config.target, rel));
      if (!exists) {
        kit.add('spaceNeeded', config.blockSize);
        kit.add('inodesNeeded', 1);
      }
      return { missing: !exists };
    },
    child: (state) => ({ missing: state.missing }),
    file(state, rel) {
      // Vanished or unreadable files are for the copy to report; the scan only counts.
      let stats: Stats | undefined;
      try {
        stats = kit.lstatIfExists(path.join(config.source, rel));
      } catch {
        return;
      }
      if (!stats || !(stats.isFile() || stats.isSymbolicLink())) return;
      kit.add('files', 1);
      kit.add('bytes', stats.size);
      kit.progress(1, stats.size);
      if (!state.missing) {
        const existing = kit.lstatIfExists(path.join(config.target, rel));
        if (existing && existing.size === stats.size && Math.abs(existing.mtimeMs - stats.mtimeMs) < 1) return;
      }
      kit.add('filesToCopy', 1);
      kit.add('bytesToCopy', stats.size);
      kit.add('spaceNeeded', blocks(stats.size));
      kit.add('inodesNeeded', 1);
    },
    leave() {},
    listError(rel, error) {
      if (rel === '') throw kit.fatal(`Cannot list the source ${config.source}`, error);
    },
  };
}
