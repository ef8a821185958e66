/**
 * The verified-blob ledger's record format. A record says: the target's blob whose digest starts with
 * this key hashed to its digest when its file had this size, mtime, ctime and inode. A later verify that
 * finds all four unchanged need not read the blob again: any write to the file, a chmod, a rename or a
 * copy over it changes its ctime, which no program can set back. That is what makes a `storage copy`
 * re-run, or a migration resumed after a crash, cost little even on terabytes.
 *
 * Two limits, as for git's index and rsync's quick check: a write within the same clock tick as the
 * ctime a record holds would leave it unchanged, so a blob whose ctime is too recent when it is hashed
 * is not recorded (see `tooRecent`; it is hashed again next time); and filesystems that derive ctime
 * from mtime (vfat, some FUSE mounts of object stores) cannot be trusted this way: `--rehash` reads
 * everything.
 *
 * 48 bytes per record: the first 16 bytes of the digest (a collision among 128-bit prefixes of random
 * digests is not a practical concern, and a false match would still need the same size, times and
 * inode), then size, mtimeNs, ctimeNs and ino as unsigned 64-bit little-endian integers. The index is
 * open addressing keyed by the digest's first 4 bytes (digests are uniformly random), -1 for empty.
 *
 * Self-contained functions: the coordinator loads and saves the ledger, the tree workers (which get
 * these as source text) look records up and append new ones.
 */

/** What a record holds of a file (a `BigIntStats`), or of an object in a store (see rclone-verify.ts). */
export interface LedgerStats {
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
}

export function ledgerRecordBytes(): number {
  return 48;
}

/**
 * True if a write could still come within the clock tick of `ctimeNs` (wall-clock nanoseconds) at
 * `nowNs`. Ticks are a few milliseconds on ext4, XFS and most NFS servers, whole seconds on some: a
 * ctime with no fraction of a second is taken to come from such a filesystem.
 */
export function tooRecent(ctimeNs: bigint, nowNs: bigint): boolean {
  const tick = ctimeNs % 1_000_000_000n === 0n ? 2_000_000_000n : 100_000_000n;
  return nowNs - ctimeNs < tick;
}

/**
 * Node reads stats as signed 64-bit numbers: an inode number from 2^63 up (common on NFS) or a time
 * before 1970 comes back negative. Stored and compared as their unsigned 64 bits, they round-trip.
 */
export function writeLedgerRecord(into: Buffer, at: number, digest: string, stats: LedgerStats): void {
  into.write(digest.slice(0, 32), at, 16, 'hex');
  into.writeBigUInt64LE(BigInt.asUintN(64, stats.size), at + 16);
  into.writeBigUInt64LE(BigInt.asUintN(64, stats.mtimeNs), at + 24);
  into.writeBigUInt64LE(BigInt.asUintN(64, stats.ctimeNs), at + 32);
  into.writeBigUInt64LE(BigInt.asUintN(64, stats.ino), at + 40);
}

/** True if `records` holds `digest`'s record with exactly these stats. */
export function ledgerVouchesFor(records: Buffer, index: Int32Array, digest: string, stats: LedgerStats): boolean {
  const key = Buffer.from(digest.slice(0, 32), 'hex');
  const mask = index.length - 1;
  for (let slot = key.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
    const record = index[slot] ?? -1;
    if (record < 0) return false;
    const at = record * 48;
    if (records.compare(key, 0, 16, at, at + 16) !== 0) continue;
    return (
      records.readBigUInt64LE(at + 16) === BigInt.asUintN(64, stats.size) &&
      records.readBigUInt64LE(at + 24) === BigInt.asUintN(64, stats.mtimeNs) &&
      records.readBigUInt64LE(at + 32) === BigInt.asUintN(64, stats.ctimeNs) &&
      records.readBigUInt64LE(at + 40) === BigInt.asUintN(64, stats.ino)
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
