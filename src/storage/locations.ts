/**
 * Checks on the two locations themselves, before any file is looked at: the source is a readable
 * registry storage root (unless told otherwise), the target can be created and written, and neither is
 * the other or inside it, by identity (identity.ts), not by name. All failures are
 * `STORAGE_INVALID` (a usage problem the user fixes with a flag), never half-done work.
 */

import { constants } from 'node:fs';
import { hostname } from 'node:os';
import { access, lstat, opendir, realpath, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { registryLayoutDirs, registryRootPath } from '../dtr/facts.js';
import { MigrateError } from '../errors.js';
import { makeDirectories } from '../util/make-directories.js';
import { describeError, errnoOf, isNotFound } from './fs-errors.js';
import { storageOverlap } from './identity.js';
import type { LocationFlags, StorageLocation } from './types.js';

/** The flags of `dtr-migrate storage copy|verify`. */
export const storageCommandFlags: LocationFlags = { from: '--from', to: '--to' };

export interface ResolvedLocations {
  /** Real path of the source directory. */
  readonly source: string;
  /** Absolute target path, with symbolic links resolved as far as the path exists. */
  readonly target: string;
  /** The target itself if it exists, else its nearest existing ancestor (for statfs and access). */
  readonly existingTarget: string;
  readonly targetExists: boolean;
}

function invalid(message: string, hint: string, cause?: unknown): MigrateError {
  return new MigrateError('STORAGE_INVALID', message, { hint, cause });
}

function pathOf(location: StorageLocation, flag: string): string {
  if (location.kind !== 'path' || location.path.trim() === '') {
    throw invalid(`The ${flag} storage location is not a mounted path.`, `Pass a directory path with ${flag}.`);
  }
  return resolve(location.path);
}

/** The real path of an existing, listable directory, or STORAGE_INVALID naming `flag`. */
export async function resolveReadableDir(
  location: StorageLocation,
  flag: string,
  role: string,
  hint: string,
): Promise<string> {
  const path = pathOf(location, flag);
  let real: string;
  try {
    real = await realpath(path);
    if (!(await lstat(real)).isDirectory()) throw invalid(`The ${role} ${path} is not a directory.`, hint);
    // Listing proves the directory is readable and searchable, which access(2) alone does not on NFS.
    const dir = await opendir(real);
    await dir.read();
    await dir.close();
  } catch (error) {
    if (error instanceof MigrateError) throw error;
    if (isNotFound(error)) throw invalid(`The ${role} ${path} does not exist.`, hint, error);
    throw invalid(`The ${role} ${path} cannot be read (${errnoOf(error) ?? describeError(error)}).`, hint, error);
  }
  return real;
}

const sourceHint = (flags: LocationFlags): string =>
  `Pass the registry storage root (the volume or NFS mount holding docker/registry/v2) with ${flags.from}.`;

/** Resolves the target through its longest existing prefix, which must be a directory. */
async function resolveTarget(
  path: string,
  flags: LocationFlags,
): Promise<{ target: string; existing: string; exists: boolean }> {
  const hint = `Pass a directory (or a path that can be created) on the new storage with ${flags.to}.`;
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      const stats = await lstat(current);
      const real = await realpath(current);
      if (!(await lstat(real)).isDirectory()) {
        const what = stats.isDirectory() ? 'a link to a non-directory' : 'not a directory';
        throw invalid(`The target ${path} cannot be created: ${current} is ${what}.`, hint);
      }
      return { target: join(real, ...missing.reverse()), existing: real, exists: missing.length === 0 };
    } catch (error) {
      if (error instanceof MigrateError) throw error;
      if (!isNotFound(error))
        throw invalid(`The target ${path} cannot be used (${describeError(error)}).`, hint, error);
      // ENOTDIR means a parent is a regular file: the next round finds it and says so.
      const parent = dirname(current);
      if (parent === current) throw invalid(`The target ${path} cannot be resolved.`, hint, error);
      missing.push(basename(current));
      current = parent;
    }
  }
}

/**
 * A registry storage holds `docker/registry/v2/repositories` and `.../blobs` (dtr-api.md section 10). A
 * tree without them is not one: an empty folder, unrelated files, or a path one level too deep, any of
 * which a copy would copy faithfully and a verify would find complete, handing DTR an empty storage.
 */
async function refuseUnlessRegistry(root: string, given: string, flag: string, hint: string): Promise<void> {
  const missing: string[] = [];
  for (const dir of registryLayoutDirs) {
    const stats = await stat(join(root, registryRootPath, dir)).catch(() => undefined);
    if (stats?.isDirectory() !== true) missing.push(`${registryRootPath}/${dir}`);
  }
  if (missing.length === 0) return;
  throw invalid(
    `The ${flag} location ${given} holds no registry: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not there, so it is not a registry storage root.`,
    hint,
  );
}

