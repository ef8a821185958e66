/**
 * The verified-blob ledger of a target (format and trust argument: ledger-format.ts). It lives outside
 * the target, so the new storage holds exactly what the old one held: one file per target in a cache
 * directory, named after the target's path. A target wiped and copied again under the same path gets
 * new inodes and ctimes, so old records match nothing there.
 *
 * While a verify runs, each worker appends the blobs it found intact to a part file of its own, so a
 * verify that is killed keeps what it proved: the next one loads the ledger and every part file left
 * behind. The ledger only ever saves reading: a blob without a record, or whose file changed, is hashed.
 * Any trouble with it (no writable cache directory, a truncated file) means "no ledger", never a failed
 * verify.
 *
 * [choice: where] `$XDG_CACHE_HOME/dtr-migrate/verified`, else `~/.cache/dtr-migrate/verified`: shared by
 * `storage copy|verify` and the migration's own verify, so a copy made ahead of the maintenance window
 * makes the verify inside it cheap. [choice: memory] a loaded ledger costs 48 bytes per blob plus its
 * index (about 64 MB at a million blobs); past `maxLedgerBytes` it is ignored and every blob is hashed.
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { xdgBaseDir } from '../util/xdg.js';
import { indexLedgerRecord, ledgerRecordBytes } from './ledger-format.js';

const maxLedgerBytes = 1 << 30;

export interface LoadedLedger {
  /** Records, then the open-addressing index over them; both shared with the workers. */
  readonly records: SharedArrayBuffer;
  readonly index: SharedArrayBuffer;
  readonly count: number;
  /** Part files of earlier, killed runs that were loaded: folded into the ledger at the next save. */
  readonly parts: readonly string[];
}

/**
 * The cache directory, or undefined (no ledger) without an absolute one: as the XDG spec says, an empty
 * or relative XDG_CACHE_HOME is ignored, and a relative one could even be inside the target.
 */
export function defaultLedgerDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cache = xdgBaseDir(env, 'XDG_CACHE_HOME', '.cache');
  return cache === undefined ? undefined : join(cache, 'dtr-migrate', 'verified');
}

/** The ledger file of the target at `target` (a resolved path). */
export function ledgerFileFor(target: string, dir: string): string {
  return join(dir, `${createHash('sha256').update(target).digest('hex').slice(0, 24)}.ledger`);
}

/** Where a worker of run `runId` appends: the prefix, to which it adds its thread id. */
export function ledgerPartPrefix(file: string, runId: string): string {
  return `${file}.part-${runId}-`;
}

async function readWhole(file: string): Promise<Buffer | undefined> {
  try {
    const content = await readFile(file);
    // A file cut short by a crash: its whole records still count.
    return content.subarray(0, content.length - (content.length % ledgerRecordBytes()));
  } catch {
    return undefined;
  }
}

async function partFiles(file: string, runId?: string): Promise<string[]> {
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  const prefix = basename(runId === undefined ? `${file}.part-` : ledgerPartPrefix(file, runId));
  return names.filter((name) => name.startsWith(prefix)).map((name) => join(dirname(file), name));
}

/**
 * Prepares the directory for this run's part files; false if it cannot be written (the verify then
 * keeps no ledger).
 */
export async function prepareLedgerDir(file: string): Promise<boolean> {
  return mkdir(dirname(file), { recursive: true, mode: 0o700 }).then(
    () => true,
    () => false,
  );
}

/** The ledger and any part files left by killed runs, or undefined if there is none (or it cannot be loaded). */
export async function loadLedger(file: string): Promise<LoadedLedger | undefined> {
  try {
    return await readLedger(file);
  } catch {
    return undefined; // out of memory for a huge ledger, say: every blob is hashed
  }
}

async function readLedger(file: string): Promise<LoadedLedger | undefined> {
  const parts = await partFiles(file);
  // Parts first: they are newer than the ledger, and the first record of a key wins.
  const pieces = (await Promise.all([...parts, file].map(readWhole))).filter((piece) => piece !== undefined);
  const bytes = pieces.reduce((sum, piece) => sum + piece.length, 0);
  if (bytes === 0 || bytes > maxLedgerBytes) return undefined;
  const records = new SharedArrayBuffer(bytes);
  const view = Buffer.from(records);
  let at = 0;
  for (const piece of pieces) at += piece.copy(view, at);
  const count = bytes / ledgerRecordBytes();
  let slots = 16;
  while (slots < count * 2) slots *= 2;
  const index = new SharedArrayBuffer(slots * 4);
  const table = new Int32Array(index).fill(-1);
  for (let record = 0; record < count; record += 1) indexLedgerRecord(view, table, record);
  return { records, index, count, parts };
}

/**
 * Writes the new ledger from this run's part files: those alone after a complete verify (every blob in
 * the target was visited, so nothing else is current), or with the loaded records after one that was
 * interrupted or failed (its parts cover only what it reached). Returns whether the ledger was written.
 */
export async function saveLedger(
  file: string,
  runId: string,
  complete: boolean,
  loaded: LoadedLedger | undefined,
): Promise<boolean> {
  const own = await partFiles(file, runId);
  const temporary = `${file}.tmp-${runId}`;
  try {
    const pieces = (await Promise.all(own.map(readWhole))).filter((piece) => piece !== undefined);
    if (!complete && loaded) pieces.push(Buffer.from(loaded.records));
    await writeFile(temporary, Buffer.concat(pieces), { mode: 0o600 });
    await rename(temporary, file);
    // After a complete run every part file is outdated (also those too big to have been loaded); after
    // an interrupted one, only those it folded in. [choice] a verify of the same target running at the
    // same time loses its part files: it then hashes more next time, never less.
    const outdated = complete ? await partFiles(file) : [...own, ...(loaded?.parts ?? [])];
    await Promise.all(outdated.map((part) => rm(part, { force: true })));
    return true;
  } catch {
    await Promise.all([...own, temporary].map((path) => rm(path, { force: true }).catch(() => undefined)));
    return false;
  }
}
