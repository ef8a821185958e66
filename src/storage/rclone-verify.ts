/**
 * Verify through rclone, proving content rather than metadata: a store's md5 or etag is no content hash
 * for multipart uploads, and some stores keep none. So:
 * 1. `rclone check --one-way --size-only`: every source object is in the target with the same size;
 * 2. the target listed once (`lsjson`), which gives the blobs it holds;
 * 3. `rclone hashsum sha256 --download`, in parallel (`--checkers`): every blob's content, read through
 *    rclone, must hash to its digest; every link file's content must hash to `sha256:<digest>` of a blob
 *    the target holds (so links need no download of their own, and no per-link request).
 *
 * The ledger (ledger.ts) takes part where the store gives each object a modification time and an md5
 * (the etag of a plain upload, rclone's own metadata for a multipart one): a blob whose size, time and
 * md5 are those of a record is not read again. An object cannot change without a new md5 (a new upload
 * gets a new etag), so the clock-tick rule of files does not apply. Objects without an md5 are always read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessError, runProcess } from '../docker/run-process.js';
import { blobDigestOf, isLinkPath } from './layout.js';
import {
  defaultLedgerDir,
  ledgerFileFor,
  ledgerPartPrefix,
  loadLedger,
  prepareLedgerDir,
  saveLedger,
} from './ledger.js';
import { ledgerRecordBytes, ledgerVouchesFor, writeLedgerRecord } from './ledger-format.js';
import type { LedgerStats } from './ledger-format.js';
import { explain, forEachLine, listObjects, withScratch } from './rclone-run.js';
import type { ListedObject } from './rclone-run.js';
import { sortProblems } from './run-control.js';
import { inShard } from './shard.js';
import type { Shard } from './shard.js';
import type { StorageProblem, VerifySummary } from './types.js';

export interface RemoteVerify {
  readonly bin: string;
  readonly from: string;
  /** The target's registry tree, laid out for its driver (rclone-run.ts `mappedTarget`). */
  readonly to: string;
  /** A local target: rclone would compute md5 by reading, so the listing asks for none. */
  readonly localTarget: boolean;
  readonly filters: readonly string[];
  readonly shard: Shard | undefined;
  /** Parallel reads (`--checkers`). */
  readonly concurrency: number;
  readonly rehash: boolean;
  readonly ledgerDir: string | null | undefined;
  readonly signal: AbortSignal | undefined;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** An object's size, modification time (ns) and md5 (its first 64 bits) in the ledger's record shape. */
function objectStats(object: ListedObject): LedgerStats | undefined {
  if (object.md5 === undefined) return undefined;
  const match = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(object.modTime);
  const seconds = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(seconds)) return undefined;
  const fraction = BigInt((match[2] ?? '').padEnd(9, '0').slice(0, 9));
  return {
    size: BigInt(object.size),
    mtimeNs: BigInt(seconds) * 1_000_000n + fraction,
    ctimeNs: BigInt.asIntN(64, BigInt(`0x${object.md5.slice(0, 16)}`)),
    ino: 0n,
  };
}

