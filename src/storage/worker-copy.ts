/**
 * The copy, run by the tree workers. Per file: decide whether the target is current (size and mtime, or
 * content with `checksum`), write the content under a temporary name beside the real one, give it the
 * source's owner, mode and times, rename it into place. A blob is copied in one read of the source that
 * also hashes it, and placed only if it matches the digest in its path; a file that changed while read
 * is not placed. Both become problems in the summary; trouble with the target is fatal.
 *
 * Directories: a subdirectory is created by the worker listing its parent, before the subdirectory is
 * visited (here or by another worker). So when a directory's own entries are done, nothing will change
 * its mtime again, and `leave` can give it the source's owner, mode and times right away.
 *
 * Runs inside a worker, shipped as source text: only parameters and globals may be used.
 */

import type { Stats } from 'node:fs';
import type { DirOps, Kit } from './worker-types.js';

interface DirState {
  /** The target directory is new in this run: nothing below it exists yet. */
  readonly missing: boolean;
  /** Something was created or renamed inside, so its mtime must be set again. */
  touched: boolean;
  readonly source: Stats;
  /** The target directory's stats before this run touched it (undefined if this run created it). */
  readonly existing: Stats | undefined;
}

/** Counters: files, bytes, filesCopied, bytesCopied, filesSkipped. */
export function createCopyOps(kit: Kit): DirOps<DirState> {
  const { fs, path, config, layout } = kit;
  const { source, target, dryRun } = config;
  const sameMtime = (a: number, b: number): boolean => Math.abs(a - b) < 1;
  const smallFile = 1 << 20;

  /** Owner, mode and times onto `dst`; with `existing`, only what differs. A fresh file is ours, with its mode. */
  const applyMetadata = (dst: string, stats: Stats, existing: Stats | undefined, fresh: boolean): void => {
    const link = stats.isSymbolicLink();
    const owner = existing ?? config.owner;
    const chown = config.owner !== null && owner !== null && (owner.uid !== stats.uid || owner.gid !== stats.gid);
    if (chown) fs.lchownSync(dst, stats.uid, stats.gid);
    // chown(2) clears set-id bits, so the mode goes on after the owner.
    const mode = stats.mode & 0o7777;
    const modeDiffers = existing ? (existing.mode & 0o7777) !== mode : !fresh || (chown && (mode & 0o6000) !== 0);
    if (!link && modeDiffers) fs.chmodSync(dst, mode);
    if (existing && sameMtime(existing.mtimeMs, stats.mtimeMs)) return;
    // Seconds as a double keep microseconds; a Date would round to milliseconds.
    (link ? fs.lutimesSync : fs.utimesSync)(dst, stats.atimeMs / 1000, stats.mtimeMs / 1000);
  };

  const isCurrent = (rel: string, src: string, dst: string, stats: Stats, existing: Stats): boolean => {
    if (existing.size !== stats.size || existing.isSymbolicLink() !== stats.isSymbolicLink()) return false;
    if (stats.isSymbolicLink()) return fs.readlinkSync(src) === fs.readlinkSync(dst);
    if (!config.checksum) return sameMtime(existing.mtimeMs, stats.mtimeMs);
    const digest = layout.blobDigestOf(rel);
    if (digest !== undefined) return kit.pump(dst, undefined, 0, false).digest === digest;
    if (stats.size <= smallFile) return fs.readFileSync(src).equals(fs.readFileSync(dst));
    return kit.pump(src, undefined, 0, false).digest === kit.pump(dst, undefined, 0, false).digest;
  };

  /** Writes the content to `tmp`; returns a problem instead when it must not be placed. */
  const write = (rel: string, src: string, tmp: string, stats: Stats) => {
    if (stats.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(src), tmp);
      kit.progress(0, stats.size);
      return undefined;
    }
    const digest = layout.blobDigestOf(rel);
    let after: { size: number; mtimeMs: number; bytes: number; digest?: string };
    if (digest === undefined) {
      // copy_file_range(2): the kernel copies, no buffer in user space.
      fs.copyFileSync(src, tmp, fs.constants.COPYFILE_EXCL);
      const { size, mtimeMs } = fs.lstatSync(src);
      after = { size, mtimeMs, bytes: size };
      kit.progress(0, stats.size);
    } else {
      after = kit.pump(src, tmp, stats.mode & 0o7777, true);
    }
    if (after.size !== stats.size || after.mtimeMs !== stats.mtimeMs || after.bytes !== stats.size) {
      const detail = `size ${stats.size} -> ${after.size}, mtime ${stats.mtimeMs} -> ${after.mtimeMs}; not placed, copy again`;
      return { kind: 'changed-during-copy' as const, path: rel, detail };
    }
    if (digest !== undefined && after.digest !== digest) {
      return { kind: 'digest-mismatch' as const, path: rel, detail: `content hashes to sha256:${after.digest}; not placed` };
    }
    return undefined;
  };

  const copyFile = (dir: DirState, rel: string, name: string): void => {
    const src = path.join(source, rel);
    const dst = path.join(target, rel);
    let stats: Stats;
    try {
      stats = fs.lstatSync(src);
    } catch (error) {
      kit.problem(kit.sourceProblem(rel, src, error));
      return;
    }
    if (!stats.isFile() && !stats.isSymbolicLink()) return; // sockets, fifos, devices: never registry data
    kit.add('files', 1);
    kit.add('bytes', stats.size);
    let existing: Stats | undefined;
    try {
      existing = dir.missing ? undefined : kit.lstatIfExists(dst);
    } catch (error) {
      throw kit.fatal(`Cannot read ${dst}`, error);
    }
    if (existing?.isDirectory()) throw kit.fatal(`The target has a directory where the source has the file ${rel}`);
    if (existing && isCurrent(rel, src, dst, stats, existing)) {
      if (!dryRun) applyMetadata(dst, stats, existing, false);
      kit.add('filesSkipped', 1);
      kit.progress(1, stats.size);
      return;
    }
    if (dryRun) {
      kit.add('filesCopied', 1);
      kit.add('bytesCopied', stats.size);
      kit.progress(1, stats.size);
      return;
    }
    const tmp = path.join(path.dirname(dst), kit.nextTempName(name));
    try {
      const problem = write(rel, src, tmp, stats);
      if (problem) {
        fs.rmSync(tmp, { force: true });
        kit.problem(problem);
      } else {
        kit.throwIfAborted();
        applyMetadata(tmp, stats, undefined, true);
        fs.renameSync(tmp, dst);
        dir.touched = true;
        kit.add('filesCopied', 1);
        kit.add('bytesCopied', stats.size);
      }
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      kit.problem(kit.sourceProblem(rel, src, error));
    }
    kit.progress(1, 0);
  };

  return {
    root: source,
    enter(rel, missing) {
      let stats: Stats;
      try {
        stats = fs.lstatSync(path.join(source, rel));
      } catch (error) {
        kit.problem(kit.sourceProblem(rel, path.join(source, rel), error));
        return undefined;
      }
      let existing: Stats | undefined;
      if (!missing) {
        try {
          existing = kit.lstatIfExists(path.join(target, rel));
        } catch (error) {
          throw kit.fatal(`Cannot read the target directory ${path.join(target, rel)}`, error);
        }
      }
      return { missing: existing === undefined, touched: false, source: stats, existing };
    },
    child(dir, rel) {
      const dst = path.join(target, rel);
      try {
        const existing = dir.missing ? undefined : kit.lstatIfExists(dst);
        if (existing && !existing.isDirectory()) {
          throw kit.fatal(`The target has a file where the source has the directory ${rel}`);
        }
        if (existing || dryRun) return existing === undefined;
        // Writable by us whatever the source's mode; `leave` sets the real mode when done.
        fs.mkdirSync(dst, { mode: 0o700 });
        dir.touched = true;
        return true;
      } catch (error) {
        if ((error as { fatal?: boolean }).fatal) throw error;
        throw kit.fatal(`Cannot create the target directory ${dst}`, error);
      }
    },
    file: copyFile,
    leave(dir, rel) {
      if (dryRun) return;
      const dst = path.join(target, rel);
      try {
        applyMetadata(dst, dir.source, dir.touched ? undefined : dir.existing, false);
      } catch (error) {
        throw kit.fatal(`Cannot set the owner, mode or times of ${dst}`, error);
      }
    },
    listError(rel, error) {
      if (rel === '') throw kit.fatal(`Cannot list the source ${source}`, error);
      kit.problem(kit.sourceProblem(rel, path.join(source, rel), error));
    },
  };
}
