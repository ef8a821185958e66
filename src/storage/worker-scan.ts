/**
 * The scan before a copy, run by the tree workers: counts the source, compares each file with the target
 * by size and mtime, and adds up the space the copy still needs (sizes rounded up to whole blocks, one
 * block and inode per new directory). It also counts metadata that differs (modes, owners, directory
 * times), so that when nothing at all differs the copy pass can be skipped, and deals with the temporary
 * files of an interrupted run: removed, or counted as space the copy will get back.
 *
 * Runs inside a worker, shipped as source text: only parameters and globals may be used.
 */

import type { Stats } from 'node:fs';
import type { DirOps, Kit } from './worker-types.js';

/**
 * Counters: files, bytes, filesToCopy, bytesToCopy, spaceNeeded, inodesNeeded, metadataChanges,
 * sourceTrouble (unreadable or vanished; the copy pass reports them), staleRemoved, staleBytesKept.
 */
interface ScanDir {
  /** The target directory does not exist (so nothing below it does). */
  readonly missing: boolean;
}

export function createScanOps(kit: Kit): DirOps<ScanDir> {
  const { fs, path, config, layout } = kit;
  const { source, target, owner } = config;
  const blocks = (size: number): number => Math.ceil(size / config.blockSize) * config.blockSize;
  const sameMtime = (a: number, b: number): boolean => Math.abs(a - b) < 1;
  const metadataDiffers = (stats: Stats, existing: Stats): boolean =>
    (stats.mode & 0o7777) !== (existing.mode & 0o7777) ||
    (owner !== null && (stats.uid !== existing.uid || stats.gid !== existing.gid));

  const sweep = (rel: string): void => {
    const dir = kit.under(target, rel);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (error) {
      throw kit.fatal(`Cannot read the target directory ${dir}`, error);
    }
    for (const name of names) {
      // Another shard's copy may be writing its own temporary files here right now.
      if (
        !layout.isTempName(name) ||
        !kit.inShard(`${rel === '' ? '' : `${rel}/`}${layout.tempFileTarget(name)}`, true)
      )
        continue;
      const stale = path.join(dir, name);
      if (config.staleTemps === 'remove') {
        fs.rmSync(stale, { force: true });
        kit.add('staleRemoved', 1);
      } else {
        kit.add('staleBytesKept', kit.lstatIfExists(stale)?.size ?? 0);
      }
    }
  };

  const newDirectory = (): ScanDir => {
    kit.add('spaceNeeded', config.blockSize);
    kit.add('inodesNeeded', 1);
    return { missing: true };
  };

  return {
    root: source,
    enter(rel, missing) {
      // Below a directory the target lacks, everything is missing: no need to ask the target. Otherwise
      // one lookup per directory: a directory that holds only directories (docker/, blobs/sha256/ab/)
      // needs an inode and a block as much as any other.
      if (missing) return newDirectory();
      let existing: Stats | undefined;
      try {
        existing = kit.lstatIfExists(kit.under(target, rel));
      } catch (error) {
        throw kit.fatal(`Cannot read the target directory ${kit.under(target, rel)}`, error);
      }
      if (!existing?.isDirectory()) return newDirectory();
      if (!config.checkDirs) return { missing: false };
      if (config.staleTemps !== 'ignore') sweep(rel);
      const stats = kit.lstatIfExists(kit.under(source, rel));
      if (stats && (metadataDiffers(stats, existing) || !sameMtime(stats.mtimeMs, existing.mtimeMs))) {
        kit.add('metadataChanges', 1);
      }
      return { missing: false };
    },
    child: (state) => ({ missing: state.missing }),
    file(state, rel) {
      // Vanished or unreadable files are for the copy to report; the scan only counts.
      let stats: Stats | undefined;
      try {
        stats = kit.lstatIfExists(kit.under(source, rel));
      } catch {
        // The copy pass must run, to report it.
        kit.add('sourceTrouble', 1);
        return;
      }
      if (!stats) kit.add('sourceTrouble', 1);
      if (!stats || !(stats.isFile() || stats.isSymbolicLink())) return;
      kit.add('files', 1);
      kit.add('bytes', stats.size);
      kit.progress(1, stats.size);
      if (!state.missing) {
        const existing = kit.lstatIfExists(kit.under(target, rel));
        if (existing && existing.size === stats.size && sameMtime(existing.mtimeMs, stats.mtimeMs)) {
          if (metadataDiffers(stats, existing)) kit.add('metadataChanges', 1);
          return;
        }
      }
      kit.add('filesToCopy', 1);
      kit.add('bytesToCopy', stats.size);
      kit.add('spaceNeeded', blocks(stats.size));
      kit.add('inodesNeeded', 1);
    },
    leave() {},
    listError(rel, error) {
      if (rel === '') throw kit.fatal(`Cannot list the source ${source}`, error);
      kit.add('sourceTrouble', 1);
    },
  };
}
