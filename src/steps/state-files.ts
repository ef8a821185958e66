/**
 * The files a migration keeps in its state directory (backups, inventories), as the steps see them.
 * The session implements this (src/session/state-files.ts); steps never touch the file system directly.
 */
import type { BackupIdentity } from '../backup/backup-file.js';
import type { TarInspection } from '../backup/tar.js';
import type { TagInventory } from '../inventory/tags.js';

export interface StateFiles {
  /** The names of the files in a directory. */
  list(dir: string): Promise<string[]>;
  /** Creates an empty file only its owner can read; fails if one exists. */
  createPrivate(file: string): Promise<void>;
  /** Removes a file; one already gone counts as removed. */
  remove(file: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  size(file: string): Promise<number>;
  sha256(file: string): Promise<string>;
  inspectTar(file: string): Promise<TarInspection>;
  /** Undefined when the backup on disk is still the one recorded; otherwise what is wrong with it. */
  backupProblem(expected: BackupIdentity): Promise<string | undefined>;
  readInventory(file: string): Promise<TagInventory>;
  writeInventory(file: string, inventory: TagInventory): Promise<void>;
}
