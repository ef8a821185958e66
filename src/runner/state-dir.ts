/**
 * The state directory: journal, lock, backups and the log file, all owner-only. One migration at a
 * time per directory: a lock file names the owner's pid and host; a lock left by a process that no
 * longer runs can be taken over, but only when asked to.
 */
import { constants as fsConstants, fchmodSync, writeSync } from 'node:fs';
import { access, constants, mkdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeDirectories } from '../util/make-directories.js';
import { isAlive } from '../util/process-alive.js';
import { isNotRegularFile, openRegularSync, readRegularFile, type NotRegularFile } from '../util/regular-file.js';
import { MigrateError } from '../errors.js';

export const lockFileName = 'lock';
export const logFileName = 'dtr-migrate.log';

export async function prepareStateDir(dir: string): Promise<void> {
  try {
    await makeDirectories(dir, 0o700);
    if (!(await stat(dir)).isDirectory())
      throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'EACCES' || code === 'EROFS' || code === 'EPERM'
        ? 'is not writable'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'is not a directory'
          : `cannot be used (${code})`;
    throw new MigrateError('STATE_DIR_UNUSABLE', `the state directory ${dir} ${why}`, {
      hint: 'Pass --state-dir <dir> with a directory this user can write (it holds the journal, backups and logs).',
    });
  }
}

/** A FIFO, socket or device where a state file should be: refused, never read (util/regular-file.ts). */
export function notRegularStateFile(error: NotRegularFile): MigrateError {
  return new MigrateError(
    'STATE_DIR_UNUSABLE',
    `${error.message}: dtr-migrate keeps only regular files in its state directory`,
    { hint: `Remove ${error.path} (dtr-migrate never makes such a file), or pass another --state-dir.` },
  );
}

/** The lock file's text; undefined when it is gone or unreadable. A special file is refused. */
async function readLock(file: string): Promise<string | undefined> {
  try {
    return await readRegularFile(file);
  } catch (error) {
    if (isNotRegularFile(error)) throw notRegularStateFile(error);
    return undefined;
  }
}

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

function parseLock(raw: string | undefined): LockOwner | undefined {
  try {
    const owner = raw === undefined ? undefined : (JSON.parse(raw) as Partial<LockOwner>);
    return typeof owner?.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host, startedAt: String(owner.startedAt ?? '') }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who holds the lock of `dir` now, read without taking it (for `status`): `running` is whether that
 * process still runs, or undefined when it is on another host and cannot be checked from here.
 */
export async function lockHolder(dir: string): Promise<(LockOwner & { running: boolean | undefined }) | undefined> {
  const owner = parseLock(await readLock(join(dir, lockFileName)));
  if (owner === undefined) return undefined;
  return { ...owner, running: owner.host === hostname() ? isAlive(owner.pid) : undefined };
}

export interface StateLock {
  release(): Promise<void>;
}

/**
 * Takes the lock or explains who holds it. `takeOver` is the operator's explicit consent to replace a
 * lock whose process is gone (same host only: a pid on another host cannot be checked from here).
 */
export async function acquireLock(dir: string, takeOver: () => Promise<boolean>): Promise<StateLock> {
  const file = join(dir, lockFileName);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const held: StateLock = { release: () => unlink(file).catch(() => undefined) };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      return held;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const raw = await readLock(file);
    const owner = parseLock(raw);
    const stale = owner === undefined || (owner.host === me.host && !isAlive(owner.pid));
    const who =
      owner === undefined
        ? 'an unreadable lock file'
        : `process ${owner.pid} on ${owner.host} (since ${owner.startedAt})`;
    if (!stale) {
      throw new MigrateError('STATE_LOCKED', `another dtr-migrate is working in ${dir}: ${who}`, {
        hint: 'Wait for it to finish, or stop it; two runs on one migration would step on each other.',
      });
    }
    if (!(await takeOver())) {
      throw new MigrateError('STATE_LOCKED', `${dir} is locked by ${who}, which no longer runs`, {
        hint: 'Run again with --take-over-lock to take the stale lock over.',
      });
    }
    const taken = await replaceStaleLock(file, raw, me);
    if (taken) return held;
  }
  throw new MigrateError('STATE_LOCKED', `could not lock ${dir}`, {
    hint: 'Another run took the lock first; try again.',
  });
}

/**
 * Two runs taking over the same stale lock at once must not both win (one would remove the lock the
 * other just wrote): the take-over happens under a mutex directory, and only if the lock still names the
 * stale owner. False when it no longer does (the caller looks again).
 */
async function replaceStaleLock(file: string, stale: string | undefined, me: LockOwner): Promise<boolean> {
  const mutex = `${file}.takeover`;
  try {
    await mkdir(mutex);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new MigrateError('STATE_LOCKED', 'another dtr-migrate is taking over the same stale lock right now', {
      hint: `Let it run; if none does (it was killed in that instant), remove ${mutex} and run again.`,
    });
  }
  try {
    const now = await readLock(file);
    if (now !== undefined && now !== stale) return false;
    await unlink(file).catch(() => undefined);
    try {
      await writeFile(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      // A run that needed no take-over (the file was gone) got there first.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    return true;
  } finally {
    await rmdir(mutex).catch(() => undefined);
  }
}

/**
 * Replaces every secret in `text` by ****. Values under four characters are left alone: masking them
 * would garble ordinary words, and no DTR token or UCP password is that short.
 */
export function maskWith(secrets: readonly string[], text: string): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('****');
  return out;
}

/**
 * The log file: every step's detail and every subprocess's output, secrets replaced by ****.
 * Synchronous appends keep the order of lines and survive a crash right after them. It is opened once
 * (a regular file, owner-only), so nothing put at its path later is ever written to.
 */
export class LogFile {
  private readonly sources: Array<() => readonly string[]> = [];
  private readonly fd: number;

  constructor(readonly file: string) {
    this.fd = openRegularSync(file, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT);
    fchmodSync(this.fd, 0o600);
  }

  static async create(dir: string): Promise<LogFile> {
    try {
      return new LogFile(join(dir, logFileName));
    } catch (error) {
      throw isNotRegularFile(error) ? notRegularStateFile(error) : error;
    }
  }

  /** Where the secrets come from; asked at every write, so one learnt later (a password typed in step 4) counts too. */
  redactFrom(source: () => readonly string[]): void {
    this.sources.push(source);
  }

  mask(text: string): string {
    return maskWith(
      this.sources.flatMap((source) => source()),
      text,
    );
  }

  write(line: string): void {
    writeSync(this.fd, `${new Date().toISOString()} ${this.mask(line)}\n`);
  }
}
