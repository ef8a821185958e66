/**
 * Running rclone for the rclone engine: error mapping, listings streamed from a file (a line per object,
 * millions on a big registry), and the driver a remote's backend implies.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ProcessError, runProcess } from '../docker/run-process.js';
import type { RunOptions } from '../docker/run-process.js';
import { MigrateError } from '../errors.js';
import { driverForBackend, driverRoot, inlineBackend } from './driver-layout.js';
import type { StorageDriver } from './driver-layout.js';
import type { StorageLocation } from './types.js';

/** How rclone names a location: a remote as given, a mounted path as itself. */
export function rcloneName(location: StorageLocation): string {
  return location.kind === 'rclone' ? location.remote : location.path;
}

export function explain(error: unknown, what: string): unknown {
  if (!(error instanceof ProcessError)) return error;
  if (error.kind === 'spawn-failed' || error.kind === 'not-executable') {
    return new MigrateError('STORAGE_INVALID', `${what} needs rclone, which is not installed here`, {
      hint: 'Install it (Debian/Ubuntu: apt-get install rclone) and configure the remote with `rclone config`.',
    });
  }
  if (error.kind === 'aborted')
    return new MigrateError('INTERRUPTED', `${what} was interrupted`, {
      hint: 'Run the same command again: rclone copies only what is missing.',
    });
  const last =
    error.stderrTail
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1) ?? '';
  return new MigrateError(
    'STORAGE_FAILED',
    `${what} failed: ${error.message}${last === '' ? '' : `: ${last.slice(0, 300)}`}`,
    { hint: 'Check the remote with `rclone lsd <remote>:`; then run the same command again.' },
  );
}

/** A scratch directory for rclone's reports and file lists, removed after `work`. */
export async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'dtr-migrate-rclone-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each line of a file rclone wrote, read as a stream. */
export async function forEachLine(file: string, onLine: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) onLine(line);
}

export interface ListedObject {
  readonly path: string;
  readonly size: number;
  readonly modTime: string;
  readonly md5?: string;
}

/**
 * Every object below `location`, as `rclone lsjson -R --files-only` lists it (one JSON object a line).
 * `withHash` asks for the store's md5 too, which object stores keep and local disks would compute.
 */
export async function listObjects(
  bin: string,
  location: string,
  dir: string,
  withHash: boolean,
  onObject: (object: ListedObject) => void,
  options: RunOptions = {},
): Promise<void> {
  const file = join(dir, `list-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, '');
  const args = ['lsjson', '-R', '--files-only', '--no-mimetype', ...(withHash ? ['--hash'] : []), location];
  try {
    await runProcess(bin, args, { ...options, fullEnv: true, stdoutFile: file });
  } catch (error) {
    throw explain(error, `listing ${location}`);
  }
  await forEachLine(file, (line) => {
    const text = line.trim().replace(/,$/, '');
    if (!text.startsWith('{')) return;
    const entry = JSON.parse(text) as { Path: string; Size: number; ModTime: string; Hashes?: { md5?: string } };
    const md5 = entry.Hashes?.md5;
    onObject({ path: entry.Path, size: entry.Size, modTime: entry.ModTime, ...(md5 ? { md5 } : {}) });
  });
}

/** The rclone backend of a location: `local` for a path, from the string for an inline remote, else asked. */
async function backendOf(bin: string, location: StorageLocation): Promise<string | undefined> {
  if (location.kind === 'path') return 'local';
  const inline = inlineBackend(location.remote);
  if (inline !== undefined || location.remote.startsWith(':')) return inline;
  const name = location.remote.slice(0, location.remote.indexOf(':'));
  try {
    // `listremotes --long` names each remote's type and nothing secret (unlike `config show`).
    const { stdout } = await runProcess(bin, ['listremotes', '--long'], { fullEnv: true });
    const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${name}:`));
    return line?.slice(name.length + 1).trim();
  } catch (error) {
    throw explain(error, `reading the type of ${name}:`);
  }
}

/** The driver the target's layout follows: as given, else from its backend, else the filesystem's. */
export async function targetDriver(
  bin: string,
  location: StorageLocation,
  given: StorageDriver | undefined,
): Promise<StorageDriver> {
  if (given !== undefined) return given;
  const backend = await backendOf(bin, location);
  return (backend === undefined ? undefined : driverForBackend(backend)) ?? 'filesystem';
}

/** The rclone location of the registry tree in the target, laid out for its driver. */
export async function mappedTarget(bin: string, to: StorageLocation, given?: StorageDriver): Promise<string> {
  const driver = await targetDriver(bin, to, given);
  return to.kind === 'path' ? (driver === 'swift' ? join(to.path, 'files') : to.path) : driverRoot(to.remote, driver);
}
