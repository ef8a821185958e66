/** The state directory's files for the steps (src/steps/state-files.ts), on the local file system. */
import { closeSync, openSync } from 'node:fs';
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { backupProblem, sha256File } from '../backup/backup-file.js';
import { inspectTar } from '../backup/tar.js';
import { readInventory, writeInventory } from '../inventory/tags.js';
import type { StateFiles } from '../steps/state-files.js';

export const localStateFiles: StateFiles = {
  list: (dir) => readdir(dir),
  createPrivate: async (file) => closeSync(openSync(file, 'wx', 0o600)),
  remove: (file) =>
    unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    }),
  rename: (from, to) => rename(from, to),
  size: async (file) => (await stat(file)).size,
  sha256: sha256File,
  inspectTar,
  backupProblem,
  readInventory,
  writeInventory,
};
