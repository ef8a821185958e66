/**
 * The verified-blob ledger's record format. A record says: the target's blob whose digest starts with
 * this key hashed to its digest when its file had this size, mtime, ctime and inode. A later verify that
 * finds all four unchanged need not read the blob again: any write to the file, a chmod, a rename or a
 * copy over it changes its ctime, which no program can set back. That is what makes a `storage copy`
 * re-run, or a migration resumed after a crash, cost little even on terabytes.
 *
 * 48 bytes per record: the first 16 bytes of the digest (a collision among 128-bit prefixes of random
 * digests is not a practical concern, and a false match would still need the same size, times and
 * inode), then size, mtimeNs, ctimeNs and ino as unsigned 64-bit little-endian integers. The index is
 * open addressing keyed by the digest's first 4 bytes (digests are uniformly random), -1 for empty.
 *
 * Self-contained functions: the coordinator loads and saves the ledger, the tree workers (which get
 * these as source text) look records up and append new ones.
 */

import type { BigIntStats } from 'node:fs';

export function ledgerRecordBytes(): number {
  return 48;
}

export function writeLedgerRecord(into: Buffer, at: number, digest: string, stats: BigIntStats): void {
  into.write(digest.slice(0, 32), at, 16, 'hex');
  into.writeBigUInt64LE(stats.size, at + 16);
  into.writeBigUInt64LE(stats.mtimeNs, at + 24);
  into.writeBigUInt64LE(stats.ctimeNs, at + 32);
  into.writeBigUInt64LE(stats.ino, at + 40);
}

/** True if `records` holds `digest`'s record with exactly these stats. */
export function ledgerVouchesFor(records: Buffer, index: Int32Array, digest: string, stats: BigIntStats): boolean {
  const key = Buffer.from(digest.slice(0, 32), 'hex');
  const mask = index.length - 1;
  for (let slot = key.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
    const record = index[slot] ?? -1;
    if (record < 0) return false;
    const at = record * 48;
    if (records.compare(key, 0, 16, at, at + 16) !== 0) continue;
    return (
      records.readBigUInt64LE(at + 16) === stats.size &&
      records.readBigUInt64LE(at + 24) === stats.mtimeNs &&
      records.readBigUInt64LE(at + 32) === stats.ctimeNs &&
      records.readBigUInt64LE(at + 40) === stats.ino
    );
  }
}

/** Adds record number `record` to the index; a key already there wins (the newest records come first). */
export function indexLedgerRecord(records: Buffer, index: Int32Array, record: number): void {
  const at = record * 48;
  const mask = index.length - 1;
  for (let slot = records.readUInt32LE(at) & mask; ; slot = (slot + 1) & mask) {
    const other = index[slot] ?? -1;
    if (other < 0) {
      index[slot] = record;
      return;
    }
    if (records.compare(records, other * 48, other * 48 + 16, at, at + 16) === 0) return;
  }
}
