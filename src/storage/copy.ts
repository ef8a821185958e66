/**
 * `preflight` and `copy` for mounted paths: resolve and check the locations, scan (counting what is still
 * to copy), check free space, then copy. The tree workers do all file work; this module sequences the
 * phases and turns their results into the summary. When the scan finds nothing that differs (the usual
 * re-run), the copy pass is skipped.
 *
 * Interruption: a marker file in the target root exists while a copy writes there. A run that finds it
 * knows the previous one was killed and sweeps the target directories for its temporary files; a run
 * that does not find it skips that sweep.
 *
 * Failure policy: bad input is STORAGE_INVALID before anything is written; per-file source trouble
 * (corrupt blob, file changed or vanished while copied, unreadable) is a problem in the summary, and the
 * caller must fail the step on any problem; target trouble is STORAGE_FAILED at once; an abort is
 * INTERRUPTED. In every case no file appears under its real name unless complete.
 */

import { randomBytes } from 'node:crypto';
import { access, lstat, rm, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MigrateError } from '../errors.js';
import { isAlive } from '../util/process-alive.js';
import { readRegularFile } from '../util/regular-file.js';
import { allocationUnit, assertEnoughSpace } from './free-space.js';
import type { ScanResult, StatfsFunction } from './free-space.js';
import { onSlowStorage } from './latency-probe.js';
import { shardMarkerName } from './layout.js';
import { prepareTarget, resolveLocations, storageCommandFlags } from './locations.js';
import type { ResolvedLocations } from './locations.js';
import { ProgressReporter } from './progress.js';
import { readBufferSize, sortProblems, withAbort, workerCounts } from './run-control.js';
import type { Shard } from './shard.js';
import { TreeWorkers } from './tree-workers.js';
import type {
  CopyOptions,
  CopySummary,
  LocationFlags,
  PreflightOptions,
  StorageLocation,
  StorageProblem,
} from './types.js';
import type { Counters, WorkerConfig } from './worker-types.js';

export interface EngineDeps {
  readonly statfs: StatfsFunction;
}

interface Settings {
  readonly includeUploads: boolean;
  readonly checksum: boolean;
  readonly dryRun: boolean;
  readonly workers: { readonly start: number; readonly size: number };
  readonly shard: Shard | undefined;
  readonly onProgress: CopyOptions['onProgress'];
  readonly flags: LocationFlags;
  readonly anyTree: boolean;
}

interface Prepared {
  readonly locations: ResolvedLocations;
  readonly workers: TreeWorkers;
  readonly scan: ScanResult;
  readonly marker: string;
  readonly interrupted: boolean;
}

function add(into: Counters, from: Counters): void {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
}

/**
 * The marker names the copy that wrote it. If that copy still runs on this machine, this one must not
 * start: its sweep would delete the other's temporary files. From another machine it cannot be told
 * apart from a killed copy. [choice: an NFS target shared by two hosts is the operator's to coordinate]
 */
async function refuseWhileAnotherCopyRuns(marker: string, target: string): Promise<void> {
  let owner: { pid?: unknown; host?: unknown } = {};
  try {
    owner = JSON.parse(await readRegularFile(marker)) as typeof owner;
  } catch {
    return; // empty, unreadable or not a file: written by an older version, cut off by the kill, or not ours
  }
  if (owner.host !== hostname() || typeof owner.pid !== 'number' || owner.pid === process.pid || !isAlive(owner.pid))
    return;
  throw new MigrateError(
    'STORAGE_INVALID',
    `Another copy (pid ${owner.pid} on this machine) is writing to ${target} right now.`,
    {
      hint: `Wait for it to end, or stop it, then run again. If no copy runs (the machine restarted since), remove ${marker} and run again.`,
    },
  );
}

