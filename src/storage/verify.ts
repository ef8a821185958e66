/**
 * `verify`: proves the target complete and intact, naming every problem, not only the first. Two
 * operations run on the same tree workers (see worker-verify.ts): the source walk checks each source file
 * exists in the target with the same size; the target walk hashes every blob (on all cores) and checks
 * every link. Nothing is written to either tree; the blobs found intact go to the target's ledger
 * (ledger.ts), and those it vouches for, unchanged since, are not read again unless `rehash`.
 *
 * Progress (phase `verify`): blobs and bytes hashed; the totals are the source's blobs, known as soon as
 * the source walk (stats only, so fast) has finished.
 */

import { randomBytes } from 'node:crypto';
import {
  defaultLedgerDir,
  ledgerFileFor,
  ledgerPartPrefix,
  loadLedger,
  prepareLedgerDir,
  saveLedger,
} from './ledger.js';
import { resolveVerifyLocations } from './locations.js';
import { ProgressReporter } from './progress.js';
import { onSlowStorage } from './latency-probe.js';
import { readBufferSize, sortProblems, withAbort, workerCounts } from './run-control.js';
import { TreeWorkers } from './tree-workers.js';
import type { StorageProblem, VerifyOptions, VerifySummary } from './types.js';
import type { Counters } from './worker-types.js';

export async function runVerify(options: VerifyOptions): Promise<VerifySummary> {
  const started = performance.now();
  const counts = workerCounts(options);
  return withAbort('verify', options.signal, async (internal) => {
    const { source, target } = await resolveVerifyLocations(options.from, options.to, options);
    const runId = randomBytes(3).toString('hex');
    const ledgerDir = options.ledgerDir === undefined ? defaultLedgerDir() : options.ledgerDir;
    const ledgerFile = ledgerDir === null || ledgerDir === undefined ? undefined : ledgerFileFor(target, ledgerDir);
    const keepsLedger = ledgerFile !== undefined && (await prepareLedgerDir(ledgerFile));
    const loaded = keepsLedger ? await loadLedger(ledgerFile) : undefined;
    const vouching = options.rehash === true ? undefined : loaded;
    const slow = onSlowStorage(options.sourceChecked === true ? [target] : [source, target]);
    const workers = new TreeWorkers(
      counts.size,
      {
        source,
        target,
        includeUploads: options.includeUploads ?? false,
        checksum: false,
        dryRun: true,
        staleTemps: 'ignore',
        checkDirs: false,
        blockSize: 4096,
        owner: null,
        bufferSize: readBufferSize(slow),
        runId,
        umask: 0o022,
        ledger: keepsLedger
          ? {
              records: vouching?.records ?? null,
              index: vouching?.index ?? null,
              partPrefix: ledgerPartPrefix(ledgerFile, runId),
            }
          : null,
        shard: options.shard ?? null,
      },
      counts.start,
      slow,
    );
    internal.signal.addEventListener('abort', () => workers.abort(), { once: true });
    const counters: Counters = {};
    const problems: StorageProblem[] = [];
    const extra: StorageProblem[] = [];
    const inherited: StorageProblem[] = [];
    // Reported, but not failures of the copy.
    const apart: Partial<Record<StorageProblem['kind'], StorageProblem[]>> = {
      'not-in-source': extra,
      'dangling-in-source': inherited,
    };
    const progress = new ProgressReporter(
      'verify',
      options.onProgress,
      (error) => internal.abort(error),
      () => workers.progress(),
    );
    progress.start();
    let complete = false;
    try {
      const targetWalk = { op: 'verify-target' as const, rel: '', missing: false };
      // Last in, first out: the quick source walk starts first and gives the totals early. After a copy
      // that walked both trees without a problem, it has nothing left to prove (`sourceChecked`).
      const sourceWalk = { op: 'verify-source' as const, rel: '', missing: false };
      await workers.run(options.sourceChecked === true ? [targetWalk] : [targetWalk, sourceWalk], {
        onProblem: (problem) => (apart[problem.kind] ?? problems).push(problem),
        onCounters: (_op, found) => {
          for (const [name, value] of Object.entries(found)) counters[name] = (counters[name] ?? 0) + value;
        },
        onOpFinished: (op) => {
          if (op !== 'verify-source') return;
          progress.totalFiles = counters.sourceBlobs ?? 0;
          progress.totalBytes = counters.sourceBlobBytes ?? 0;
        },
      });
      // A shard's run visits only its part: the records of the others are kept.
      complete = !internal.signal.aborted && (options.shard === undefined || options.shard.count === 1);
    } finally {
      progress.finish();
      await workers.close();
      // Also after an interruption: what this run proved is kept for the next.
      if (keepsLedger) await saveLedger(ledgerFile, runId, complete, loaded);
    }
    return {
      ok: problems.length === 0,
      filesChecked: counters.filesChecked ?? 0,
      ...(options.sourceChecked === true ? {} : { sourceBytes: counters.sourceBytes ?? 0 }),
      bytesChecked: counters.bytesHashed ?? 0,
      blobsHashed: counters.blobsHashed ?? 0,
      blobsTrusted: counters.blobsTrusted ?? 0,
      linksChecked: counters.linksChecked ?? 0,
      durationMs: Math.round(performance.now() - started),
      problems: sortProblems(problems),
      extra: sortProblems(extra),
      inherited: sortProblems(inherited),
    };
  });
}
