/**
 * The storage engine's contract: what the `migrate-storage` step and `dtr-migrate storage copy|verify`
 * see. Implementations live beside this file; callers depend on these types only, so that object stores
 * (through rclone) can be added behind the same interface.
 */

import type { StorageDriver } from './driver-layout.js';
import type { Shard } from './shard.js';

export type { StorageDriver } from './driver-layout.js';
export type { Shard } from './shard.js';

/** A storage location: a mounted path (local volume or NFS mount), or an object store through rclone. */
export type StorageLocation =
  | { readonly kind: 'path'; readonly path: string }
  /** An rclone remote such as `s3:bucket/prefix` (or `:local:/path`). */
  | { readonly kind: 'rclone'; readonly remote: string };

export type StorageProblemKind =
  | 'missing'
  | 'size-differs'
  | 'digest-mismatch'
  | 'dangling-link'
  | 'unreadable'
  | 'changed-during-copy'
  /** A symbolic link: registry storage holds none, and a copied link would still point into the old storage. */
  | 'symlink'
  /** A FIFO, socket or device: registry storage holds none, and reading one could block or never end. */
  | 'special-file'
  /** In the target only (not a failure: see VerifySummary.extra). */
  | 'not-in-source'
  /** A link that points to a blob the source lacks as well (not a failure of the copy: VerifySummary.inherited). */
  | 'dangling-in-source';

/** One problem, by path relative to the storage root. */
export interface StorageProblem {
  readonly kind: StorageProblemKind;
  readonly path: string;
  readonly detail?: string;
}

/**
 * Progress, at most every ~100 ms. `scan`: source files and bytes counted so far. `copy`: files and bytes
 * done (copied or found current), against the scan's totals. `verify`: blobs and bytes hashed, against
 * the source's blobs (known once the quick source side of the check has finished).
 */
export interface StorageProgress {
  readonly phase: 'scan' | 'copy' | 'verify';
  readonly files: number;
  readonly bytes: number;
  /** Known once the scan has finished. */
  readonly totalFiles?: number;
  readonly totalBytes?: number;
}

/** The flags (or inputs) that name the two locations, so that a message names what the operator typed. */
export interface LocationFlags {
  readonly from: string;
  readonly to: string;
}

export interface CopyOptions {
  readonly from: StorageLocation;
  readonly to: StorageLocation;
  /** @default { from: '--from', to: '--to' } */
  readonly flags?: LocationFlags;
  /** Threads that hash (CPU). @default the number of cores */
  readonly concurrency?: number;
  /**
   * Files in flight at once (listing, stat, open, read, write, rename), apart from the cores: network
   * storage pays a round trip per operation, so speed comes from many at once. The path engine uses
   * them all at once on storage slow to answer (NFS, FUSE), one per core on a fast local disk.
   * @default 16
   */
  readonly ioConcurrency?: number;
  /** The target's storage driver, whose layout the copy follows (driver-layout.ts). @default detected */
  readonly toDriver?: StorageDriver;
  /** This host's part of a copy shared by several (shard.ts). @default everything */
  readonly shard?: Shard;
  /** Decide "already copied" by digest instead of size and mtime. @default false */
  readonly checksum?: boolean;
  /** Copy `_uploads` (incomplete uploads) too. @default false */
  readonly includeUploads?: boolean;
  /** Count what would be copied; write nothing. @default false */
  readonly dryRun?: boolean;
  /** Accept a source that is not a registry storage (no docker/registry/v2/{repositories,blobs}). @default false */
  readonly anyTree?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: StorageProgress) => void;
}

/** What `preflight` needs beyond the two locations; copy passes its own options through. */
export interface PreflightOptions {
  /** @default { from: '--from', to: '--to' } */
  readonly flags?: LocationFlags;
  /** Count `_uploads` towards the space needed. @default false */
  readonly includeUploads?: boolean;
  readonly ioConcurrency?: number;
  readonly shard?: Shard;
  /** @default false (see CopyOptions) */
  readonly anyTree?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: StorageProgress) => void;
}

/**
 * The result of a copy. A copy with `problems` is incomplete (the files named there were not placed under
 * their real names): callers must fail the step; a re-run copies them again once the cause is fixed.
 * Only unexpected failures (target I/O errors, no space left, abort) throw.
 */
