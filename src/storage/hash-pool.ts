/**
 * A pool of worker threads that hash (and optionally copy) whole files, so SHA-256 runs on every core
 * while the main thread only schedules. Workers start lazily: a run that hashes nothing starts none.
 */

import { Worker } from 'node:worker_threads';
import { hashWorkerSource } from './hash-worker-source.js';

export interface HashResult {
  /** Lowercase hex SHA-256 of what was read. */
  readonly digest: string;
  /** Bytes read (and written, for a copy). */
  readonly bytes: number;
  /** The source's size and mtime after the last read. */
  readonly size: number;
  readonly mtimeMs: number;
}

type Job =
  | { readonly op: 'hash'; readonly src: string }
  | { readonly op: 'copy'; readonly src: string; readonly dst: string; readonly mode: number };

interface Pending {
  readonly job: Job;
  readonly resolve: (result: HashResult) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  current: (Pending & { readonly id: number }) | undefined;
}

type Reply =
  | ({ id: number; ok: true } & HashResult)
  | { id: number; ok: false; code: string | undefined; message: string };

/** Error thrown by a job that stopped because the pool was aborted. */
export const abortCode = 'ABORT_ERR';

function errorFrom(reply: { code: string | undefined; message: string }): Error {
  return Object.assign(new Error(reply.message), { code: reply.code });
}

export class HashPool {
  private readonly flags = new Int32Array(new SharedArrayBuffer(4));
  private readonly counter = new BigInt64Array(new SharedArrayBuffer(8));
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  /**
   * @param size most workers at once
   * @param bufferSize bytes per read; large reads keep NFS and the page cache streaming
   */
  constructor(
    private readonly size: number,
    private readonly bufferSize = 1 << 20,
  ) {}

  hash(src: string): Promise<HashResult> {
    return this.submit({ op: 'hash', src });
  }

  /** Copies `src` to a new file `dst` (which must not exist) while hashing it; `dst` is removed on failure. */
  copy(src: string, dst: string, mode: number): Promise<HashResult> {
    return this.submit({ op: 'copy', src, dst, mode });
  }

  /** Bytes read by all workers so far, for progress. */
  bytesRead(): number {
    return Number(Atomics.load(this.counter, 0));
  }

  /** Makes running jobs stop at their next chunk and fails queued ones. */
  abort(): void {
    Atomics.store(this.flags, 0, 1);
    for (const pending of this.queue.splice(0)) {
      pending.reject(Object.assign(new Error('aborted'), { code: abortCode }));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort();
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private submit(job: Job): Promise<HashResult> {
    if (this.closed || Atomics.load(this.flags, 0) !== 0) {
      return Promise.reject(Object.assign(new Error('aborted'), { code: abortCode }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((candidate) => candidate.current === undefined) ?? this.spawn();
      if (!slot) return;
      const pending = this.queue.shift() as Pending;
      this.nextId += 1;
      slot.current = { ...pending, id: this.nextId };
      slot.worker.postMessage({ ...pending.job, id: this.nextId });
    }
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const worker = new Worker(hashWorkerSource, {
      eval: true,
      workerData: { flags: this.flags.buffer, counter: this.counter.buffer, bufferSize: this.bufferSize },
    });
    const slot: Slot = { worker, current: undefined };
    worker.on('message', (reply: Reply) => {
      const current = slot.current;
      if (!current || current.id !== reply.id) return;
      slot.current = undefined;
      if (reply.ok) current.resolve(reply);
      else current.reject(errorFrom(reply));
      this.dispatch();
    });
    // A worker that dies takes only its own job with it; the next job starts a fresh worker.
    const retire = (error: Error): void => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      slot.current?.reject(error);
      slot.current = undefined;
      if (!this.closed) this.dispatch();
    };
    worker.on('error', retire);
    worker.on('exit', (code) => retire(new Error(`hashing worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}