/** `rclone check --one-way --size-only`: missing or shorter objects, and how many matched. */
async function checkPresence(input: RemoteVerify, dir: string, problems: StorageProblem[]): Promise<number> {
  const report = join(dir, 'check.txt');
  const args = ['check', input.from, input.to, '--one-way', '--size-only', '--combined', report, ...input.filters];
  let failure: ProcessError | undefined;
  try {
    await runProcess(input.bin, args, {
      fullEnv: true,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    // Exit 1 is "differences found", or an error rclone did not classify (a listing that failed).
    if (!(error instanceof ProcessError) || error.kind !== 'exited' || error.exitCode !== 1)
      throw explain(error, 'rclone check');
    failure = error;
  }
  let matched = 0;
  const before = problems.length;
  await forEachLine(report, (line) => {
    const mark = line.slice(0, 1);
    const path = line.slice(2);
    if (!inShard(path, input.shard, true)) return;
    if (mark === '=') matched += 1;
    else if (mark === '+') problems.push({ kind: 'missing', path });
    else if (mark === '*') problems.push({ kind: 'size-differs', path, detail: 'rclone check: sizes differ' });
    else if (mark === '!') problems.push({ kind: 'unreadable', path, detail: 'rclone could not read it' });
  }).catch(() => undefined);
  // Failed, yet no difference named: something could not be compared, so this is no clean result.
  if (failure !== undefined && problems.length === before) throw explain(failure, 'rclone check');
  return matched + problems.length - before;
}

export async function verifyRemote(input: RemoteVerify): Promise<VerifySummary> {
  const started = performance.now();
  return withScratch(async (dir) => {
    const problems: StorageProblem[] = [];
    const filesChecked = await checkPresence(input, dir, problems);

    const ledgerDir = input.ledgerDir === undefined ? defaultLedgerDir() : input.ledgerDir;
    const ledgerFile = ledgerDir === null || ledgerDir === undefined ? undefined : ledgerFileFor(input.to, ledgerDir);
    const keepsLedger = ledgerFile !== undefined && (await prepareLedgerDir(ledgerFile));
    const loaded = keepsLedger ? await loadLedger(ledgerFile) : undefined;
    const records = loaded && !input.rehash ? Buffer.from(loaded.records) : undefined;
    const index = loaded && !input.rehash ? new Int32Array(loaded.index) : undefined;

    /** This run's records: the blobs found intact or vouched for (a complete run keeps only these). */
    const intact: Buffer[] = [];
    const remember = (digest: string, stats: LedgerStats): void => {
      const record = Buffer.alloc(ledgerRecordBytes());
      writeLedgerRecord(record, 0, digest, stats);
      intact.push(record);
    };
    /** sha256 of a link's content that names a blob the target holds → that blob's digest. */
    const linkHashes = new Map<string, string>();
    const toRead = new Map<string, { digest?: string; stats?: LedgerStats; size: number }>();
    let blobsTrusted = 0;
    let linksChecked = 0;
    await listObjects(
      input.bin,
      input.to,
      dir,
      !input.localTarget,
      (object) => {
        const digest = blobDigestOf(object.path);
        if (digest !== undefined) {
          linkHashes.set(sha256(`sha256:${digest}`), digest);
          linkHashes.set(sha256(`sha256:${digest}\n`), digest);
        }
        if (!inShard(object.path, input.shard, true)) return;
        if (digest !== undefined) {
          const stats = objectStats(object);
          if (stats && records && index && ledgerVouchesFor(records, index, digest, stats)) {
            blobsTrusted += 1;
            remember(digest, stats);
          } else toRead.set(object.path, { digest, ...(stats ? { stats } : {}), size: object.size });
        } else if (isLinkPath(object.path)) {
          linksChecked += 1;
          toRead.set(object.path, { size: object.size });
        }
      },
      input.signal === undefined ? {} : { signal: input.signal },
    );

    const list = join(dir, 'to-read.txt');
    await writeFile(list, [...toRead.keys()].map((path) => `${path}\n`).join(''));
    const sums = join(dir, 'sums.txt');
    await writeFile(sums, '');
    const args = ['hashsum', 'sha256', '--download', '--checkers', String(input.concurrency)];
    try {
      await runProcess(input.bin, [...args, '--files-from', list, input.to], {
        fullEnv: true,
        stdoutFile: sums,
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      });
    } catch (error) {
      // Objects it could not read have no line: they are reported below, one by one.
      if (!(error instanceof ProcessError) || error.kind !== 'exited') throw explain(error, 'rclone hashsum');
    }

    const runId = randomBytes(3).toString('hex');
    let blobsHashed = 0;
    let bytesChecked = 0;
    await forEachLine(sums, (line) => {
      const match = /^([0-9a-f]{64}) {2}(.*)$/.exec(line);
      const entry = match?.[2] === undefined ? undefined : toRead.get(match[2]);
      if (!match || !entry) return;
      const [, hash = '', path = ''] = match;
      toRead.delete(path);
      if (entry.digest === undefined) {
        if (!linkHashes.has(hash))
          problems.push({ kind: 'dangling-link', path, detail: 'does not name a blob the target holds' });
        return;
      }
      blobsHashed += 1;
      bytesChecked += entry.size;
      if (hash !== entry.digest)
        problems.push({ kind: 'digest-mismatch', path, detail: `content hashes to sha256:${hash}` });
      else if (entry.stats) remember(entry.digest, entry.stats);
    });
    for (const path of toRead.keys()) problems.push({ kind: 'unreadable', path, detail: 'rclone could not read it' });

    if (keepsLedger) {
      await writeFile(`${ledgerPartPrefix(ledgerFile, runId)}0`, Buffer.concat(intact)).catch(() => undefined);
      // Records of objects outside this shard are kept: the listing did not visit them.
      await saveLedger(ledgerFile, runId, input.shard === undefined, loaded);
    }
    return {
      ok: problems.length === 0,
      filesChecked,
      bytesChecked,
      blobsHashed,
      blobsTrusted,
      linksChecked,
      durationMs: Math.round(performance.now() - started),
      problems: sortProblems(problems),
    };
  });
}
