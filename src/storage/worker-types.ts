/**
 * Types shared by the coordinator (main thread) and the tree workers. Types only: the worker code is
 * shipped as source text (see worker-main.ts), so nothing here may be needed at run time.
 */

import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import type { LedgerStats } from './ledger-format.js';
import type { StorageProblem } from './types.js';

/** What a task does with the directory it is given (and everything below it). */
export type Op = 'scan' | 'copy' | 'verify-source' | 'verify-target';

export interface WorkerConfig {
  readonly source: string;
  readonly target: string;
  readonly includeUploads: boolean;
  readonly checksum: boolean;
  readonly dryRun: boolean;
  /** What the scan does with an interrupted run's temporary files ('ignore' when no run was interrupted). */
  readonly staleTemps: 'remove' | 'count' | 'ignore';
  /**
   * Compare every directory's mode, owner and mtime with the source in the scan. Needed after an
   * interrupted run; after a complete one a directory can only be off if a file in it is, and the copy
   * pass that file triggers sets all directories again.
   */
  readonly checkDirs: boolean;
  /** Allocation unit the scan rounds file sizes up to. */
  readonly blockSize: number;
  /** Our uid/gid when root (ownership can and must be copied), else null. */
  readonly owner: { readonly uid: number; readonly gid: number } | null;
  readonly bufferSize: number;
  /** Random per-run part of temporary names. */
  readonly runId: string;
  /** The process umask, so a file created with the right mode needs no chmod(2) afterwards. */
  readonly umask: number;
  /** Verify only: the target's verified-blob ledger (ledger.ts), and where to append to it; null: none. */
  readonly ledger: WorkerLedger | null;
  /** This host's part (shard.ts); null: everything. */
  readonly shard: { readonly index: number; readonly count: number } | null;
}

export interface WorkerLedger {
  /** The loaded records and their index, or null to hash every blob (`--rehash`, or no ledger yet). */
  readonly records: SharedArrayBuffer | null;
  readonly index: SharedArrayBuffer | null;
  /** Each worker appends the blobs it found intact to this path plus its thread id. */
  readonly partPrefix: string;
}

/** The ledger's record format (ledger-format.ts), handed to the worker code. */
export interface LedgerFormat {
  ledgerRecordBytes(): number;
  tooRecent(ctimeNs: bigint, nowNs: bigint): boolean;
  writeLedgerRecord(into: Buffer, at: number, digest: string, stats: LedgerStats): void;
  ledgerVouchesFor(records: Buffer, index: Int32Array, digest: string, stats: LedgerStats): boolean;
}

export interface WorkerData {
  readonly config: WorkerConfig;
  /** Int32Array: [abort flag, hungry workers]. */
  readonly control: SharedArrayBuffer;
  /** BigInt64Array: [files done, bytes done] for progress. */
  readonly progress: SharedArrayBuffer;
}

export const controlAbort = 0;
export const controlHungry = 1;

/** A directory to process. `missing`: the target directory is new, so nothing below it exists there. */
export interface Task {
  readonly op: Op;
  readonly rel: string;
  readonly missing: boolean;
}

export type Counters = Record<string, number>;

export type FromWorker =
  | { readonly type: 'donate'; readonly task: Task }
  | { readonly type: 'problem'; readonly problem: StorageProblem }
  | { readonly type: 'done'; readonly op: Op; readonly counters: Counters }
  | { readonly type: 'fatal'; readonly op: Op; readonly message: string; readonly code: string | undefined };

export interface PumpResult {
  /** Hex SHA-256 of what was read ('' when not hashing). */
  readonly digest: string;
  readonly bytes: number;
}

/** What a directory listing says an entry is (`other`: sockets, fifos, devices). */
export type EntryKind = 'file' | 'link' | 'dir' | 'other';

/** The pure layout functions (layout.ts), handed to the worker code. */
export interface Layout {
  blobDigestOf(rel: string): string | undefined;
  isLinkPath(rel: string): boolean;
  linkTargetOf(linkRel: string, content: string): string | undefined;
  isTempName(name: string): boolean;
  isEngineFile(name: string): boolean;
  tempName(name: string, runId: string, counter: number): string;
  tempFileTarget(name: string): string;
  shardOf(rel: string, count: number, isFile?: boolean): number | undefined;
}

/** Everything the per-operation code needs inside a worker. */
export interface Kit {
  readonly fs: typeof NodeFs;
  readonly path: typeof NodePath;
  readonly config: WorkerConfig;
  readonly layout: Layout;
  add(counter: string, amount: number): void;
  progress(files: number, bytes: number): void;
  problem(problem: StorageProblem): void;
  throwIfAborted(): void;
  /** True if `rel` belongs to this host's shard, or is a directory every shard walks. */
  inShard(rel: string, isFile: boolean): boolean;
  isAbort(error: unknown): boolean;
  /** Reads all of `src` and hashes it. */
  hashFile(src: string, countBytes: boolean): PumpResult;
  /**
   * Reads `fd` to its end (or `limit` bytes), hashing if asked and writing every chunk to `out` if given.
   * `countBytes` adds them to the shared progress as they go.
   */
  pump(fd: number, out: number | undefined, hash: boolean, countBytes: boolean, limit?: number): PumpResult;
  nextTempName(name: string): string;
  errno(error: unknown): string | undefined;
  isNotFound(error: unknown): boolean;
  /** What a special file is, for a problem's detail: "a FIFO", "a socket", "a character device"... */
  specialFile(stats: NodeFs.Stats): string;
  /** lstat, or undefined when the path (or a parent) does not exist. */
  lstatIfExists(path: string): NodeFs.Stats | undefined;
  /**
   * `rel` below `root`, by concatenation: roots are resolved absolute paths and relative paths are built
   * with '/', so path.join's normalising (measurable at millions of paths) would change nothing.
   */
  under(root: string, rel: string): string;
  describe(error: unknown): string;
  /** Marks an error as a failed read of the source: `sourceProblem` then reports that file, and goes on. */
  failedRead(error: unknown): unknown;
  /** A failure that stops the whole operation (target trouble): thrown, reported as STORAGE_FAILED. */
  fatal(message: string, cause?: unknown): Error;
  /** After a failure copying `rel`: a problem if the source is to blame, else throws a fatal error. */
  sourceProblem(rel: string, src: string, error: unknown): StorageProblem;
}

/** A subdirectory as its parent's handler prepared it. */
export interface ChildDir {
  readonly missing: boolean;
  /** Whatever the parent learned that `enter` would ask again (kept only when visited in the same worker). */
  readonly hint?: unknown;
}

/** Per-operation handlers; the worker's walk calls them depth first. */
export interface DirOps<S> {
  /** The tree this operation lists. */
  readonly root: string;
  /** Before listing; undefined skips the directory (a problem was reported). */
  enter(rel: string, missing: boolean, hint: unknown): S | undefined;
  /** A subdirectory found in the listing; runs before the subdirectory is visited, here or elsewhere. */
  child(state: S, rel: string): ChildDir;
  file(state: S, rel: string, name: string, kind: EntryKind): void;
  /** After the directory's own entries (subdirectories may still be in progress elsewhere). */
  leave(state: S, rel: string): void;
  /** The directory could not be listed. */
  listError(rel: string, error: unknown): void;
  /** After each task, however it ended (flushes what the operation buffers). */
  finish?(): void;
}
