/**
 * The storage engine for mounted paths (local volumes, NFS mounts), run by worker threads with
 * synchronous I/O (see tree-workers.ts). Object stores go through rclone-engine.ts instead.
 */

import { runCopy, runPreflight } from './copy.js';
import type { EngineDeps } from './copy.js';
import { systemStatfs } from './free-space.js';
import type { StatfsFunction } from './free-space.js';
import type { StorageEngine } from './types.js';
import { runVerify } from './verify.js';

export interface PathStorageEngineDeps {
  /** Free space of the filesystem holding a path; tests inject a fake to simulate a full disk. @default statfs(2) */
  readonly statfs?: StatfsFunction;
  /** Where verify keeps its ledgers when a call names none (null: none). @default defaultLedgerDir() */
  readonly ledgerDir?: string | null;
}

export function createPathStorageEngine(deps: PathStorageEngineDeps = {}): StorageEngine {
  const resolved: EngineDeps = { statfs: deps.statfs ?? systemStatfs };
  return {
    preflight: (from, to, options) => runPreflight(resolved, from, to, options),
    copy: (options) => runCopy(resolved, options),
    verify: (options) =>
      runVerify(
        deps.ledgerDir === undefined || options.ledgerDir !== undefined
          ? options
          : { ...options, ledgerDir: deps.ledgerDir },
      ),
  };
}
