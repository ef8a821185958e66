/**
 * The tree worker: takes a directory task, walks it depth first with synchronous I/O and the operation's
 * handlers, and hands subdirectories back to the coordinator whenever another worker is idle (a shared
 * "hungry" counter), so the load spreads without a message per file. Like work stealing, it gives away
 * the pending subdirectories nearest the top of its walk, which are the biggest pieces of work.
 *
 * Shipping: the worker runs from source text built out of these functions' `toString()`, with
 * `{ eval: true }`. That way the same code runs from dist/ and from the TypeScript sources under vitest
 * (a separate worker file would exist only after a build). The price: these functions may use only their
 * parameters and globals, never imports (which a bundler or test runner could rename), so everything they
 * share is passed in `deps`.
 */

import type { Dirent } from 'node:fs';
import {
  blobDigestOf,
  isEngineFile,
  isLinkPath,
  isTempName,
  linkTargetOf,
  tempFileTarget,
  tempName,
} from './layout.js';
import { ledgerRecordBytes, ledgerVouchesFor, tooRecent, writeLedgerRecord } from './ledger-format.js';
import { shardOf } from './shard.js';
import { createKit } from './worker-kit.js';
import { createCopyOps } from './worker-copy.js';
import { createScanOps } from './worker-scan.js';
import type { DirOps, EntryKind, FromWorker, Layout, LedgerFormat, Op, Task, WorkerData } from './worker-types.js';
import { createVerifySourceOps, createVerifyTargetOps } from './worker-verify.js';

interface WorkerDeps {
  readonly createKit: typeof createKit;
  readonly createScanOps: typeof createScanOps;
  readonly createCopyOps: typeof createCopyOps;
  readonly createVerifySourceOps: typeof createVerifySourceOps;
  readonly createVerifyTargetOps: typeof createVerifyTargetOps;
  readonly layout: Layout;
  readonly ledgerFormat: LedgerFormat;
}

