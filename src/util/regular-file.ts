/**
 * Files dtr-migrate reads, or appends to, by a name it was given or chose (journal, lock, log, backups,
 * inventories, config and certificate files) must be regular files. A FIFO at such a path would block an
 * ordinary open(2) until someone writes to it, a thread stuck where no signal reaches (issue 12: the CLI
 * hung for 11 minutes on a FIFO at journal.json). So they are opened with O_NONBLOCK, which opens a FIFO at
 * once and is no different for a regular file, and refused unless fstat(2) says regular file.
 */
import { constants, fstatSync, lstatSync, openSync, closeSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** A path that names something other than a regular file; `code` is ENOTREG for callers that map errnos. */
export class NotRegularFile extends Error {
  readonly code = 'ENOTREG';

  constructor(
    readonly path: string,
    /** "a FIFO", "a socket", "a directory", "a character device", "a block device". */
    readonly what: string,
  ) {
    super(`${path} is ${what}, not a regular file`);
    this.name = 'NotRegularFile';
  }
}

export function isNotRegularFile(error: unknown): error is NotRegularFile {
  return error instanceof NotRegularFile;
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** open(2) of a socket fails with ENXIO (so does a FIFO opened for writing with no reader): say what it is. */
function explainOpenFailure(path: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'ENXIO') return error;
  try {
    return new NotRegularFile(path, kindOf(lstatSync(path)));
  } catch {
    return error;
  }
}

/** Opens a regular file without blocking (ENOENT passes through as Node gives it). */
export async function openRegular(path: string, flags: number = constants.O_RDONLY, mode = 0o600): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, flags | constants.O_NONBLOCK, mode);
  } catch (error) {
    throw explainOpenFailure(path, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFile(path, kindOf(stats));
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The same, synchronously: a file descriptor. */
export function openRegularSync(path: string, flags: number, mode = 0o600): number {
  let fd: number;
  try {
    fd = openSync(path, flags | constants.O_NONBLOCK, mode);
  } catch (error) {
    throw explainOpenFailure(path, error);
  }
  const stats = fstatSync(fd);
  if (stats.isFile()) return fd;
  closeSync(fd);
  throw new NotRegularFile(path, kindOf(stats));
}

/** The whole text of a regular file. */
export async function readRegularFile(path: string): Promise<string> {
  const handle = await openRegular(path);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
