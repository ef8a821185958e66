/**
 * The verification, run by the tree workers, as two operations over two trees:
 * - `verify-source`: every source file exists in the target with the same size (stats only);
 * - `verify-target`: every blob hashes to the digest in its path, every `link` under `repositories/`
 *   names a blob the target holds (or one the source lacks too: reported apart), and every target file
 *   the source lacks is named (not a failure: see VerifySummary.extra).
 * Every problem is reported by path; nothing stops at the first. Nothing is written.
 *
 * Runs inside a worker, shipped as source text: only parameters and globals may be used.
 */

import type { BigIntStats, Stats } from 'node:fs';
import type { DirOps, Kit, LedgerFormat } from './worker-types.js';

type Stateless = DirOps<true>;

/** Counters: filesChecked, sourceBytes, sourceBlobs, sourceBlobBytes. */
export function createVerifySourceOps(kit: Kit): Stateless {
  const { config, layout } = kit;
  return {
    root: config.source,
    enter: () => true,
    child: () => ({ missing: false }),
    file(_state, rel) {
      let stats: Stats | undefined;
      try {
        stats = kit.lstatIfExists(kit.under(config.source, rel));
      } catch (error) {
        kit.problem({ kind: 'unreadable', path: rel, detail: `source: ${kit.describe(error)}` });
        return;
      }
      // A source file gone since the listing is the source's business, not a gap in the target.
      if (!stats) return;
      if (!stats.isFile() && !stats.isSymbolicLink()) {
        kit.problem({ kind: 'special-file', path: rel, detail: `in the source: ${kit.specialFile(stats)}` });
        return;
      }
      if (stats.isSymbolicLink()) {
        kit.problem({
          kind: 'symlink',
          path: rel,
          detail: 'in the source: what it points to is neither copied nor checked',
        });
        return;
      }
      kit.add('filesChecked', 1);
      kit.add('sourceBytes', stats.size);
      if (layout.blobDigestOf(rel) !== undefined) {
        kit.add('sourceBlobs', 1);
        kit.add('sourceBlobBytes', stats.size);
      }
      try {
        const copied = kit.lstatIfExists(kit.under(config.target, rel));
        if (!copied) kit.problem({ kind: 'missing', path: rel });
        else if (copied.size !== stats.size) {
          kit.problem({ kind: 'size-differs', path: rel, detail: `source ${stats.size} bytes, target ${copied.size}` });
        }
      } catch (error) {
        kit.problem({ kind: 'unreadable', path: rel, detail: `target: ${kit.describe(error)}` });
      }
    },
    leave() {},
    listError(rel, error) {
      if (rel === '') throw kit.fatal(`Cannot list the source ${config.source}`, error);
      kit.problem({ kind: 'unreadable', path: rel, detail: `source directory: ${kit.describe(error)}` });
    },
  };
}

/**
 * Counters: blobsHashed, bytesHashed, blobsTrusted, linksChecked. Progress: blobs and bytes hashed or
 * trusted. A blob the ledger vouches for (unchanged since an earlier verify found it intact) is not read.
 */