export interface CopySummary {
  /** Files and bytes in the source (after exclusions). */
  readonly files: number;
  readonly bytes: number;
  /** What this run wrote (0 on an unchanged re-run); in a dry run, what it would write. */
  readonly filesCopied: number;
  readonly bytesCopied: number;
  readonly filesSkipped: number;
  readonly durationMs: number;
  /** Temporary files of an earlier, interrupted run that this run removed from the target. @default 0 */
  readonly staleTempFilesRemoved?: number;
  /** Blobs whose content does not match their digest, files that changed while copied, ... */
  readonly problems: readonly StorageProblem[];
}

export interface VerifyOptions {
  readonly from: StorageLocation;
  readonly to: StorageLocation;
  /** @default { from: '--from', to: '--to' } */
  readonly flags?: LocationFlags;
  /** Threads that hash (CPU). @default the number of cores */
  readonly concurrency?: number;
  /** Files in flight at once (see CopyOptions). @default 16 */
  readonly ioConcurrency?: number;
  readonly toDriver?: StorageDriver;
  readonly shard?: Shard;
  /**
   * The source side (every source file in the target with the same size) was proven by a copy that
   * just walked both trees and found no problem: check the target only (its blobs and links).
   * @default false
   */
  readonly sourceChecked?: boolean;
  readonly includeUploads?: boolean;
  /** @default false (see CopyOptions) */
  readonly anyTree?: boolean;
  /** Hash every blob, even those the target's ledger says are unchanged since an earlier verify. */
  readonly rehash?: boolean;
  /** Where verified-blob ledgers are kept (ledger.ts); null keeps none. @default defaultLedgerDir() */
  readonly ledgerDir?: string | null;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: StorageProgress) => void;
}

export interface VerifySummary {
  readonly ok: boolean;
  /** Source files compared with the target (existence and size). */
  readonly filesChecked: number;
  /** Their bytes: the size of what was verified (absent when the source side was not walked: `sourceChecked`). */
  readonly sourceBytes?: number;
  /** Bytes read and hashed from the target's blobs. */
  readonly bytesChecked: number;
  readonly blobsHashed: number;
  /** Blobs not read again: unchanged (size, times, inode) since an earlier verify found them intact. */
  readonly blobsTrusted?: number;
  readonly linksChecked: number;
  readonly durationMs: number;
  /** Every problem found, not only the first. */
  readonly problems: readonly StorageProblem[];
  /**
   * Files in the target that the source lacks (`not-in-source`). Not a failure of the copy, but blobs
   * among them would be deleted by DTR's blob GC once it runs on this storage. @default []
   */
  readonly extra?: readonly StorageProblem[];
  /**
   * Links of the target that point to a blob the source lacks too (`dangling-in-source`): the copy is
   * faithful, the registry was incomplete before it. @default []
   */
  readonly inherited?: readonly StorageProblem[];
}

/** What `estimate` measures between two locations (see estimate.ts). */
export interface EstimateOptions {
  readonly from: StorageLocation;
  readonly to: StorageLocation;
  readonly flags?: LocationFlags;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: StorageProgress) => void;
}

/** A short timed read or write: `bytes` moved in `ms`. */
export interface ThroughputSample {
  readonly bytes: number;
  readonly ms: number;
}

export interface StorageEstimate {
  /** Files and bytes of the source (after exclusions). */
  readonly files: number;
  readonly bytes: number;
  /** What a copy would still write: everything, less what a copy made earlier left current. */
  readonly filesToCopy: number;
  readonly bytesToCopy: number;
  /** Available to an unprivileged writer on the target's filesystem. */
  readonly freeBytes: number;
  /** Blobs the target's verify ledger already vouches for (not read again while unchanged). */
  readonly blobsProved: number;
  readonly read: ThroughputSample;
  readonly write: ThroughputSample;
  /** The fastest directory round trip of each side (latency-probe.ts): what every file costs a few times. */
  readonly roundTripMs: { readonly source: number; readonly target: number };
  /** Files the engine keeps in flight at once on this pair (more on storage slow to answer). */
  readonly filesInFlight: number;
}

export interface StorageEngine {
  /**
   * Checks before anything is written: source readable, target writable, not nested, free space for what
   * still has to be copied (a streaming scan of both trees). Throws `STORAGE_INVALID`. `copy` runs the
   * same checks itself, so calling this right before `copy` only repeats the scan.
   */
  preflight(from: StorageLocation, to: StorageLocation, options?: PreflightOptions): Promise<void>;
  copy(options: CopyOptions): Promise<CopySummary>;
  verify(options: VerifyOptions): Promise<VerifySummary>;
  /**
   * Measures without copying, for a plan: the dry-run scan, free space, the ledger, and short read and
   * write samples (the write sample's file is removed). Engines that cannot measure leave it out.
   */
  estimate?(options: EstimateOptions): Promise<StorageEstimate>;
}
