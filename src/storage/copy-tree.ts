/**
 * The copy pass: walks the source again (after the scan) and copies file by file with bounded
 * parallelism. Directories are created as they are entered (writable by us whatever the source mode) and
 * get the source's owner, mode and times when everything inside them is done, because every file renamed
 * into a directory changes its mtime again.
 */

import type { Stats } from 'node:fs';
import { chmod, lchown, lstat, mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrateError, isMigrateError } from '../errors.js';
import { copyEntry } from './copy-file.js';
import type { CopyContext, TargetDir } from './copy-file.js';
import { sameMtime } from './copy-scan.js';
import { describeError, isNotFound, isUnreadable } from './fs-errors.js';
import { walkTree } from './tree-walk.js';

interface DirState extends TargetDir {
  readonly source: Stats;
  /** The target directory's stats before this run touched it; undefined if this run created it. */
  readonly existing: Stats | undefined;
}

function targetFailure(what: string, error: unknown): MigrateError {
  return new MigrateError('STORAGE_FAILED', `${what}: ${describeError(error)}`, {
    hint: 'Check the --to volume (space, permissions, health), then run the copy again: it resumes.',
    cause: error,
  });
}

async function openTargetDir(ctx: CopyContext, rel: string, source: Stats, parent: DirState | undefined): Promise<Stats | undefined> {
  const path = join(ctx.target, rel);
  let existing: Stats | undefined;
  if (!parent?.missing) {
    try {
      existing = await lstat(path);
    } catch (error) {
      if (!isNotFound(error)) throw targetFailure(`Cannot read the target directory ${path}`, error);
    }
  }
  if (existing && !existing.isDirectory()) {
    throw new MigrateError('STORAGE_FAILED', `The target has a file where the source has the directory ${rel}.`, {
      hint: 'Remove the stray file from the --to location, then run the copy again.',
    });
  }
  if (!existing && !ctx.dryRun) {
    try {
      await mkdir(path, { mode: (source.mode & 0o7777) | 0o700 });
    } catch (error) {
      throw targetFailure(`Cannot create the target directory ${path}`, error);
    }
    if (parent) parent.touched = true;
  }
  return existing;
}

async function finishDir(ctx: CopyContext, rel: string, dir: DirState): Promise<void> {
  const path = join(ctx.target, rel);
  const { source, existing } = dir;
  const owner = existing ?? ctx.owner;
  const chown = ctx.owner !== undefined && owner !== undefined && (owner.uid !== source.uid || owner.gid !== source.gid);
  const mode = source.mode & 0o7777;
  try {
    if (chown) await lchown(path, source.uid, source.gid);
    if (!existing || chown || (existing.mode & 0o7777) !== mode) await chmod(path, mode);
    if (!existing || dir.touched || !sameMtime(existing.mtimeMs, source.mtimeMs)) {
      await utimes(path, source.atimeMs / 1000, source.mtimeMs / 1000);
    }
  } catch (error) {
    throw targetFailure(`Cannot set the owner, mode or times of ${path}`, error);
  }
}

export interface CopyTreeOptions {
  readonly includeUploads: boolean;
  readonly concurrency: number;
  /** Stops everything (the hashing workers included) after a fatal error in one file. */
  readonly stop: (reason: unknown) => void;
}

export async function copyTree(ctx: CopyContext, options: CopyTreeOptions): Promise<void> {
  await walkTree<DirState>(
    { root: ctx.source, includeUploads: options.includeUploads, concurrency: options.concurrency, signal: ctx.signal },
    {
      async enterDir(rel, parent) {
        const source = await lstat(join(ctx.source, rel));
        const existing = await openTargetDir(ctx, rel, source, parent);
        return { source, existing, missing: existing === undefined, touched: false };
      },
      async file(rel, name, dir) {
        try {
          await copyEntry(ctx, rel, name, dir);
        } catch (error) {
          options.stop(error);
          throw error;
        }
      },
      async leaveDir(rel, dir) {
        if (!ctx.dryRun) await finishDir(ctx, rel, dir);
      },
      dirError(rel, error) {
        if (isMigrateError(error) || rel === '') throw error;
        if (isNotFound(error)) {
          ctx.problems.push({ kind: 'changed-during-copy', path: rel, detail: 'directory vanished during the copy' });
        } else if (isUnreadable(error)) {
          ctx.problems.push({ kind: 'unreadable', path: rel, detail: describeError(error) });
        } else {
          throw error;
        }
      },
    },
  );
}
