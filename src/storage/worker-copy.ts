/**
 * The copy, run by the tree workers. Per file: decide whether the target is current (size and mtime, or
 * content with `checksum`), write the content to a temporary name beside the real one, give it the
 * source's owner, mode and times, rename it into place. A blob is copied in one read of the source that
 * also hashes it, and placed only if it matches the digest in its path; a file that changed while read is
 * not placed. Both become problems in the summary; trouble with the target is fatal.
 *
 * System calls are the cost on small files (and on NFS each is a round trip), so: under a directory this
 * run created, nothing is looked up in the target; metadata goes on through the open descriptor; chmod
 * only when the umask got in the way; a read stops at the known size instead of reading again for EOF.
 *
 * Directories: a subdirectory is created by the worker listing its parent, before it is visited (here or
 * by another worker), so when a directory's own entries are done nothing changes its mtime again, and
 * `leave` gives it the source's owner, mode and times right away.
 *
 * Runs inside a worker, shipped as source text: only parameters and globals may be used.
 */

import type { Stats } from 'node:fs';
import type { StorageProblem } from './types.js';
import type { DirOps, Kit } from './worker-types.js';

interface DirState {
  /** The target directory is new in this run: nothing below it exists yet. */
  readonly missing: boolean;
  /** Something was created or renamed inside, so its mtime must be set again. */
  touched: boolean;
  readonly source: Stats;
  /** The target directory's stats before this run; undefined if this run created it. */
  readonly existing: Stats | undefined;
}

