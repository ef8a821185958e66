/**
 * `preflight` and `copy` for mounted paths: resolve and check the locations, scan (counting what is still
 * to copy, removing an interrupted run's temporary files), check free space, then the copy pass.
 *
 * Failure policy: bad input is STORAGE_INVALID before anything is written; per-file source trouble is a
 * problem in the summary (the caller fails the step); target trouble is STORAGE_FAILED at once; an abort
 * is INTERRUPTED. In every case no file appears under its real name unless complete.
 */

import { availableParallelism } from 'node:os';
import { MigrateError, isMigrateError } from '../errors.js';
import type { CopyContext } from './copy-file.js';
import { scanForCopy } from './copy-scan.js';
import type { ScanResult } from './copy-scan.js';
import { copyTree } from './copy-tree.js';
import { allocationUnit, assertEnoughSpace } from './free-space.js';
import type { StatfsFunction } from './free-space.js';
import { describeError } from './fs-errors.js';
import { HashPool } from './hash-pool.js';
import { createTempNamer } from './layout.js';
import { prepareTarget, resolveLocations } from './locations.js';
import type { ResolvedLocations } from './locations.js';
import { ProgressReporter } from './progress.js';
import type { CopyOptions, CopySummary, PreflightOptions, StorageLocation, StorageProblem } from './types.js';

export interface EngineDeps {
  readonly statfs: StatfsFunction;
}

/** A positive integer from an option, or STORAGE_INVALID naming the flag. */
export function positiveInteger(value: number | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new MigrateError('STORAGE_INVALID', `${flag} must be a whole number of at least 1, not ${value}.`, {
      hint: `Pass ${flag} 8, for example, or leave it out for the default.`,
    });
  }
  return value;
}

/** Runs `work` under an internal abort signal that follows the caller's and any fatal error. */
export async function withAbort<T>(
  what: string,
  signal: AbortSignal | undefined,
  work: (internal: AbortController) => Promise<T>,
): Promise<T> {
  const internal = new AbortController();
  const follow = (): void => internal.abort(signal?.reason);
  if (signal?.aborted) follow();
  signal?.addEventListener('abort', follow, { once: true });
  try {
    const result = await work(internal);
    internal.signal.throwIfAborted();
    return result;
  } catch (error) {
    if (signal?.aborted) {
      throw new MigrateError('INTERRUPTED', `The storage ${what} was interrupted.`, {
        hint: `Run the ${what} again: it resumes where it stopped.`,
        cause: signal.reason,
      });
    }
    // The first fatal error stopped everything; what the other files threw while stopping is noise.
    const first = internal.signal.aborted ? internal.signal.reason : error;
    if (isMigrateError(first)) throw first;
    throw new MigrateError('STORAGE_FAILED', `The storage ${what} failed: ${describeError(first)}`, {
      hint: `Fix the cause, then run the ${what} again: it resumes where it stopped.`,
      cause: first,
    });
  } finally {
    signal?.removeEventListener('abort', follow);
  }
}

interface ScanSettings {
  readonly includeUploads: boolean;
  readonly concurrency: number;
  readonly removeStale: boolean;
  readonly onProgress: CopyOptions['onProgress'];
}

/** Resolve, scan, check space: everything `preflight` promises, shared with `copy`. */
async function checkAndScan(
  deps: EngineDeps,
  from: StorageLocation,
  to: StorageLocation,
  settings: ScanSettings,
  internal: AbortController,
): Promise<{ locations: ResolvedLocations; scan: ScanResult }> {
  const locations = await resolveLocations(from, to);
  const before = await deps.statfs(locations.existingTarget);
  const progress = new ProgressReporter('scan', settings.onProgress, (error) => internal.abort(error));
  progress.start();
  let scan: ScanResult;
  try {
    scan = await scanForCopy(locations, {
      includeUploads: settings.includeUploads,
      concurrency: settings.concurrency,
      signal: internal.signal,
      removeStale: settings.removeStale,
      blockSize: allocationUnit(before),
      progress,
    });
  } finally {
    progress.finish();
  }
  internal.signal.throwIfAborted();
  // Asked again: the scan may have removed stale temporary files.
  assertEnoughSpace(locations.target, await deps.statfs(locations.existingTarget), scan);
  return { locations, scan };
}

export function runPreflight(
  deps: EngineDeps,
  from: StorageLocation,
  to: StorageLocation,
  options: PreflightOptions = {},
): Promise<void> {
  return withAbort('preflight', options.signal, async (internal) => {
    const settings = {
      includeUploads: options.includeUploads ?? false,
      concurrency: 8,
      removeStale: false,
      onProgress: options.onProgress,
    };
    await checkAndScan(deps, from, to, settings, internal);
  });
}

export async function runCopy(deps: EngineDeps, options: CopyOptions): Promise<CopySummary> {
  const started = performance.now();
  const concurrency = positiveInteger(options.concurrency, 8, '--concurrency');
  const includeUploads = options.includeUploads ?? false;
  const dryRun = options.dryRun ?? false;
  return withAbort('copy', options.signal, async (internal) => {
    const settings = { includeUploads, concurrency, removeStale: !dryRun, onProgress: options.onProgress };
    const { locations, scan } = await checkAndScan(deps, options.from, options.to, settings, internal);
    if (!dryRun) await prepareTarget(locations);

    // Hashing copies are CPU-bound: more workers than cores would only take turns.
    const pool = new HashPool(Math.min(concurrency, availableParallelism()));
    const stop = (reason: unknown): void => {
      internal.abort(reason);
      pool.abort();
    };
    internal.signal.addEventListener('abort', () => pool.abort(), { once: true });
    const progress = new ProgressReporter('copy', options.onProgress, stop);
    progress.totalFiles = scan.files;
    progress.totalBytes = scan.bytes;
    progress.extraBytes = () => pool.bytesRead();
    const problems: StorageProblem[] = [];
    const ctx: CopyContext = {
      source: locations.source,
      target: locations.target,
      checksum: options.checksum ?? false,
      dryRun,
      signal: internal.signal,
      pool,
      tempName: createTempNamer(),
      problems,
      progress,
      counters: { files: 0, bytes: 0, filesCopied: 0, bytesCopied: 0, filesSkipped: 0 },
      owner: process.getuid?.() === 0 ? { uid: 0, gid: process.getgid?.() ?? 0 } : undefined,
    };
    progress.start();
    try {
      await copyTree(ctx, { includeUploads, concurrency, stop });
    } finally {
      progress.finish();
      await pool.close();
    }
    const { counters } = ctx;
    return {
      files: counters.files,
      bytes: counters.bytes,
      filesCopied: counters.filesCopied,
      bytesCopied: counters.bytesCopied,
      filesSkipped: counters.filesSkipped,
      durationMs: Math.round(performance.now() - started),
      staleTempFilesRemoved: scan.staleTempFilesRemoved,
      problems: problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    };
  });
}
