/** What copy, preflight and verify share: option checks, abort and error mapping, problem order. */

import { availableParallelism } from 'node:os';
import { MigrateError, isMigrateError } from '../errors.js';
import { WorkerFailure } from './tree-workers.js';
import type { StorageProblem } from './types.js';

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

/**
 * Runs `work` under an internal abort controller that follows the caller's signal, and maps what comes
 * out: the caller's abort becomes INTERRUPTED, a worker's fatal failure STORAGE_FAILED.
 */
export async function withAbort<T>(
  what: 'copy' | 'preflight' | 'verify',
  signal: AbortSignal | undefined,
  work: (internal: AbortController) => Promise<T>,
): Promise<T> {
  const internal = new AbortController();
  const follow = (): void => internal.abort(signal?.reason);
  if (signal?.aborted) follow();
  signal?.addEventListener('abort', follow, { once: true });
  try {
    internal.signal.throwIfAborted();
    const result = await work(internal);
    internal.signal.throwIfAborted();
    return result;
  } catch (error) {
    if (signal?.aborted) {
      const safe = what === 'copy' ? '; no incomplete file was left under its real name' : '';
      throw new MigrateError('INTERRUPTED', `The storage ${what} was interrupted${safe}.`, {
        hint: `Run the ${what} again: it resumes where it stopped.`,
        cause: signal.reason,
      });
    }
    // A progress callback that threw aborted the run: its error is the one to report.
    const first = internal.signal.aborted ? internal.signal.reason : error;
    if (isMigrateError(first)) throw first;
    const space = first instanceof WorkerFailure && (first.code === 'ENOSPC' || first.code === 'EDQUOT');
    throw new MigrateError(
      'STORAGE_FAILED',
      `The storage ${what} failed: ${first instanceof Error ? first.message : String(first)}`,
      {
        hint: space
          ? 'The --to volume is full: free space or pass a larger one, then run again; copied files are kept.'
          : `Check the --to volume (permissions, health), then run the ${what} again: it resumes where it stopped.`,
        cause: first,
      },
    );
  } finally {
    signal?.removeEventListener('abort', follow);
  }
}

/** Worker threads: `start` at first (one per core), up to `size` (files in flight) on slow storage. */
export function workerCounts(options: { readonly concurrency?: number; readonly ioConcurrency?: number }): {
  start: number;
  size: number;
} {
  const start = positiveInteger(options.concurrency, availableParallelism(), '--concurrency');
  const size = Math.max(start, positiveInteger(options.ioConcurrency, defaultIoConcurrency, '--io-concurrency'));
  return { start, size };
}

/**
 * One buffer per worker. Large reads keep a local disk's read-ahead and the page cache streaming; on slow
 * storage, where many workers run, a quarter of that still spans several NFS or FUSE requests per read
 * and keeps the buffers of 16 workers at 4 MB.
 */
export function readBufferSize(slowStorage: boolean): number {
  return slowStorage ? 256 << 10 : 1 << 20;
}

/**
 * [choice] files in flight on network storage. Each is a worker thread here (about 10 MB with its own
 * heap): 16 keep the engine near 200 MB; on the FUSE rig at 1 ms per operation, 8 and 32 took the same
 * time on this two-core machine (the rig's daemons were the limit), so more buys nothing there.
 */
export const defaultIoConcurrency = 16;

export function sortProblems(problems: StorageProblem[]): StorageProblem[] {
  return problems.sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0,
  );
}
