/**
 * Copying one file: decide whether the target is already current, write the new content under a
 * temporary name beside the real one, give it the source's mode, owner and times, and rename it into
 * place. A blob is copied by a hashing worker in one read of the source and placed only if its content
 * matches the digest in its path. Anything that changed while being read is left unplaced and reported.
 *
 * Per-file trouble with the source (vanished, unreadable, corrupt, changing) becomes a problem in the
 * summary, so one bad file does not hide the others; trouble writing the target throws STORAGE_FAILED.
 */

import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { access, chmod, copyFile, lchown, lstat, lutimes, readFile, readlink, rename, symlink, unlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MigrateError } from '../errors.js';
import { sameMtime } from './copy-scan.js';
import { describeError, isNotFound, isUnreadable } from './fs-errors.js';
import type { HashPool } from './hash-pool.js';
import { blobDigestOf } from './layout.js';
import type { ProgressReporter } from './progress.js';
import type { StorageProblem } from './types.js';

export interface CopyCounters {
  files: number;
  bytes: number;
  filesCopied: number;
  bytesCopied: number;
  filesSkipped: number;
}

export interface CopyContext {
  readonly source: string;
  readonly target: string;
  readonly checksum: boolean;
  readonly dryRun: boolean;
  /** Aborted by the caller's signal or by a fatal error elsewhere. */
  readonly signal: AbortSignal;
  readonly pool: HashPool;
  readonly tempName: (name: string) => string;
  readonly problems: StorageProblem[];
  readonly progress: ProgressReporter;
  readonly counters: CopyCounters;
  /** Our uid/gid when running as root (so ownership can and must be copied), else undefined. */
  readonly owner: { readonly uid: number; readonly gid: number } | undefined;
}

/** What copy-file needs to know about the target directory the file goes into. */
export interface TargetDir {
  /** The directory did not exist before this run (so neither does the file). */
  readonly missing: boolean;
  /** Something was renamed into the directory, so its mtime must be set again. */
  touched: boolean;
}

/** Files up to this size are compared byte for byte in checksum mode instead of hashed in a worker. */
const smallFile = 1 << 20;

type Outcome = { readonly problem?: StorageProblem; readonly hashed: number };

function changed(rel: string, before: Stats, size: number, mtimeMs: number, bytes: number): StorageProblem | undefined {
  if (size === before.size && mtimeMs === before.mtimeMs && bytes === before.size) return undefined;
  return {
    kind: 'changed-during-copy',
    path: rel,
    detail: `size ${before.size} -> ${size}, mtime ${before.mtimeMs} -> ${mtimeMs}; not placed, copy again`,
  };
}

async function writeContent(ctx: CopyContext, rel: string, src: string, tmp: string, stats: Stats): Promise<Outcome> {
  if (stats.isSymbolicLink()) {
    await symlink(await readlink(src), tmp);
    return { hashed: 0 };
  }
  const digest = blobDigestOf(rel);
  if (digest === undefined) {
    // copy_file_range(2) where the kernel offers it: no user-space buffer at all for non-blob files.
    await copyFile(src, tmp, constants.COPYFILE_EXCL);
    const after = await lstat(src);
    return { problem: changed(rel, stats, after.size, after.mtimeMs, after.size), hashed: 0 };
  }
  const result = await ctx.pool.copy(src, tmp, stats.mode & 0o7777);
  const problem = changed(rel, stats, result.size, result.mtimeMs, result.bytes);
  if (problem) return { problem, hashed: result.bytes };
  if (result.digest !== digest) {
    const detail = `content hashes to sha256:${result.digest}; not placed`;
    return { problem: { kind: 'digest-mismatch', path: rel, detail }, hashed: result.bytes };
  }
  return { hashed: result.bytes };
}

/** Whether the existing target file already holds the source's content. */
async function isCurrent(ctx: CopyContext, rel: string, src: string, dst: string, stats: Stats, existing: Stats): Promise<Outcome & { current: boolean }> {
  if (existing.size !== stats.size || existing.isSymbolicLink() !== stats.isSymbolicLink()) return { current: false, hashed: 0 };
  if (stats.isSymbolicLink()) return { current: (await readlink(src)) === (await readlink(dst)), hashed: 0 };
  if (!ctx.checksum) return { current: sameMtime(existing.mtimeMs, stats.mtimeMs), hashed: 0 };
  const digest = blobDigestOf(rel);
  if (digest !== undefined) {
    const result = await ctx.pool.hash(dst);
    return { current: result.digest === digest, hashed: result.bytes };
  }
  if (stats.size <= smallFile) {
    const [a, b] = await Promise.all([readFile(src), readFile(dst)]);
    return { current: a.equals(b), hashed: 0 };
  }
  const [a, b] = await Promise.all([ctx.pool.hash(src), ctx.pool.hash(dst)]);
  return { current: a.digest === b.digest, hashed: a.bytes + b.bytes };
}