/** Resolve, scan, check space: what `preflight` promises, shared with `copy`. */
async function checkAndScan(
  deps: EngineDeps,
  from: StorageLocation,
  to: StorageLocation,
  settings: Settings,
  internal: AbortController,
): Promise<Prepared> {
  const locations = await resolveLocations(from, to, settings);
  const marker = join(locations.target, shardMarkerName(settings.shard));
  const interrupted =
    locations.targetExists &&
    (await access(marker).then(
      () => true,
      () => false,
    ));
  if (interrupted) await refuseWhileAnotherCopyRuns(marker, locations.target);
  const before = await deps.statfs(locations.existingTarget);
  const slow = onSlowStorage([locations.source, locations.existingTarget]);
  const config: WorkerConfig = {
    source: locations.source,
    target: locations.target,
    includeUploads: settings.includeUploads,
    checksum: settings.checksum,
    dryRun: settings.dryRun,
    staleTemps: !interrupted ? 'ignore' : settings.dryRun ? 'count' : 'remove',
    checkDirs: interrupted,
    blockSize: allocationUnit(before),
    owner: process.getuid?.() === 0 ? { uid: 0, gid: process.getgid?.() ?? 0 } : null,
    bufferSize: readBufferSize(slow),
    runId: randomBytes(3).toString('hex'),
    umask: process.umask(),
    ledger: null,
    shard: settings.shard ?? null,
  };
  const workers = new TreeWorkers(settings.workers.size, config, settings.workers.start, slow);
  internal.signal.addEventListener('abort', () => workers.abort(), { once: true });
  const counters: Counters = {};
  const read = (): { files: number; bytes: number } => workers.progress();
  const progress = new ProgressReporter('scan', settings.onProgress, (error) => internal.abort(error), read);
  progress.start();
  try {
    const root = { op: 'scan' as const, rel: '', missing: !locations.targetExists };
    await workers.run([root], { onProblem: () => undefined, onCounters: (_op, found) => add(counters, found) });
    internal.signal.throwIfAborted();
    const count = (name: string): number => counters[name] ?? 0;
    const scan: ScanResult = {
      files: count('files'),
      bytes: count('bytes'),
      filesToCopy: count('filesToCopy'),
      bytesToCopy: count('bytesToCopy'),
      spaceNeeded: count('spaceNeeded'),
      inodesNeeded: count('inodesNeeded'),
      metadataChanges: count('metadataChanges'),
      sourceTrouble: count('sourceTrouble'),
      staleRemoved: count('staleRemoved'),
      staleBytesKept: count('staleBytesKept'),
    };
    // Asked again: the scan may have removed stale temporary files.
    assertEnoughSpace(locations.target, await deps.statfs(locations.existingTarget), scan);
    return { locations, workers, scan, marker, interrupted };
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
      workers: workerCounts(options),
      shard: options.shard,
      onProgress: options.onProgress,
      flags: options.flags ?? storageCommandFlags,
      anyTree: options.anyTree ?? false,
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
    workers: workerCounts(options),
    shard: options.shard,
    onProgress: options.onProgress,
    flags: options.flags ?? storageCommandFlags,
    anyTree: options.anyTree ?? false,
  };
  return withAbort('copy', options.signal, async (internal) => {
    const prepared = await checkAndScan(deps, options.from, options.to, settings, internal);
    const { locations, workers, scan } = prepared;
    // Nothing differs: no pass over the tree again (checksum mode must still read every file).
    const work = settings.checksum || scan.inodesNeeded > 0 || scan.metadataChanges > 0 || scan.sourceTrouble > 0;
    const counters: Counters = work ? {} : { files: scan.files, bytes: scan.bytes, filesSkipped: scan.files };
    const problems: StorageProblem[] = [];
    const progress = new ProgressReporter(
      'copy',
      options.onProgress,
      (error) => internal.abort(error),
      () => (work ? workers.progress() : { files: scan.files, bytes: scan.bytes }),
    );
    progress.totalFiles = scan.files;
    progress.totalBytes = scan.bytes;
    try {
      // The marker is written before anything else, and doubles as the proof that the target is writable.
      if (work && !settings.dryRun) await prepareTarget(locations, prepared.marker, settings.flags);
      workers.resetProgress();
      progress.start();
      if (work) {
        const root = { op: 'copy' as const, rel: '', missing: !locations.targetExists };
        await workers.run([root], {
          onProblem: (problem) => problems.push(problem),
          onCounters: (_op, found) => add(counters, found),
        });
        internal.signal.throwIfAborted();
      }
      // Only after a run that ended normally: every temporary file is gone. Removing the marker changed
      // the target root's mtime, which the copy had just set: set it again.
      if (!settings.dryRun && (work || prepared.interrupted)) {
        await rm(prepared.marker, { force: true });
        const root = await lstat(locations.source);
        await utimes(locations.target, root.atimeMs / 1000, root.mtimeMs / 1000);
      }
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
