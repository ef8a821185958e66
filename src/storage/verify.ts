/**
 * `verify`: proves the target complete and intact, and names every problem, not only the first.
 *
 * Two walks run side by side. The source walk checks that each source file exists in the target with the
 * same size (cheap: stats only, and it finishes early, which gives the progress its totals). The target
 * walk hashes every blob on the worker pool (all cores) against the digest in its path and checks that
 * every `link` under `repositories/` names a blob the target holds. Nothing is written.
 *
 * Progress (phase `verify`): files and bytes hashed; the totals are the source's blobs, known once the
 * source walk has finished.
 */

import type { Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { positiveInteger, withAbort } from './copy.js';
import { describeError, isNotFound } from './fs-errors.js';
import { HashPool } from './hash-pool.js';
import { blobDigestOf, isLinkPath, linkTargetOf } from './layout.js';
import { resolveVerifyLocations } from './locations.js';
import { ProgressReporter } from './progress.js';
import { walkTree } from './tree-walk.js';
import type { WalkVisitor } from './tree-walk.js';
import type { StorageProblem, VerifyOptions, VerifySummary } from './types.js';

/** A link file holds `sha256:` and 64 hex digits; anything much longer is not a link. */
async function readHead(path: string, bytes = 256): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

function visitor(
  file: (rel: string) => Promise<void>,
  problems: StorageProblem[],
  side: string,
  stop: (error: unknown) => void,
): WalkVisitor<undefined> {
  return {
    enterDir: async () => undefined,
    async file(rel) {
      try {
        await file(rel);
      } catch (error) {
        stop(error);
        throw error;
      }
    },
    leaveDir: async () => undefined,
    dirError(rel, error) {
      if (rel === '') throw error;
      problems.push({ kind: 'unreadable', path: rel, detail: `${side} directory: ${describeError(error)}` });
    },
  };
}

export async function runVerify(options: VerifyOptions): Promise<VerifySummary> {
  const started = performance.now();
  const workers = positiveInteger(options.concurrency, availableParallelism(), '--concurrency');
  const includeUploads = options.includeUploads ?? false;
  return withAbort('verify', options.signal, async (internal) => {
    const { source, target } = await resolveVerifyLocations(options.from, options.to);
    const pool = new HashPool(workers);
    const stop = (reason: unknown): void => {
      internal.abort(reason);
      pool.abort();
    };
    internal.signal.addEventListener('abort', () => pool.abort(), { once: true });
    const progress = new ProgressReporter('verify', options.onProgress, stop);
    progress.extraBytes = () => pool.bytesRead();
    const problems: StorageProblem[] = [];
    const counts = { filesChecked: 0, blobsHashed: 0, linksChecked: 0, sourceBlobs: 0, sourceBlobBytes: 0 };

    const compareWithSource = async (rel: string): Promise<void> => {
      let stats: Stats;
      try {
        stats = await lstat(join(source, rel));
      } catch (error) {
        // A source file gone since the listing is the source's business, not a gap in the target.
        if (!isNotFound(error)) problems.push({ kind: 'unreadable', path: rel, detail: `source: ${describeError(error)}` });
        return;
      }
      if (!stats.isFile() && !stats.isSymbolicLink()) return;
      counts.filesChecked += 1;
      if (blobDigestOf(rel) !== undefined) {
        counts.sourceBlobs += 1;
        counts.sourceBlobBytes += stats.size;
      }
      try {
        const copied = await lstat(join(target, rel));
        if (copied.size !== stats.size) {
          problems.push({ kind: 'size-differs', path: rel, detail: `source ${stats.size} bytes, target ${copied.size}` });
        }
      } catch (error) {
        if (isNotFound(error)) problems.push({ kind: 'missing', path: rel });
        else problems.push({ kind: 'unreadable', path: rel, detail: `target: ${describeError(error)}` });
      }
    };

    const checkTarget = async (rel: string): Promise<void> => {
      const path = join(target, rel);
      const digest = blobDigestOf(rel);
      try {
        if (digest !== undefined) {
          const result = await pool.hash(path);
          counts.blobsHashed += 1;
          progress.files += 1;
          if (result.digest !== digest) {
            problems.push({ kind: 'digest-mismatch', path: rel, detail: `content hashes to sha256:${result.digest}` });
          }
        } else if (isLinkPath(rel)) {
          counts.linksChecked += 1;
          const content = await readHead(path);
          const blob = linkTargetOf(rel, content);
          if (blob === undefined) {
            problems.push({ kind: 'dangling-link', path: rel, detail: 'content is not "sha256:<64 hex digits>"' });
          } else if (!(await lstat(join(target, blob)).then((stats) => stats.isFile(), () => false))) {
            problems.push({ kind: 'dangling-link', path: rel, detail: `points to ${content.trim()}, not in the target` });
          }
        }
      } catch (error) {
        if (internal.signal.aborted) throw error;
        problems.push({ kind: 'unreadable', path: rel, detail: `target: ${describeError(error)}` });
      }
    };

    const walk = (root: string, concurrency: number, file: (rel: string) => Promise<void>, side: string) =>
      walkTree({ root, includeUploads, concurrency, signal: internal.signal }, visitor(file, problems, side, stop)).catch(
        (error: unknown) => {
          stop(error);
          throw error;
        },
      );
    progress.start();
    try {
      // allSettled: when one walk fails, the other is stopped and awaited before the pool closes.
      const results = await Promise.allSettled([
        walk(source, 16, compareWithSource, 'source').then(() => {
          progress.totalFiles = counts.sourceBlobs;
          progress.totalBytes = counts.sourceBlobBytes;
        }),
        // Enough files in flight that every worker always has the next blob queued.
        walk(target, Math.max(8, workers * 4), checkTarget, 'target'),
      ]);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
    } finally {
      progress.finish();
      await pool.close();
    }
    return {
      ok: problems.length === 0,
      filesChecked: counts.filesChecked,
      bytesChecked: pool.bytesRead(),
      blobsHashed: counts.blobsHashed,
      linksChecked: counts.linksChecked,
      durationMs: Math.round(performance.now() - started),
      problems: problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : 1)),
    };
  });
}