/**
 * Owner, mode and times of the source onto `path`. With `existing` (the target's current stats) only
 * what differs is changed; without, `path` is a file this run just wrote, owned by us, with the right mode.
 */
export async function applyMetadata(ctx: CopyContext, path: string, stats: Stats, existing?: Stats): Promise<void> {
  const link = stats.isSymbolicLink();
  const owner = existing ?? ctx.owner;
  const chown = ctx.owner !== undefined && owner !== undefined && (owner.uid !== stats.uid || owner.gid !== stats.gid);
  if (chown) await lchown(path, stats.uid, stats.gid);
  // chown(2) clears set-id bits, so the mode goes on after the owner.
  const mode = stats.mode & 0o7777;
  const modeDiffers = existing ? (existing.mode & 0o7777) !== mode : chown && (mode & 0o6000) !== 0;
  if (!link && modeDiffers) await chmod(path, mode);
  if (existing && sameMtime(existing.mtimeMs, stats.mtimeMs)) return;
  // Seconds as a double keep microseconds; a Date would round to milliseconds.
  await (link ? lutimes : utimes)(path, stats.atimeMs / 1000, stats.mtimeMs / 1000);
}

/** Turns a failure into a source problem when the source is to blame, else rethrows it as fatal. */
async function sourceProblem(ctx: CopyContext, rel: string, src: string, error: unknown): Promise<StorageProblem> {
  if (ctx.signal.aborted) throw error;
  const now = await lstat(src).then(() => undefined, (statError: unknown) => statError);
  if (now !== undefined && isNotFound(now)) {
    return { kind: 'changed-during-copy', path: rel, detail: 'vanished during the copy' };
  }
  if (isUnreadable(error) && (await access(src, constants.R_OK).then(() => false, () => true))) {
    return { kind: 'unreadable', path: rel, detail: describeError(error) };
  }
  throw new MigrateError('STORAGE_FAILED', `Copying ${rel} into ${ctx.target} failed: ${describeError(error)}`, {
    hint: 'Check the --to volume (space, permissions, health), then run the copy again: it resumes.',
    cause: error,
  });
}

function finish(ctx: CopyContext, size: number, hashed: number): void {
  ctx.progress.files += 1;
  // Bytes the workers read are already in the progress through their shared counter.
  ctx.progress.bytes += size - hashed;
}

export async function copyEntry(ctx: CopyContext, rel: string, name: string, dir: TargetDir): Promise<void> {
  const src = join(ctx.source, rel);
  const dst = join(ctx.target, rel);
  let stats: Stats;
  try {
    stats = await lstat(src);
  } catch (error) {
    ctx.problems.push(await sourceProblem(ctx, rel, src, error));
    return;
  }
  if (!stats.isFile() && !stats.isSymbolicLink()) return; // sockets, fifos, devices: never registry data
  const { counters } = ctx;
  counters.files += 1;
  counters.bytes += stats.size;

  const existing = dir.missing ? undefined : await lstat(dst).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new MigrateError('STORAGE_FAILED', `The target has a directory where the source has the file ${rel}.`, {
      hint: 'Remove the stray directory from the --to location, then run the copy again.',
    });
  }
  let hashed = 0;
  if (existing) {
    const check = await isCurrent(ctx, rel, src, dst, stats, existing);
    hashed = check.hashed;
    if (check.current) {
      if (!ctx.dryRun) await applyMetadata(ctx, dst, stats, existing);
      counters.filesSkipped += 1;
      finish(ctx, stats.size, hashed);
      return;
    }
  }
  if (ctx.dryRun) {
    counters.filesCopied += 1;
    counters.bytesCopied += stats.size;
    finish(ctx, stats.size, hashed);
    return;
  }

  const tmp = join(dirname(dst), ctx.tempName(name));
  try {
    const outcome = await writeContent(ctx, rel, src, tmp, stats);
    hashed += outcome.hashed;
    if (outcome.problem) {
      await unlink(tmp).catch(() => undefined);
      ctx.problems.push(outcome.problem);
    } else {
      ctx.signal.throwIfAborted();
      await applyMetadata(ctx, tmp, stats);
      await rename(tmp, dst);
      dir.touched = true;
      counters.filesCopied += 1;
      counters.bytesCopied += stats.size;
    }
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    ctx.problems.push(await sourceProblem(ctx, rel, src, error));
  }
  finish(ctx, stats.size, hashed);
}
