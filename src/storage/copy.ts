/**
 * `preflight` and `copy` for mounted paths: resolve and check the locations, scan (counting what is still
 * to copy, removing an interrupted run's temporary files), check free space, then copy. The tree workers
 * do all file work; this module sequences the phases and turns their results into the summary.
 *
 * Failure policy: bad input is STORAGE_INVALID before anything is written; per-file source trouble
 * (corrupt blob, file changed or vanished while copied, unreadable) is a problem in the summary, and the
 * caller must fail the step on any problem; target trouble is STORAGE_FAILED at once; an abort is
 * INTERRUPTED. In every case no file appears under its real name unless complete.
 */

import { randomBytes } from 'node:crypto';
import { allocationUnit, assertEnoughSpace } from './free-space.js';
import type { ScanResult, StatfsFunction } from './free-space.js';
import { prepareTarget, resolveLocations } from './locations.js';
import type { ResolvedLocations } from './locations.js';
import { ProgressReporter } from './progress.js';
import { positiveInteger, sortProblems, withAbort } from './run-control.js';
import { TreeWorkers } from './tree-workers.js';
import type { CopyOptions, CopySummary, PreflightOptions, StorageLocation, StorageProblem } from './types.js';
import type { Counters, WorkerConfig } from './worker-types.js';

export interface EngineDeps {
  readonly statfs: StatfsFunction;
}

interface Settings {
  readonly includeUploads: boolean;
  readonly checksum: boolean;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly onProgress: CopyOptions['onProgress'];
}

function workerConfig(locations: ResolvedLocations, settings: Settings, blockSize: number): WorkerConfig {
  const root = process.getuid?.() === 0;
  return {
    source: locations.source,
    target: locations.target,
    includeUploads: settings.includeUploads,
    checksum: settings.checksum,
    dryRun: settings.dryRun,
    removeStale: !settings.dryRun,
    blockSize,
    owner: root ? { uid: 0, gid: process.getgid?.() ?? 0 } : null,
    // Large reads keep NFS read-ahead and the page cache streaming; one buffer per worker.
    bufferSize: 1 << 20,
    runId: randomBytes(3).toString('hex'),
    umask: process.umask(),
  };
}

function add(into: Counters, from: Counters): void {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
}

/** Resolve, scan, check space: what `preflight` promises, shared with `copy`. */
async function checkAndScan(
  deps: EngineDeps,
  from: StorageLocation,
  to: StorageLocation,
  settings: Settings,
  internal: AbortController,
): Promise<{ locations: ResolvedLocations; workers: TreeWorkers; scan: ScanResult }> {
  const locations = await resolveLocations(from, to);
  const before = await deps.statfs(locations.existingTarget);
  const workers = new TreeWorkers(settings.concurrency, workerConfig(locations, settings, allocationUnit(before)));
  internal.signal.addEventListener('abort', () => workers.abort(), { once: true });
  const counters: Counters = {};
  const progress = new ProgressReporter('scan', settings.onProgress, (error) => internal.abort(error), () =>
    workers.progress(),
  );
  progress.start();
  try {
    const root = { op: 'scan' as const, rel: '', missing: !locations.targetExists };
    await workers.run([root], { onProblem: () => undefined, onCounters: (_op, found) => add(counters, found) });
    internal.signal.throwIfAborted();
    const scan: ScanResult = {
      files: counters.files ?? 0,
      bytes: counters.bytes ?? 0,
      filesToCopy: counters.filesToCopy ?? 0,
      bytesToCopy: counters.bytesToCopy ?? 0,
      spaceNeeded: counters.spaceNeeded ?? 0,
      inodesNeeded: counters.inodesNeeded ?? 0,
      staleRemoved: counters.staleRemoved ?? 0,
      staleBytesKept: counters.staleBytesKept ?? 0,
    };
    // Asked again: the scan may have removed stale temporary files.
    assertEnoughSpace(locations.target, await deps.statfs(locations.existingTarget), scan);
    return { locations, workers, scan };
  } catch (error) {
    await workers.close();
    throw error;
  } finally {
    progress.finish();
  }
}

export function runPreflight(
  deps: EngineDeps,
  from: StorageLocation,
  to: StorageLocation,
  options: PreflightOptions = {},
): Promise<void> {
  return withAbort('preflight', options.signal, async (internal) => {
    const settings: Settings = {
      includeUploads: options.includeUploads ?? false,
      checksum: false,
      dryRun: true,
      concurrency: 8,
      onProgress: options.onProgress,
    };
    const { workers } = await checkAndScan(deps, from, to, settings, internal);
    await workers.close();
  });
}

export async function runCopy(deps: EngineDeps, options: CopyOptions): Promise<CopySummary> {
  const started = performance.now();
  const settings: Settings = {
    includeUploads: options.includeUploads ?? false,
    checksum: options.checksum ?? false,
    dryRun: options.dryRun ?? false,
    concurrency: positiveInteger(options.concurrency, 8, '--concurrency'),
    onProgress: options.onProgress,
  };
  return withAbort('copy', options.signal, async (internal) => {
    const { locations, workers, scan } = await checkAndScan(deps, options.from, options.to, settings, internal);
    const counters: Counters = {};
    const problems: StorageProblem[] = [];
    const progress = new ProgressReporter('copy', options.onProgress, (error) => internal.abort(error), () =>
      workers.progress(),
    );
    progress.totalFiles = scan.files;
    progress.totalBytes = scan.bytes;
    try {
      if (!settings.dryRun) await prepareTarget(locations);
      workers.resetProgress();
      progress.start();
      const root = { op: 'copy' as const, rel: '', missing: !locations.targetExists };
      await workers.run([root], {
        onProblem: (problem) => problems.push(problem),
        onCounters: (_op, found) => add(counters, found),
      });
    } finally {
      progress.finish();
      await workers.close();
    }
    return {
      files: counters.files ?? 0,
      bytes: counters.bytes ?? 0,
      filesCopied: counters.filesCopied ?? 0,
      bytesCopied: counters.bytesCopied ?? 0,
      filesSkipped: counters.filesSkipped ?? 0,
      durationMs: Math.round(performance.now() - started),
      staleTempFilesRemoved: scan.staleRemoved,
      problems: sortProblems(problems),
    };
  });
}
