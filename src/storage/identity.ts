/**
 * Which storage a path is, by identity rather than by name. Two names may be one directory (a symbolic
 * link, a bind mount, the same export mounted twice), and then a "copy" copies nothing and the old storage
 * is handed to DTR as the new one. Directories are compared by device and inode, each path together with
 * every directory above it (so a target inside the source through a bind mount of a parent is seen), and
 * NFS mounts by server and exported path (the same export mounted twice has two device numbers).
 */
import { lookup } from 'node:dns/promises';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { isNotFound } from './fs-errors.js';

interface Identity {
  readonly dev: bigint;
  readonly ino: bigint;
}

async function identityOf(path: string): Promise<Identity> {
  const stats = await stat(path, { bigint: true });
  return { dev: stats.dev, ino: stats.ino };
}

const same = (a: Identity | undefined, b: Identity | undefined): boolean =>
  a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

/** `path` and each directory above it, nearest first. */
async function lineage(path: string): Promise<Identity[]> {
  const found: Identity[] = [];
  for (let current = path; ; current = dirname(current)) {
    found.push(await identityOf(current));
    if (dirname(current) === current) return found;
  }
}

/** True when both name one directory; undefined when `other` does not exist here. */
export async function sameDirectory(path: string, other: string): Promise<boolean | undefined> {
  try {
    const [a, b] = await Promise.all([identityOf(path), identityOf(other)]);
    return same(a, b);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export type Overlap = 'same' | 'target-inside' | 'source-inside';

/**
 * How a target overlaps the source, if it does. `existingTarget` is the target, or (with `targetExists`
 * false) its nearest existing ancestor, below which the target will be created.
 */
export async function storageOverlap(
  source: string,
  existingTarget: string,
  targetExists: boolean,
): Promise<Overlap | undefined> {
  const sourceLine = await lineage(source);
  const targetLine = await lineage(existingTarget);
  if (targetExists && same(targetLine[0], sourceLine[0])) return 'same';
  if (targetLine.some((id) => same(id, sourceLine[0]))) return 'target-inside';
  if (targetExists && sourceLine.slice(1).some((id) => same(id, targetLine[0]))) return 'source-inside';
  const table = await readMountTable();
  const from = nfsLocationIn(table, source);
  const to = nfsLocationIn(table, existingTarget);
  if (from === undefined || to === undefined || from.host !== to.host) return undefined;
  if (targetExists && to.path === from.path) return 'same';
  if (isInsidePosix(to.path, from.path)) return 'target-inside';
  if (targetExists && isInsidePosix(from.path, to.path)) return 'source-inside';
  return undefined;
}

function isInsidePosix(child: string, parent: string): boolean {
  const rel = posix.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !posix.isAbsolute(rel));
}

/** One line of /proc/self/mountinfo, the fields we read. */
export interface MountEntry {
  readonly mountPoint: string;
  /** The directory of the mounted filesystem (or export) that appears at the mount point. */
  readonly root: string;
  readonly fsType: string;
  /** What was mounted: a device, or `host:/export` for NFS. */
  readonly source: string;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`). */
const unescape = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    const [root, mountPoint, fsType, source] = [fields[3], fields[4], fields[separator + 1], fields[separator + 2]];
    if (separator < 0 || root === undefined || mountPoint === undefined || fsType === undefined) continue;
    entries.push({ mountPoint: unescape(mountPoint), root: unescape(root), fsType, source: unescape(source ?? '') });
  }
  return entries;
}

/** The mount `path` lives in: the longest mount point above it, the one mounted last if stacked. */
export function mountOf(table: readonly MountEntry[], path: string): MountEntry | undefined {
  let found: MountEntry | undefined;
  for (const entry of table) {
    if (!isInsidePosix(path, entry.mountPoint)) continue;
    if (found === undefined || entry.mountPoint.length >= found.mountPoint.length) found = entry;
  }
  return found;
}

/** Where `path` is on its NFS server (host and exported path), if it lives on an NFS mount. */
export function nfsLocationIn(
  table: readonly MountEntry[],
  path: string,
): { readonly host: string; readonly path: string } | undefined {
  const mount = mountOf(table, path);
  if (mount === undefined || !mount.fsType.startsWith('nfs')) return undefined;
  const at = mount.source.indexOf(':/');
  if (at < 0) return undefined;
  const host = mount.source.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const exported = mount.source.slice(at + 1);
  return { host, path: posix.join(exported, mount.root, posix.relative(mount.mountPoint, path)) };
}

/** Where the directory `path` is on its NFS server, if it lives on an NFS mount of this machine. */
export async function nfsLocationOf(
  path: string,
): Promise<{ readonly host: string; readonly path: string } | undefined> {
  return nfsLocationIn(await readMountTable(), await realpath(path));
}

/** This machine's mount table; empty where there is none to read (not Linux). */
export async function readMountTable(): Promise<MountEntry[]> {
  try {
    return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}

/** Two names of one server: the same name, or names that resolve to a common address. */
export async function sameHost(a: string, b: string): Promise<boolean> {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const addresses = (host: string): Promise<string[]> =>
    lookup(host, { all: true }).then(
      (found) => found.map((entry) => entry.address),
      () => [host],
    );
  const [first, second] = await Promise.all([addresses(a), addresses(b)]);
  return first.some((address) => second.includes(address));
}
