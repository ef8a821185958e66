/**
 * A streaming, parallel directory walk with flat memory.
 *
 * Directories wait on a stack (depth first, so only the fan-out along the current paths is held) and are
 * listed by a few listers with opendir(3) iteration; files go straight to the visitor through a semaphore
 * of `concurrency` slots, so a listing pauses while all slots are busy and the number of files held in
 * memory never exceeds `concurrency`, whether the tree has a thousand files or millions. Each directory
 * counts its unfinished children, so `leaveDir` runs once everything below it is done: that is where a
 * copy sets directory times, which creating files inside would otherwise change again.
 */

import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempName, isUploadsDir, joinRel } from './layout.js';

export interface WalkVisitor<D> {
  /** Before a directory is listed; the result is handed to its files, subdirectories and `leaveDir`. */
  enterDir(rel: string, parent: D | undefined): Promise<D>;
  /** Anything that is not a directory (regular files, symbolic links). Throw only to stop the walk. */
  file(rel: string, name: string, dir: D): Promise<void>;
  /** After every file and subdirectory below `rel` has finished (not called once the walk stops). */
  leaveDir(rel: string, dir: D): Promise<void>;
  /** A directory that could not be entered or listed. Return to carry on, throw to stop the walk. */
  dirError(rel: string, error: unknown): void;
}

export interface WalkOptions {
  /** Absolute path of the tree's root. */
  readonly root: string;
  readonly includeUploads: boolean;
  /** Files visited at the same time. */
  readonly concurrency: number;
  /** Stops scheduling work; files already started are awaited. The caller checks `signal.aborted`. */
  readonly signal: AbortSignal;
}

interface DirNode<D> {
  readonly rel: string;
  readonly parent: DirNode<D> | undefined;
  /** Children not finished yet, plus one while the directory is being listed. */
  pending: number;
  entered: boolean;
  state: D | undefined;
}

/** A counting semaphore whose waiters can all be released at once when the walk stops. */
class Slots {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly size: number) {}

  acquire(): Promise<void> {
    if (this.active < this.size) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active -= 1;
  }

  releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) {
      this.active += 1;
      waiter();
    }
  }
}

/** Walks `options.root`, leaving out `_uploads` (unless asked) and this engine's temporary files. */
export async function walkTree<D>(options: WalkOptions, visitor: WalkVisitor<D>): Promise<void> {
  const { root, signal } = options;
  const stack: Array<{ rel: string; parent: DirNode<D> | undefined }> = [{ rel: '', parent: undefined }];
  const slots = new Slots(Math.max(1, options.concurrency));
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let activeListers = 0;
  let idle: Array<() => void> = [];

  const stopped = (): boolean => failure !== undefined || signal.aborted;
  const wake = (): void => {
    for (const resolve of idle.splice(0)) resolve();
  };
  const stop = (): void => {
    slots.releaseWaiters();
    wake();
  };
  const fail = (error: unknown): void => {
    failure ??= { error };
    stop();
  };

  // A finished child may finish its parent, and so on up the tree.
  const complete = async (node: DirNode<D>): Promise<void> => {
    for (let current: DirNode<D> | undefined = node; current; current = current.parent) {
      current.pending -= 1;
      if (current.pending > 0) return;
      if (current.entered && !stopped()) await visitor.leaveDir(current.rel, current.state as D);
    }
  };

  const startFile = (node: DirNode<D>, rel: string, name: string): void => {
    const task = visitor
      .file(rel, name, node.state as D)
      .then(() => complete(node))
      .catch(fail)
      .finally(() => {
        slots.release();
        inflight.delete(task);
      });
    inflight.add(task);
  };

  const listDir = async (rel: string, parent: DirNode<D> | undefined): Promise<void> => {
    const node: DirNode<D> = { rel, parent, pending: 1, entered: false, state: undefined };
    try {
      node.state = await visitor.enterDir(rel, parent?.state);
      node.entered = true;
      const dir = await opendir(join(root, rel), { bufferSize: 256 });
      for await (const entry of dir) {
        if (stopped()) break;
        const childRel = joinRel(rel, entry.name);
        let isDirectory = entry.isDirectory();
        // Some filesystems (older NFS, XFS without ftype) do not report the type in the listing.
        if (!isDirectory && !entry.isFile() && !entry.isSymbolicLink()) {
          isDirectory = (await lstat(join(root, childRel))).isDirectory();
        }
        if (isDirectory) {
          if (!options.includeUploads && isUploadsDir(entry.name)) continue;
          node.pending += 1;
          stack.push({ rel: childRel, parent: node });
          wake();
        } else if (!isTempName(entry.name)) {
          node.pending += 1;
          await slots.acquire();
          if (stopped()) {
            slots.release();
            node.pending -= 1;
            break;
          }
          startFile(node, childRel, entry.name);
        }
      }
    } catch (error) {
      visitor.dirError(rel, error);
    }
    await complete(node);
  };

  const lister = async (): Promise<void> => {
    while (!stopped()) {
      const item = stack.pop();
      if (item) {
        activeListers += 1;
        try {
          await listDir(item.rel, item.parent);
        } catch (error) {
          fail(error);
        } finally {
          activeListers -= 1;
          wake();
        }
      } else if (activeListers === 0) {
        wake();
        return;
      } else {
        await new Promise<void>((resolve) => idle.push(resolve));
      }
    }
  };

  signal.addEventListener('abort', stop, { once: true });
  try {
    const listers = Math.max(1, Math.min(4, options.concurrency));
    await Promise.all(Array.from({ length: listers }, lister));
    while (inflight.size > 0) await Promise.all(inflight);
  } finally {
    signal.removeEventListener('abort', stop);
    idle = [];
  }
  if (failure) throw failure.error;
}