/** Counters: files, bytes, filesCopied, bytesCopied, filesSkipped. */
export function createCopyOps(kit: Kit): DirOps<DirState> {
  const { fs, path, config, layout } = kit;
  const { source, target, dryRun, owner, umask } = config;
  const sameMtime = (a: number, b: number): boolean => Math.abs(a - b) < 1;
  const compareInMemory = 1 << 20;
  /** Non-blob files this big go through copy_file_range(2): one copy in the kernel instead of two. */
  const kernelCopy = 1 << 20;
  const needsOwner = (stats: Stats, now: { uid: number; gid: number } | null): boolean =>
    owner !== null && now !== null && (now.uid !== stats.uid || now.gid !== stats.gid);
  /** A file created with `mode` did not get it: the umask removed bits, or chown(2) cleared set-id bits. */
  const modeLost = (mode: number, chowned: boolean): boolean =>
    (mode & umask) !== 0 || (mode & 0o7000) !== 0 || (chowned && (mode & 0o6000) !== 0);

  /** Owner, mode, times by path, only what differs from `existing`. */
  const fixMetadata = (dst: string, stats: Stats, existing: Stats): void => {
    const chown = needsOwner(stats, existing);
    if (chown) fs.chownSync(dst, stats.uid, stats.gid);
    const mode = stats.mode & 0o7777;
    if (chown || (existing.mode & 0o7777) !== mode) fs.chmodSync(dst, mode);
    if (sameMtime(existing.mtimeMs, stats.mtimeMs)) return;
    // Seconds as a double keep microseconds; a Date would round to milliseconds.
    fs.utimesSync(dst, stats.atimeMs / 1000, stats.mtimeMs / 1000);
  };

  /** A target file that cannot be read is not current: it is copied again (and a write that fails is fatal). */
  const fromTarget = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (kit.isAbort(error)) throw error;
      return undefined;
    }
  };
  const fromSource = <T>(read: () => T): T => {
    try {
      return read();
    } catch (error) {
      throw kit.failedRead(error);
    }
  };

  const isCurrent = (rel: string, src: string, dst: string, stats: Stats, existing: Stats): boolean => {
    if (existing.size !== stats.size || !existing.isFile()) return false;
    if (!config.checksum) return sameMtime(existing.mtimeMs, stats.mtimeMs);
    const digest = layout.blobDigestOf(rel);
    const copied = fromTarget(() =>
      digest !== undefined || stats.size > compareInMemory ? kit.hashFile(dst, false).digest : fs.readFileSync(dst),
    );
    if (copied === undefined) return false;
    if (digest !== undefined) return copied === digest;
    if (typeof copied !== 'string') return fromSource(() => fs.readFileSync(src)).equals(copied);
    return fromSource(() => kit.hashFile(src, false).digest) === copied;
  };

  const changed = (rel: string, before: Stats, after: Stats, bytes: number): StorageProblem | undefined => {
    if (after.size === before.size && after.mtimeMs === before.mtimeMs && bytes === before.size) return undefined;
    const detail = `size ${before.size} -> ${after.size}, mtime ${before.mtimeMs} -> ${after.mtimeMs}; not placed, copy again`;
    return { kind: 'changed-during-copy', path: rel, detail };
  };

  /**
   * copy_file_range(2) for a large non-blob file. Its error does not say whether reading the source or
   * writing the target failed; on any error the file goes through the read loop instead, which tells
   * (a bad source file is then a problem in the summary, not the end of the copy).
   */
  const copiedInKernel = (src: string, tmp: string): boolean => {
    try {
      fs.copyFileSync(src, tmp, fs.constants.COPYFILE_EXCL);
      return true;
    } catch (error) {
      if (kit.isAbort(error)) throw error;
      fs.rmSync(tmp, { force: true });
      return false;
    }
  };

  /** Copies a regular file to `tmp` and renames it to `dst`; returns the source's stats and any problem. */
  const copyRegular = (rel: string, src: string, dst: string, tmp: string, known: Stats | undefined) => {
    const fd = fs.openSync(src, 'r');
    let out: number | undefined;
    try {
      const stats = known ?? fs.fstatSync(fd);
      const mode = stats.mode & 0o7777;
      const digest = layout.blobDigestOf(rel);
      let problem: StorageProblem | undefined;
      if (digest === undefined && stats.size >= kernelCopy && copiedInKernel(src, tmp)) {
        kit.progress(0, stats.size);
        out = fs.openSync(tmp, 'r+');
        // The kernel copied whatever the file held when it read it: its size says whether that was all.
        problem = changed(rel, stats, fs.fstatSync(fd), fs.fstatSync(out).size);
      } else {
        out = fs.openSync(tmp, 'wx', mode);
        const result = kit.pump(fd, out, digest !== undefined, true, stats.size);
        problem = changed(rel, stats, fs.fstatSync(fd), result.bytes);
        if (!problem && digest !== undefined && result.digest !== digest) {
          problem = {
            kind: 'digest-mismatch',
            path: rel,
            detail: `content hashes to sha256:${result.digest}; not placed`,
          };
        }
      }
      if (!problem) {
        const chown = needsOwner(stats, owner);
        if (chown) fs.fchownSync(out, stats.uid, stats.gid);
        if (modeLost(mode, chown)) fs.fchmodSync(out, mode);
        fs.futimesSync(out, stats.atimeMs / 1000, stats.mtimeMs / 1000);
      }
      fs.closeSync(out);
      out = undefined;
      if (problem) fs.rmSync(tmp, { force: true });
      else {
        kit.throwIfAborted();
        fs.renameSync(tmp, dst);
      }
      return { stats, problem };
    } catch (error) {
      if (out !== undefined) fs.closeSync(out);
      fs.rmSync(tmp, { force: true });
      throw error;
    } finally {
      fs.closeSync(fd);
    }
  };

  /**
   * Registry storage holds no symbolic links. A copied link would still point into the old storage (or
   * anywhere), and what it points to would be neither copied nor checked: it is reported, not copied.
   */
  const symlinkProblem = (rel: string, src: string): StorageProblem => {
    let to = '?';
    try {
      to = fs.readlinkSync(src);
    } catch {
      // Gone since the listing: the problem stands as reported.
    }
    return {
      kind: 'symlink',
      path: rel,
      detail: `points to ${to}; put what it points to in its place (or remove it), then copy again`,
    };
  };

  const copyFile = (dir: DirState, rel: string, name: string, kind: string): void => {
    const src = kit.under(source, rel);
    // Sockets, FIFOs and devices are never registry data, and reading a FIFO would block: reported, as
    // symbolic links are, never opened.
    const special = (stats: Stats | undefined): void =>
      kit.problem({
        kind: 'special-file',
        path: rel,
        detail: `${stats ? kit.specialFile(stats) : 'neither a file nor a directory'}: registry storage holds none; remove it, then copy again`,
      });
    if (kind === 'other') return special(kit.lstatIfExists(src));
    const dst = kit.under(target, rel);
    let stats: Stats | undefined;
    // Under a new directory a regular file is simply copied: its stats come from the open descriptor.
    if (!dir.missing || kind === 'link' || dryRun) {
      try {
        stats = fs.lstatSync(src);
      } catch (error) {
        kit.problem(kit.sourceProblem(rel, src, error));
        return;
      }
      if (stats.isSymbolicLink()) {
        kit.progress(1, 0);
        kit.problem(symlinkProblem(rel, src));
        return;
      }
      if (!stats.isFile()) return special(stats);
      const existing = dir.missing ? undefined : kit.lstatIfExists(dst);
      if (existing?.isDirectory()) throw kit.fatal(`The target has a directory where the source has the file ${rel}`);
      let current: boolean;
      try {
        // With --checksum this reads both files: an unreadable source is a problem, not the end of the copy.
        current = existing !== undefined && isCurrent(rel, src, dst, stats, existing);
      } catch (error) {
        kit.problem(kit.sourceProblem(rel, src, error));
        return;
      }
      if (existing && current) {
        if (!dryRun) fixMetadata(dst, stats, existing);
        kit.add('files', 1);
        kit.add('bytes', stats.size);
        kit.add('filesSkipped', 1);
        kit.progress(1, stats.size);
        return;
      }
    }
    let copied: Stats | undefined = stats;
    let problem: StorageProblem | undefined;
    if (!dryRun) {
      const tmp = path.join(path.dirname(dst), kit.nextTempName(name));
      try {
        ({ stats: copied, problem } = copyRegular(rel, src, dst, tmp, stats));
      } catch (error) {
        problem = kit.sourceProblem(rel, src, error);
      }
    }
    kit.progress(1, dryRun ? (copied?.size ?? 0) : 0);
    if (copied) {
      kit.add('files', 1);
      kit.add('bytes', copied.size);
    }
    if (problem) {
      kit.problem(problem);
      return;
    }
    dir.touched = true;
    kit.add('filesCopied', 1);
    kit.add('bytesCopied', copied?.size ?? 0);
  };

  return {
    root: source,
    enter(rel, missing, hint) {
      let stats = hint as Stats | undefined;
      try {
        stats ??= fs.lstatSync(kit.under(source, rel));
      } catch (error) {
        kit.problem(kit.sourceProblem(rel, kit.under(source, rel), error));
        return undefined;
      }
      let existing: Stats | undefined;
      try {
        existing = missing ? undefined : kit.lstatIfExists(kit.under(target, rel));
      } catch (error) {
        throw kit.fatal(`Cannot read the target directory ${kit.under(target, rel)}`, error);
      }
      return { missing: existing === undefined, touched: false, source: stats, existing };
    },
    child(dir, rel) {
      const dst = kit.under(target, rel);
      // The source's stats go to `enter` as a hint; if they cannot be read, `enter` reports why.
      const hint = kit.lstatIfExists(kit.under(source, rel));
      if (dir.missing && dryRun) return { missing: true, hint };
      try {
        const existing = dir.missing ? undefined : kit.lstatIfExists(dst);
        if (existing && !existing.isDirectory()) {
          throw kit.fatal(`The target has a file where the source has the directory ${rel}`);
        }
        if (existing || dryRun) return { missing: existing === undefined, hint };
        // Writable by us whatever the source's mode; `leave` corrects the mode if it must.
        try {
          fs.mkdirSync(dst, { mode: ((hint?.mode ?? 0o755) & 0o7777) | 0o700 });
        } catch (error) {
          // Another shard's copy made it meanwhile (directories above blobs and repositories are shared).
          if (kit.errno(error) !== 'EEXIST' || !kit.lstatIfExists(dst)?.isDirectory()) throw error;
          return { missing: false, hint };
        }
        dir.touched = true;
        return { missing: true, hint };
      } catch (error) {
        if ((error as { fatal?: boolean }).fatal) throw error;
        throw kit.fatal(`Cannot create the target directory ${dst}`, error);
      }
    },
    file: copyFile,
    leave(dir, rel) {
      if (dryRun) return;
      const dst = kit.under(target, rel);
      const { source: stats, existing } = dir;
      const mode = stats.mode & 0o7777;
      try {
        const chown = needsOwner(stats, existing ?? owner);
        if (chown) fs.lchownSync(dst, stats.uid, stats.gid);
        // A directory this walk created got `mode | 0o700` less the umask; the root was made before the
        // walk (prepareTarget, with the default mode), so its mode is always set.
        const created = rel === '' || ((mode | 0o700) & ~umask & 0o7777) !== mode;
        if (chown || (existing ? (existing.mode & 0o7777) !== mode : created || modeLost(mode, false))) {
          fs.chmodSync(dst, mode);
        }
        if (!existing || dir.touched || !sameMtime(existing.mtimeMs, stats.mtimeMs)) {
          fs.utimesSync(dst, stats.atimeMs / 1000, stats.mtimeMs / 1000);
        }
      } catch (error) {
        throw kit.fatal(`Cannot set the owner, mode or times of ${dst}`, error);
      }
    },
    listError(rel, error) {
      if (rel === '') throw kit.fatal(`Cannot list the source ${source}`, error);
      kit.problem(kit.sourceProblem(rel, kit.under(source, rel), error));
    },
  };
}
