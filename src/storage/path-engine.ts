/**
 * The storage engine for mounted paths (local volumes, NFS mounts), run by worker threads with
 * synchronous I/O (see tree-workers.ts). Object stores go through rclone-engine.ts instead.
 */

import { runCopy, runPreflight } from './copy.js';
import type { EngineDeps } from './copy.js';
import { systemStatfs } from './free-space.js';
import type { StatfsFunction } from './free-space.js';
import { join } from 'node:path';
import type { StorageDriver, StorageEngine, StorageLocation } from './types.js';
import { runVerify } from './verify.js';
import { runEstimate } from './estimate.js';

export interface PathStorageEngineDeps {
  /** Free space of the filesystem holding a path; tests inject a fake to simulate a full disk. @default statfs(2) */
  readonly statfs?: StatfsFunction;
  /** Where verify keeps its ledgers when a call names none (null: none). @default defaultLedgerDir() */
  readonly ledgerDir?: string | null;
}

/** A mounted target laid out for a Swift-backed registry gets the driver's `files/` level (driver-layout.ts). */
function laidOut(to: StorageLocation, driver: StorageDriver | undefined): StorageLocation {
  return driver === 'swift' && to.kind === 'path' ? { kind: 'path', path: join(to.path, 'files') } : to;
}

export function createPathStorageEngine(deps: PathStorageEngineDeps = {}): StorageEngine {
  const resolved: EngineDeps = { statfs: deps.statfs ?? systemStatfs };
  const ledgerDir = deps.ledgerDir === undefined ? {} : { ledgerDir: deps.ledgerDir };
  return {
    estimate: (options) =>
      runEstimate({ ...resolved, ...ledgerDir, dryRun: (o) => runCopy(resolved, { ...o, dryRun: true }) }, options),
    preflight: (from, to, options) => runPreflight(resolved, from, to, options),
    copy: (options) => runCopy(resolved, { ...options, to: laidOut(options.to, options.toDriver) }),
    verify: (options) =>
      runVerify({
        ...options,
        to: laidOut(options.to, options.toDriver),
        ...(deps.ledgerDir === undefined || options.ledgerDir !== undefined ? {} : { ledgerDir: deps.ledgerDir }),
      }),
  };
}