/** Refuses two locations that are one storage, or one inside the other, by identity (identity.ts). */
async function refuseOverlap(
  source: string,
  target: { readonly path: string; readonly existing: string; readonly exists: boolean },
  flags: LocationFlags,
): Promise<void> {
  const overlap = await storageOverlap(source, target.existing, target.exists);
  if (overlap === 'same') {
    throw invalid(
      `The target ${target.path} is the same directory as the source ${source} (the same device and inode: a link, a bind mount or the same export): there is nothing to copy to.`,
      `Pass a ${flags.to} directory on the new storage.`,
    );
  }
  if (overlap === 'target-inside') {
    throw invalid(
      `The target ${target.path} is inside the source ${source}: the copy would copy itself.`,
      `Pass a ${flags.to} directory outside the ${flags.from} tree.`,
    );
  }
  if (overlap === 'source-inside') {
    throw invalid(
      `The source ${source} is inside the target ${target.path}: the copy would overwrite what it reads.`,
      `Pass a ${flags.to} directory that does not contain the ${flags.from} tree.`,
    );
  }
}

/** What the checks of both locations depend on, beyond the locations themselves. */
export interface LocationChecks {
  readonly flags?: LocationFlags;
  /** Accept a source that is not a registry storage (`storage copy|verify --any-tree`). @default false */
  readonly anyTree?: boolean;
}

const anyTreeHint = (flags: LocationFlags): string =>
  flags.from === storageCommandFlags.from ? ' To copy a tree that is not a registry all the same, add --any-tree.' : '';

/** Resolves both locations and checks everything that needs no writing. */
export async function resolveLocations(
  from: StorageLocation,
  to: StorageLocation,
  checks: LocationChecks = {},
): Promise<ResolvedLocations> {
  const flags = checks.flags ?? storageCommandFlags;
  const source = await resolveReadableDir(from, flags.from, 'source', sourceHint(flags));
  if (checks.anyTree !== true)
    await refuseUnlessRegistry(source, pathOf(from, flags.from), flags.from, sourceHint(flags) + anyTreeHint(flags));
  const { target, existing, exists } = await resolveTarget(pathOf(to, flags.to), flags);
  await refuseOverlap(source, { path: target, existing, exists }, flags);
  try {
    await access(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw invalid(
      `The target ${existing} is not writable (${errnoOf(error) ?? describeError(error)}).`,
      `Fix the permissions or mount options of the ${flags.to} location, or pass another ${flags.to}.`,
      error,
    );
  }
  return { source, target, existingTarget: existing, targetExists: exists };
}

/** Both locations for `verify`: the source as for a copy, the target an existing directory (it may be read-only). */
export async function resolveVerifyLocations(
  from: StorageLocation,
  to: StorageLocation,
  checks: LocationChecks = {},
): Promise<{ source: string; target: string }> {
  const flags = checks.flags ?? storageCommandFlags;
  const source = await resolveReadableDir(from, flags.from, 'source', sourceHint(flags));
  if (checks.anyTree !== true)
    await refuseUnlessRegistry(source, pathOf(from, flags.from), flags.from, sourceHint(flags) + anyTreeHint(flags));
  const target = await resolveReadableDir(
    to,
    flags.to,
    'target',
    `Pass the ${flags.to} location the storage was copied to; run the copy first.`,
  );
  // Checked against itself, a storage always looks complete.
  await refuseOverlap(source, { path: target, existing: target, exists: true }, flags);
  return { source, target };
}

/**
 * Creates the target directory and writes the file at `marker` there, which proves a file can be written
 * (access(2) says yes to root even where it cannot write, and an NFS export may be read-only whatever the
 * mode bits say).
 */
export async function prepareTarget(
  locations: ResolvedLocations,
  marker: string,
  flags: LocationFlags = storageCommandFlags,
): Promise<void> {
  try {
    await makeDirectories(locations.target);
    // Who writes: a later copy must not sweep the temporary files of one still running (see copy.ts).
    await writeFile(marker, JSON.stringify({ pid: process.pid, host: hostname() }));
  } catch (error) {
    throw invalid(
      `The target ${locations.target} is not writable (${describeError(error)}).`,
      `Fix the permissions or mount options of the ${flags.to} location, or pass another ${flags.to}.`,
      error,
    );
  }
}

/**
 * Before a migration changes anything: can the target really be written? Creates the target directory
 * (harmless, and the copy would create it anyway) and writes and removes a probe file in it, since
 * access(2) says yes to root on a read-only NFS export or under /proc.
 */
export async function probeTarget(locations: ResolvedLocations, flags: LocationFlags): Promise<void> {
  const probe = join(locations.target, `.dtr-migrate-probe-${process.pid}`);
  await prepareTarget(locations, probe, flags);
  await unlink(probe).catch(() => undefined);
}
