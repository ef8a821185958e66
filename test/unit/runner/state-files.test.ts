/**
 * The state directory's files must be regular files or absent: a FIFO, socket or device where the
 * journal, lock, log, backup, inventory or config file should be is refused at once, never opened in a
 * way that blocks (issue 12: a FIFO at journal.json hung the CLI for 11 minutes). A lock holder that is a
 * zombie is dead; a full state directory is a clear error naming the path, with no temporary file left.
 */
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupProblem } from '../../../src/backup/backup-file.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { readInventory } from '../../../src/inventory/tags.js';
import { Journal } from '../../../src/runner/journal.js';
import { LogFile, acquireLock } from '../../../src/runner/state-dir.js';
import { stepIds } from '../../../src/steps/step.js';
import { isAlive } from '../../../src/util/process-alive.js';
import { canMount, smallFilesystem } from '../../helpers/mounts.js';

let dir: string;
let fifos: string[] = [];
let cleanups: Array<() => Promise<void>> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-files-'));
});
afterEach(async () => {
  // Whatever a reader that did block is waiting for: a writer, so it goes and the worker can end.
  for (const fifo of fifos)
    await open(fifo, constants.O_RDWR | constants.O_NONBLOCK).then(
      (h) => h.close(),
      () => undefined,
    );
  fifos = [];
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  await rm(dir, { recursive: true, force: true });
});

function fifoAt(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  fifos.push(path);
  return path;
}

describe('special files in the state directory', () => {
  it('refuses a FIFO at the journal, the lock and the log at once', { timeout: 5_000 }, async () => {
    const journal = fifoAt('journal.json');
    await expect(Journal.read(journal)).rejects.toMatchObject({
      code: 'STATE_DIR_UNUSABLE',
      message: expect.stringContaining(`${journal} is a FIFO, not a regular file`),
    });
    const lock = fifoAt('lock');
    await expect(acquireLock(dir, async () => true)).rejects.toMatchObject({
      code: 'STATE_DIR_UNUSABLE',
      message: expect.stringContaining(`${lock} is a FIFO`),
    });
    await rm(lock);
    const log = fifoAt('dtr-migrate.log');
    await expect(LogFile.create(dir)).rejects.toMatchObject({
      code: 'STATE_DIR_UNUSABLE',
      message: expect.stringContaining(`${log} is a FIFO`),
    });
  });

  it(
    'refuses a FIFO or a socket as backup, inventory or config file, without blocking',
    { timeout: 5_000 },
    async () => {
      const backup = fifoAt('backup-x.tar');
      expect(await backupProblem({ file: backup, bytes: 0, sha256: '0'.repeat(64) })).toContain('is a FIFO');
      const inventory = fifoAt('inventory-before.json');
      await expect(readInventory(inventory)).rejects.toMatchObject({ message: expect.stringContaining('is a FIFO') });
      const config = fifoAt('migrate.yaml');
      await expect(loadConfigFile(config)).rejects.toMatchObject({
        code: 'CONFIG_UNREADABLE',
        message: expect.stringContaining('is a FIFO'),
      });
      const socket = join(dir, 'journal-socket');
      const server: Server = createServer();
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
      await expect(Journal.read(socket)).rejects.toMatchObject({ message: expect.stringContaining('is a socket') });
    },
  );
});

describe('the lock', () => {
  it('counts a holder that is a zombie as dead, so the lock can be taken over', async () => {
    // `sh` forks `sleep 0` and becomes `sleep 5`, which never reaps it: a zombie for five seconds.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(async () => void parent.kill('SIGKILL'));
    const pid = Number(
      await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(String(d)))),
    );
    for (let tries = 0; tries < 50 && isAliveByKill(pid); tries += 1) {
      if (/\) Z /.test(execFileSync('cat', [`/proc/${pid}/stat`]).toString())) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(isAlive(pid)).toBe(false);
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString() }));
    const lock = await acquireLock(dir, async () => true);
    await lock.release();
  });
});

function isAliveByKill(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a full state directory', () => {
  it.runIf(canMount())('names the journal and leaves no temporary file (needs root to mount a tmpfs)', async () => {
    const full = join(dir, 'full');
    cleanups.push(await smallFilesystem(full, 64 * 1024));
    const journal = await Journal.open(full, 'best-practice', stepIds);
    await writeFile(join(full, 'filler'), Buffer.alloc(60 * 1024)).catch(() => undefined);
    const big = { output: { text: 'x'.repeat(64 * 1024) } };
    await expect(journal.update('backup', big)).rejects.toMatchObject({
      code: 'STATE_DIR_UNUSABLE',
      message: expect.stringContaining(`${join(full, 'journal.json')}: no space left`),
    });
    expect((await readdir(full)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