export function workerMain(deps: WorkerDeps): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const data = workerData as WorkerData;
  const port = parentPort as NonNullable<typeof parentPort>;
  const post = (message: FromWorker): void => port.postMessage(message);
  const kit = deps.createKit(data, deps.layout, post);
  const { fs, config } = kit;
  const control = new Int32Array(data.control);
  const ops: Record<Op, DirOps<unknown>> = {
    scan: deps.createScanOps(kit) as DirOps<unknown>,
    copy: deps.createCopyOps(kit) as DirOps<unknown>,
    'verify-source': deps.createVerifySourceOps(kit) as DirOps<unknown>,
    'verify-target': deps.createVerifyTargetOps(kit, deps.ledgerFormat) as DirOps<unknown>,
  };

  const kindOf = (entry: Dirent, root: string, rel: string): EntryKind => {
    if (entry.isDirectory()) return 'dir';
    if (entry.isFile()) return 'file';
    if (entry.isSymbolicLink()) return 'link';
    // Some filesystems (older NFS, XFS without ftype) do not report the type in the listing.
    const stats = kit.lstatIfExists(kit.under(root, rel));
    if (!stats) return 'other';
    return stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : stats.isSymbolicLink() ? 'link' : 'other';
  };

  interface Frame {
    readonly rel: string;
    readonly state: unknown;
    readonly entries: Array<Dirent | undefined>;
    next: number;
    /** Subdirectories (as the listing types them) not visited or handed away yet. */
    subdirs: number;
  }

  /** Enters and lists a directory; undefined if it was skipped (its handler reported why). */
  const open = (handlers: DirOps<unknown>, rel: string, missing: boolean, hint: unknown): Frame | undefined => {
    const state = handlers.enter(rel, missing, hint);
    if (state === undefined) return undefined;
    // One directory's listing at a time (not the tree's): scandir(3) costs fewer system calls than
    // reading entry by entry, and registry directories are small (a blob or link per directory).
    try {
      const entries = fs.readdirSync(kit.under(handlers.root, rel), { withFileTypes: true });
      return { rel, state, entries, next: 0, subdirs: entries.filter((entry) => entry.isDirectory()).length };
    } catch (error) {
      handlers.listError(rel, error);
      handlers.leave(state, rel);
      return undefined;
    }
  };

  const childRel = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);

  /**
   * Another worker is idle: hand it the biggest pending work, the unvisited subdirectories nearest the
   * top of this walk (half of them at that level, at most 64), not the next small leaf.
   */
  const donate = (op: Op, handlers: DirOps<unknown>, frames: Frame[]): void => {
    for (const frame of frames) {
      // The count makes this cheap when there is nothing to give (a worker busy in a flat directory).
      if (frame.subdirs === 0) continue;
      const pending: number[] = [];
      for (let index = frame.next; index < frame.entries.length; index += 1) {
        if (frame.entries[index]?.isDirectory()) pending.push(index);
      }
      for (const index of pending.slice(0, Math.min(64, Math.ceil(pending.length / 2)))) {
        const entry = frame.entries[index] as Dirent;
        frame.entries[index] = undefined;
        frame.subdirs -= 1;
        const rel = childRel(frame.rel, entry.name);
        if ((!config.includeUploads && entry.name === '_uploads') || !kit.inShard(rel, false)) continue;
        const child = handlers.child(frame.state, rel);
        post({ type: 'donate', task: { op, rel, missing: child.missing } });
      }
      Atomics.store(control, 1, 0);
      return;
    }
  };

  /** Depth first, with an explicit stack so that pending work near the top can be handed away. */
  const walk = (op: Op, handlers: DirOps<unknown>, rel: string, missing: boolean): void => {
    const root = open(handlers, rel, missing, undefined);
    const frames: Frame[] = root ? [root] : [];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as Frame;
      if (frame.next >= frame.entries.length) {
        frames.pop();
        handlers.leave(frame.state, frame.rel);
        continue;
      }
      const entry = frame.entries[frame.next];
      frame.next += 1;
      if (!entry) continue;
      if (entry.isDirectory()) frame.subdirs -= 1;
      kit.throwIfAborted();
      if (Atomics.load(control, 1) > 0) donate(op, handlers, frames);
      const entryRel = childRel(frame.rel, entry.name);
      const kind = kindOf(entry, handlers.root, entryRel);
      if (!kit.inShard(entryRel, kind !== 'dir')) continue;
      if (kind === 'dir') {
        if (!config.includeUploads && entry.name === '_uploads') continue;
        const child = handlers.child(frame.state, entryRel);
        const opened = open(handlers, entryRel, child.missing, child.hint);
        if (opened) frames.push(opened);
      } else if (!deps.layout.isEngineFile(entry.name)) {
        handlers.file(frame.state, entryRel, entry.name, kind);
      }
    }
  };

  port.on('message', (task: Task) => {
    try {
      walk(task.op, ops[task.op], task.rel, task.missing);
      ops[task.op].finish?.();
      post({ type: 'done', op: task.op, counters: kit.take() });
    } catch (error) {
      ops[task.op].finish?.();
      const counters = kit.take();
      if (kit.isAbort(error)) post({ type: 'done', op: task.op, counters });
      else post({ type: 'fatal', op: task.op, message: kit.describe(error), code: kit.errno(error) });
    }
  });
}

let source: string | undefined;

/** The worker's source text, assembled once. */
export function workerSource(): string {
  if (source !== undefined) return source;
  const functions = [
    createKit,
    createScanOps,
    createCopyOps,
    createVerifySourceOps,
    createVerifyTargetOps,
    workerMain,
    blobDigestOf,
    isLinkPath,
    linkTargetOf,
    isTempName,
    isEngineFile,
    tempName,
    tempFileTarget,
    shardOf,
    ledgerRecordBytes,
    tooRecent,
    writeLedgerRecord,
    ledgerVouchesFor,
  ];
  const deps = 'createKit, createScanOps, createCopyOps, createVerifySourceOps, createVerifyTargetOps';
  const layout = 'blobDigestOf, isLinkPath, linkTargetOf, isTempName, isEngineFile, tempName, tempFileTarget, shardOf';
  source = [
    "'use strict';",
    ...functions.map((fn) => fn.toString()),
    `workerMain({ ${deps}, layout: { ${layout} }, ledgerFormat: { ledgerRecordBytes, tooRecent, writeLedgerRecord, ledgerVouchesFor } });`,
  ].join('\n');
  return source;
}
