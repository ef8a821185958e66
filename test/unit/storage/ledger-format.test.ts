import type { BigIntStats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  indexLedgerRecord,
  ledgerVouchesFor,
  tooRecent,
  writeLedgerRecord,
} from '../../../src/storage/ledger-format.js';
import { defaultLedgerDir } from '../../../src/storage/ledger.js';

const digest = (fill: string): string => fill.repeat(64).slice(0, 64);
const stats = (values: { size: bigint; mtimeNs: bigint; ctimeNs: bigint; ino: bigint }): BigIntStats =>
  values as unknown as BigIntStats;

describe('ledger record format', () => {
  // Node reads stats as signed 64-bit numbers: an NFS inode number from 2^63 up comes back negative,
  // as does a time before 1970.
  const odd = stats({
    size: 1234n,
    mtimeNs: -86_400_000_000_000n,
    ctimeNs: 1_700_000_000_123_456_789n,
    ino: -9_221_558_474_025_129_394n,
  });

  it('keeps negative inode numbers and times, and vouches only for the exact same stats', () => {
    const records = Buffer.alloc(48 * 2);
    writeLedgerRecord(records, 0, digest('a1'), odd);
    writeLedgerRecord(records, 48, digest('b2'), stats({ size: 1n, mtimeNs: 1n, ctimeNs: 1n, ino: 1n }));
    const index = new Int32Array(16).fill(-1);
    indexLedgerRecord(records, index, 0);
    indexLedgerRecord(records, index, 1);
    expect(ledgerVouchesFor(records, index, digest('a1'), odd)).toBe(true);
    expect(ledgerVouchesFor(records, index, digest('a1'), { ...odd, ctimeNs: odd.ctimeNs + 1n })).toBe(false);
    expect(ledgerVouchesFor(records, index, digest('a1'), { ...odd, ino: 5n })).toBe(false);
    expect(ledgerVouchesFor(records, index, digest('c3'), odd)).toBe(false);
  });

  it('finds every record among keys that start at the same slot, the first of a duplicated key winning', () => {
    // Keys sharing their first 4 bytes all start at the same slot.
    const keys = ['00000000aa', '00000000bb', '00000000cc', '00000000dd'].map((prefix) => prefix + '0'.repeat(54));
    const records = Buffer.alloc(48 * 5);
    keys.forEach((key, n) =>
      writeLedgerRecord(records, n * 48, key, stats({ size: BigInt(n), mtimeNs: 0n, ctimeNs: 0n, ino: 0n })),
    );
    writeLedgerRecord(records, 4 * 48, keys[0] as string, stats({ size: 99n, mtimeNs: 0n, ctimeNs: 0n, ino: 0n }));
    const index = new Int32Array(16).fill(-1);
    for (let record = 0; record < 5; record += 1) indexLedgerRecord(records, index, record);
    keys.forEach((key, n) =>
      expect(ledgerVouchesFor(records, index, key, stats({ size: BigInt(n), mtimeNs: 0n, ctimeNs: 0n, ino: 0n }))).toBe(
        true,
      ),
    );
    expect(
      ledgerVouchesFor(records, index, keys[0] as string, stats({ size: 99n, mtimeNs: 0n, ctimeNs: 0n, ino: 0n })),
    ).toBe(false);
  });

  it('waits a whole tick, longer for a filesystem whose ctimes have no fraction of a second', () => {
    const fine = 1_700_000_000_123_456_789n;
    const whole = 1_700_000_000_000_000_000n;
    expect(tooRecent(fine, fine + 50_000_000n)).toBe(true);
    expect(tooRecent(fine, fine + 150_000_000n)).toBe(false);
    expect(tooRecent(whole, whole + 1_500_000_000n)).toBe(true);
    expect(tooRecent(whole, whole + 2_500_000_000n)).toBe(false);
  });
});

describe('where ledgers are kept', () => {
  it('uses an absolute XDG_CACHE_HOME, else ~/.cache, and ignores empty or relative values', () => {
    expect(defaultLedgerDir({ XDG_CACHE_HOME: '/var/cache/ops', HOME: '/home/op' })).toBe(
      '/var/cache/ops/dtr-migrate/verified',
    );
    expect(defaultLedgerDir({ XDG_CACHE_HOME: '', HOME: '/home/op' })).toBe('/home/op/.cache/dtr-migrate/verified');
    expect(defaultLedgerDir({ XDG_CACHE_HOME: 'cache', HOME: '/home/op' })).toBe(
      '/home/op/.cache/dtr-migrate/verified',
    );
  });
});
