/**
 * The tree worker: takes a directory task, walks it depth first with synchronous I/O and the operation's
 * handlers, and hands subdirectories back to the coordinator whenever another worker is idle (a shared
 * "hungry" counter), so the load spreads without a message per file.
 *
 * Shipping: the worker runs from source text built out of these functions' `toString()`, with
 * `{ eval: true }`. That way the same code runs from dist/ and from the TypeScript sources under vitest
 * (a separate worker file would exist only after a build). The price: these functions may use only their
 * parameters and globals, never imports (which a bundler or test runner could rename), so everything they
 * share is passed in `deps`.
 */

import type { Dirent } from 'node:fs';
import { blobDigestOf, isLinkPath, isTempName, linkTargetOf, tempName } from './layout.js';
import { createKit } from './worker-kit.js';
import { createCopyOps } from './worker-copy.js';
import { createScanOps } from './worker-scan.js';
import type { DirOps, EntryKind, FromWorker, Layout, Op, Task, WorkerData } from './worker-types.js';
import { createVerifySourceOps, createVerifyTargetOps } from './worker-verify.js';

interface WorkerDeps {
  readonly createKit: typeof createKit;
  readonly createScanOps: typeof createScanOps;
  readonly createCopyOps: typeof createCopyOps;
  readonly createVerifySourceOps: typeof createVerifySourceOps;
  readonly createVerifyTargetOps: typeof createVerifyTargetOps;
  readonly layout: Layout;
}

export function workerMain(deps: WorkerDeps): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const data = workerData as WorkerData;
  const port = parentPort as NonNullable<typeof parentPort>;
  const post = (message: FromWorker): void => port.postMessage(message);
  const kit = deps.createKit(data, deps.layout, post);
  const { fs, path, config } = kit;
  const control = new Int32Array(data.control);
  const ops: Record<Op, DirOps<unknown>> = {
    scan: deps.createScanOps(kit) as DirOps<unknown>,
    copy: deps.createCopyOps(kit) as DirOps<unknown>,
    'verify-source': deps.createVerifySourceOps(kit) as DirOps<unknown>,
    'verify-target': deps.createVerifyTargetOps(kit) as DirOps<unknown>,
  };

  const kindOf = (entry: Dirent, root: string, rel: string): EntryKind => {
    if (entry.isDirectory()) return 'dir';
    if (entry.isFile()) return 'file';
    if (entry.isSymbolicLink()) return 'link';
    // Some filesystems (older NFS, XFS without ftype) do not report the type in the listing.
    const stats = kit.lstatIfExists(path.join(root, rel));
    if (!stats) return 'other';
    return stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : stats.isSymbolicLink() ? 'link' : 'other';
  };

  const walk = (op: Op, handlers: DirOps<unknown>, rel: string, missing: boolean, hint: unknown): void => {
    const state = handlers.enter(rel, missing, hint);
    if (state === undefined) return;
    // One directory's listing at a time (not the tree's): scandir(3) costs fewer system calls than
    // reading entry by entry, and registry directories are small (a blob or link per directory).
    let entries: Dirent[];
    try {
      entries = fs.readdirSync(path.join(handlers.root, rel), { withFileTypes: true });
    } catch (error) {
      handlers.listError(rel, error);
      return;
    }
    for (const entry of entries) {
      kit.throwIfAborted();
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const kind = kindOf(entry, handlers.root, childRel);
      if (kind === 'dir') {
        if (!config.includeUploads && entry.name === '_uploads') continue;
        const child = handlers.child(state, childRel);
        if (Atomics.load(control, 1) > 0) {
          Atomics.sub(control, 1, 1);
          post({ type: 'donate', task: { op, rel: childRel, missing: child.missing } });
        } else {
          walk(op, handlers, childRel, child.missing, child.hint);
        }
      } else if (!deps.layout.isTempName(entry.name)) {
        handlers.file(state, childRel, entry.name, kind);
      }
    }
    handlers.leave(state, rel);
  };

  port.on('message', (task: Task) => {
    try {
      walk(task.op, ops[task.op], task.rel, task.missing, undefined);
      post({ type: 'done', op: task.op, counters: kit.take() });
    } catch (error) {
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
    tempName,
  ];
  const deps = 'createKit, createScanOps, createCopyOps, createVerifySourceOps, createVerifyTargetOps';
  const layout = 'blobDigestOf, isLinkPath, linkTargetOf, isTempName, tempName';
  source = [
    "'use strict';",
    ...functions.map((fn) => fn.toString()),
    `workerMain({ ${deps}, layout: { ${layout} } });`,
  ].join('\n');
  return source;
}
