/**
 * What a plan needs to say how long the copy inside the window will take, measured without copying:
 * the scan of a dry-run copy (what is still to copy after a copy made ahead of the window), the target's
 * free space, how many blobs its verify ledger already vouches for, and two short samples of speed: a
 * read of the source's blobs and a write (with fsync) into the target.
 *
 * [choice: sample size] up to 32 MiB or 1.5 s each, whichever comes first: long enough to get past the
 * first round trips of an NFS mount, short enough that `plan` stays a quick look. A read of data in the
 * page cache looks faster than the storage is (Node has no O_DIRECT), so the estimate leans short, and
 * says it is one.
 */

import { randomBytes } from 'node:crypto';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrateError } from '../errors.js';
import type { StatfsFunction } from './free-space.js';
import { defaultLedgerDir, ledgerFileFor } from './ledger.js';
import { ledgerRecordBytes } from './ledger-format.js';
import { tempName } from './layout.js';
import { fastestRoundTripMs, onSlowStorage } from './latency-probe.js';
import { resolveLocations } from './locations.js';
import { workerCounts } from './run-control.js';
import type { CopySummary, EstimateOptions, StorageEstimate, ThroughputSample } from './types.js';

const sampleBytes = 32 * 1024 * 1024;
const sampleMs = 1500;
const chunk = 1024 * 1024;

/** Blob data files of the registry under `root`, in directory order, until `enough` of them. */
async function blobFiles(root: string, enough: number): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (found.length >= enough) return;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (found.length >= enough) return;
      const path = join(dir, entry.name);
      if (entry.isFile() && entry.name === 'data' && path.includes('/blobs/sha256/')) found.push(path);
      else if (entry.isDirectory() && depth < 8 && entry.name !== 'repositories' && entry.name !== '_uploads')
        await walk(path, depth + 1);
    }
  };
  await walk(root, 0);
  return found;
}

/** Reads the source's blobs until the sample is full or its time is up. */
export async function sampleRead(source: string): Promise<ThroughputSample> {
  const buffer = Buffer.allocUnsafe(chunk);
  const started = performance.now();
  let bytes = 0;
  for (const file of await blobFiles(source, 256)) {
    const handle = await open(file, 'r').catch(() => undefined);
    if (handle === undefined) continue;
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, chunk, null);
        bytes += bytesRead;
        if (bytesRead === 0 || bytes >= sampleBytes || performance.now() - started > sampleMs) break;
      }
    } finally {
      await handle.close();
    }
    if (bytes >= sampleBytes || performance.now() - started > sampleMs) break;
  }
  return { bytes, ms: performance.now() - started };
}

/**
 * Writes incompressible data into `dir` under an engine's temporary name (never copied nor checked, and
 * swept by the next copy should this be killed), fsyncs it, and removes it.
 */
export async function sampleWrite(dir: string): Promise<ThroughputSample> {
  const file = join(dir, tempName('write-sample', randomBytes(3).toString('hex'), 0));
  const data = randomBytes(chunk);
  const started = performance.now();
  let bytes = 0;
  const handle = await open(file, 'wx', 0o600);
  try {
    while (bytes < sampleBytes && (bytes === 0 || performance.now() - started < sampleMs)) {
      await handle.write(data, 0, chunk, null);
      bytes += chunk;
    }
    await handle.sync();
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
  return { bytes, ms: performance.now() - started };
}

/** How many blobs the target's ledger vouches for (each record is one blob proved intact), 0 without one. */
async function blobsProved(target: string, ledgerDir: string | null | undefined): Promise<number> {
  if (ledgerDir === null || ledgerDir === undefined) return 0;
  const size = await stat(ledgerFileFor(target, ledgerDir)).then(
    (s) => s.size,
    () => 0,
  );
  return Math.floor(size / ledgerRecordBytes());
}

export interface EstimateDeps {
  readonly statfs: StatfsFunction;
  readonly ledgerDir?: string | null;
  /** The engine's own dry-run copy: the scan, with what is still to copy. */
  readonly dryRun: (options: EstimateOptions) => Promise<CopySummary>;
}

export async function runEstimate(deps: EstimateDeps, options: EstimateOptions): Promise<StorageEstimate> {
  const scan = await deps.dryRun(options);
  const locations = await resolveLocations(options.from, options.to, options.flags === undefined ? {} : options);
  const space = await deps.statfs(locations.existingTarget);
  const ledgerDir = deps.ledgerDir === undefined ? defaultLedgerDir() : deps.ledgerDir;
  const slow = onSlowStorage([locations.source, locations.existingTarget]);
  return {
    roundTripMs: {
      source: fastestRoundTripMs(locations.source),
      target: fastestRoundTripMs(locations.existingTarget),
    },
    // As the copy decides it (run-control.ts): every file slot at once on slow storage, a walker per core else.
    filesInFlight: slow ? workerCounts({}).size : workerCounts({}).start,
    files: scan.files,
    bytes: scan.bytes,
    filesToCopy: scan.filesCopied,
    bytesToCopy: scan.bytesCopied,
    freeBytes: space.bavail * space.bsize,
    blobsProved: locations.targetExists ? await blobsProved(locations.target, ledgerDir) : 0,
    read: await sampleRead(locations.source),
    write: await sampleWrite(locations.existingTarget).catch((error: unknown) => {
      throw new MigrateError(
        'STORAGE_INVALID',
        `a short write sample into ${locations.existingTarget} failed (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        { hint: 'Check that the new storage is mounted writable and has room, then plan again.', cause: error },
      );
    }),
  };
}