export function createVerifyTargetOps(kit: Kit, format: LedgerFormat): Stateless {
  const { fs, config, layout } = kit;
  const head = Buffer.alloc(256);
  const { ledger } = config;
  const records = ledger?.records ? Buffer.from(ledger.records) : undefined;
  const index = ledger?.index ? new Int32Array(ledger.index) : undefined;
  const size = format.ledgerRecordBytes();
  const pending = Buffer.alloc(size * 1024);
  let used = 0;
  let part: number | undefined;
  /** Writing the ledger is a saving, never a condition: after any failure this run stops writing it. */
  let writable = ledger !== null;

  const flush = (): void => {
    if (used === 0 || !writable || !ledger) return;
    try {
      part ??= fs.openSync(`${ledger.partPrefix}${process.getBuiltinModule('node:worker_threads').threadId}`, 'a');
      let written = 0;
      while (written < used) written += fs.writeSync(part, pending, written, used - written);
    } catch {
      writable = false;
    }
    used = 0;
  };
  const remember = (digest: string, stats: BigIntStats, readAtNs: bigint): void => {
    if (!writable || format.tooRecent(stats.ctimeNs, readAtNs)) return;
    try {
      format.writeLedgerRecord(pending, used, digest, stats);
    } catch {
      writable = false;
      return;
    }
    used += size;
    if (used === pending.length) flush();
  };
  const same = (a: BigIntStats, b: BigIntStats): boolean =>
    a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;

  /** Hashes the blob unless the ledger vouches for it; records it when intact and unchanged while read. */
  const checkBlob = (rel: string, file: string, digest: string): void => {
    // Opened even when the ledger may vouch for it: on NFS, open(2) revalidates the attributes with the
    // server (close-to-open), so the stats compared are current, not a client's cached ones.
    const fd = fs.openSync(file, 'r');
    try {
      // Wall-clock time, as ctime is: how long the file has been unchanged when it is read.
      const readAtNs = BigInt(Date.now()) * 1_000_000n;
      const before = fs.fstatSync(fd, { bigint: true });
      if (records && index && format.ledgerVouchesFor(records, index, digest, before)) {
        kit.add('blobsTrusted', 1);
        kit.progress(1, Number(before.size));
        remember(digest, before, readAtNs);
        return;
      }
      const result = kit.pump(fd, undefined, true, true);
      kit.add('blobsHashed', 1);
      kit.add('bytesHashed', result.bytes);
      kit.progress(1, 0);
      if (result.digest !== digest) {
        kit.problem({ kind: 'digest-mismatch', path: rel, detail: `content hashes to sha256:${result.digest}` });
      } else if (same(before, fs.fstatSync(fd, { bigint: true }))) {
        remember(digest, before, readAtNs);
      }
    } finally {
      fs.closeSync(fd);
    }
  };

  /** A link holds `sha256:` and 64 hex digits; reading a bounded head keeps a garbage file harmless. */
  const readHead = (file: string): string => {
    const fd = fs.openSync(file, 'r');
    try {
      return head.toString('utf8', 0, fs.readSync(fd, head, 0, head.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  };

  /** A link the source holds too, to a blob it lacks as well, is a faithful copy of a registry already incomplete. */
  const checkLink = (rel: string, file: string): void => {
    kit.add('linksChecked', 1);
    const content = readHead(file);
    const blob = layout.linkTargetOf(rel, content);
    if (blob === undefined) {
      kit.problem({ kind: 'dangling-link', path: rel, detail: 'content is not "sha256:<64 hex digits>"' });
    } else if (
      // A blob of another shard may not be copied yet by its host: the unsharded verify proves that link.
      kit.inShard(blob, true) &&
      !kit.lstatIfExists(kit.under(config.target, blob))?.isFile()
    ) {
      const inherited =
        kit.lstatIfExists(kit.under(config.source, rel)) !== undefined &&
        kit.lstatIfExists(kit.under(config.source, blob))?.isFile() !== true;
      kit.problem(
        inherited
          ? { kind: 'dangling-in-source', path: rel, detail: `points to ${content.trim()}, which the source lacks too` }
          : { kind: 'dangling-link', path: rel, detail: `points to ${content.trim()}, not in the target` },
      );
    }
  };

  return {
    root: config.target,
    enter: () => true,
    child: () => ({ missing: false }),
    file(_state, rel, _name, kind) {
      const file = kit.under(config.target, rel);
      const digest = layout.blobDigestOf(rel);
      if (kind === 'link') {
        // Followed, it could make a blob or a whole tree look present that lives elsewhere.
        kit.problem({ kind: 'symlink', path: rel, detail: 'in the target: registry storage holds no symbolic links' });
        return;
      }
      if (kind === 'other') {
        // Never opened: reading a FIFO blocks until someone writes to it.
        const stats = kit.lstatIfExists(file);
        kit.problem({
          kind: 'special-file',
          path: rel,
          detail: `in the target: ${stats ? kit.specialFile(stats) : '?'}`,
        });
        return;
      }
      try {
        // Blob GC deletes what DTR's metadata does not name: a file the source lacks would not survive it.
        if (!kit.lstatIfExists(kit.under(config.source, rel))) kit.problem({ kind: 'not-in-source', path: rel });
        if (digest !== undefined) {
          checkBlob(rel, file, digest);
        } else if (layout.isLinkPath(rel)) {
          checkLink(rel, file);
        }
      } catch (error) {
        if (kit.isAbort(error)) throw error;
        kit.problem({ kind: 'unreadable', path: rel, detail: `target: ${kit.describe(error)}` });
      }
    },
    leave() {},
    listError(rel, error) {
      if (rel === '') throw kit.fatal(`Cannot list the target ${config.target}`, error);
      kit.problem({ kind: 'unreadable', path: rel, detail: `target directory: ${kit.describe(error)}` });
    },
    finish() {
      flush();
      if (part === undefined) return;
      try {
        fs.closeSync(part);
      } catch {
        writable = false;
      }
      part = undefined;
    },
  };
}
