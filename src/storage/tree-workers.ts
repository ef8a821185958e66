/**
 * The coordinator of the tree workers (main thread): a stack of directory tasks, a pool of at most
 * `size` workers started on demand, and the shared memory through which workers see the abort flag and
 * how many workers are idle, and report progress. Per task it receives one `done` with counters, and a
 * message per problem; a fatal error from any worker stops all of them.
 *
 * Memory stays flat whatever the tree: the stack holds only directories handed back by workers while
 * others were idle, and each worker holds only the listings of the directories along its current path.
 *
 * How many workers: as many as cores to begin with, then more (up to `size`) only while the running ones
 * mostly wait, as on NFS, where more streams in flight hide the latency, and only as long as each added
 * worker raises the throughput. On a local disk the workers keep the cores busy, and more would only add
 * start-up cost (0.1 s of CPU each on a small VM) and contention.
 */

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StorageProblem } from './types.js';
import { workerSource } from './worker-main.js';
import { controlAbort, controlHungry } from './worker-types.js';
import type { Counters, FromWorker, Op, Task, WorkerConfig, WorkerData } from './worker-types.js';

export interface RunHandlers {
  onProblem(problem: StorageProblem): void;
  onCounters(op: Op, counters: Counters): void;
  /** Every task of `op` has finished (none queued, none running). */
  onOpFinished?(op: Op): void;
}

interface Slot {
  readonly worker: Worker;
  task: Task | undefined;
}

/**
 * The share of the last 10 s in which runnable threads waited for a CPU (Linux pressure stall
 * information), or undefined where the kernel does not report it.
 */
function cpuPressure(): number | undefined {
  try {
    const some = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some?.[1] === undefined ? undefined : Number(some[1]);
  } catch {
    return undefined;
  }
}

/** A fatal failure inside a worker: its message names the path and the system error. */
export class WorkerFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'WorkerFailure';
  }
}

export class TreeWorkers {
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly shared = new BigInt64Array(new SharedArrayBuffer(16));
  private readonly slots: Slot[] = [];
  private readonly outstanding = new Map<Op, number>();
  private queue: Task[] = [];
  private failure: Error | undefined;
  private handlers: RunHandlers | undefined;
  private settle: (() => void) | undefined;
  /** Workers that may run now: starts at the number of cores, grows while the workers wait on I/O. */
  private allowed: number;
  private sampler: NodeJS.Timeout | undefined;
  /** Unstarted workers count as idle only once a run has lasted a moment (see `run`). */
  private spread = false;
  private spreadTimer: NodeJS.Timeout | undefined;

  /**
   * `size`: the most workers (files in flight, `ioConcurrency`); `start`: how many may run at first
   * (one per core). On slow storage (latency-probe.ts) all of `size` run from the start.
   */
  constructor(
    private readonly size: number,
    private readonly config: WorkerConfig,
    start = availableParallelism(),
    slowStorage = false,
  ) {
    this.allowed = slowStorage ? size : Math.min(size, start);
    this.spread = slowStorage;
  }

  /** Runs `tasks` and everything they hand back; resolves when all workers are idle again. */
  run(tasks: readonly Task[], handlers: RunHandlers): Promise<void> {
    this.handlers = handlers;
    for (const task of tasks) this.enqueue(task);
    return new Promise<void>((resolve, reject) => {
      this.settle = () => {
        this.stopSampling();
        clearTimeout(this.spreadTimer);
        if (this.failure) reject(this.failure);
        else resolve();
      };
      // A small tree is done before a second worker would have started (0.1 s of CPU on a small VM):
      // more workers are started only if the run is still going after 50 ms.
      if (!this.spread) {
        this.spreadTimer = setTimeout(() => {
          this.spread = true;
          this.dispatch();
        }, 50);
      }
      this.startSampling();
      this.dispatch();
      this.checkIdle();
    });
  }

  /**
   * Every second: if every worker was busy yet the process used less than a third of a core per worker,
   * twice in a row, and the CPUs were not contended, they were waiting rather than working: allow one more. The next second must show
   * that it paid (15% more files and megabytes per second), else growth stops there; on a local disk,
   * waiting is often for locks in the filesystem, and more workers would only queue on them too.
   */
  private startSampling(): void {
    if (this.allowed >= this.size || this.sampler) return;
    const sample = (): { cpu: number; at: number; work: number } => {
      const cpu = process.cpuUsage();
      const { files, bytes } = this.progress();
      return { cpu: (cpu.user + cpu.system) / 1000, at: performance.now(), work: files + bytes / 1048576 };
    };
    let last = sample();
    let waiting = 0;
    let rateBefore: number | undefined;
    this.sampler = setInterval(() => {
      const now = sample();
      const elapsed = now.at - last.at;
      const rate = (now.work - last.work) / elapsed;
      const cores = (now.cpu - last.cpu) / elapsed;
      last = now;
      if (rate < 0) return; // the progress counters were reset between phases
      if (rateBefore !== undefined) {
        if (rate < rateBefore * 1.15) {
          this.stopSampling();
          return;
        }
        rateBefore = undefined;
      }
      const busy = this.slots.filter((slot) => slot.task !== undefined).length;
      const allBusy = busy === this.slots.length && busy === this.allowed;
      // Little CPU while other processes keep the cores busy is starvation, not waiting on I/O.
      const starved = (cpuPressure() ?? 0) > 10;
      waiting = allBusy && !starved && cores < busy / 3 ? waiting + 1 : 0;
      if (waiting < 2) return;
      waiting = 0;
      rateBefore = rate;
      this.allowed += 1;
      this.dispatch();
      if (this.allowed >= this.size) this.stopSampling();
    }, 1000);
    this.sampler.unref();
  }

  private stopSampling(): void {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = undefined;
  }

  /** Files and bytes done since the last reset, summed over all workers. */
  progress(): { files: number; bytes: number } {
    return { files: Number(Atomics.load(this.shared, 0)), bytes: Number(Atomics.load(this.shared, 1)) };
  }

  resetProgress(): void {
    Atomics.store(this.shared, 0, 0n);
    Atomics.store(this.shared, 1, 0n);
  }

  /** Workers stop at their next file or chunk (removing their temporary files); queued tasks are dropped. */
  abort(): void {
    Atomics.store(this.control, controlAbort, 1);
    for (const task of this.queue.splice(0)) this.finished(task.op);
    this.checkIdle();
  }

  async close(): Promise<void> {
    this.stopSampling();
    clearTimeout(this.spreadTimer);
    Atomics.store(this.control, controlAbort, 1);
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private enqueue(task: Task): void {
    this.outstanding.set(task.op, (this.outstanding.get(task.op) ?? 0) + 1);
    if (Atomics.load(this.control, controlAbort) !== 0) this.finished(task.op);
    else this.queue.push(task);
  }

  private finished(op: Op): void {
    const left = (this.outstanding.get(op) ?? 1) - 1;
    this.outstanding.set(op, left);
    if (left === 0) this.handlers?.onOpFinished?.(op);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((candidate) => candidate.task === undefined) ?? this.spawn();
      if (!slot) break;
      const task = this.queue.pop() as Task;
      slot.task = task;
      slot.worker.postMessage(task);
    }
    // Workers allowed but not started yet count as idle: a busy worker hands work back, which starts them.
    const unstarted = this.spread ? this.allowed - this.slots.length : 0;
    const idle = this.slots.filter((slot) => slot.task === undefined).length + unstarted;
    Atomics.store(this.control, controlHungry, Math.max(0, idle - this.queue.length));
  }

  private checkIdle(): void {
    if (this.settle && this.queue.length === 0 && this.slots.every((slot) => slot.task === undefined)) {
      const settle = this.settle;
      this.settle = undefined;
      settle();
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.abort();
  }

  private taskEnded(slot: Slot): void {
    const task = slot.task;
    slot.task = undefined;
    if (task) this.finished(task.op);
    this.dispatch();
    this.checkIdle();
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.allowed) return undefined;
    const workerData: WorkerData = {
      config: this.config,
      control: this.control.buffer as SharedArrayBuffer,
      progress: this.shared.buffer as SharedArrayBuffer,
    };
    // A small young generation: the workers' garbage is many short-lived Stats objects and paths, and the
    // default (tens of MB per worker) would be most of the engine's memory.
    const resourceLimits = { maxYoungGenerationSizeMb: 4 };
    const worker = new Worker(workerSource(), { eval: true, workerData, resourceLimits });
    const slot: Slot = { worker, task: undefined };
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'donate':
          this.enqueue(message.task);
          this.dispatch();
          break;
        case 'problem':
          this.handlers?.onProblem(message.problem);
          break;
        case 'done':
          this.handlers?.onCounters(message.op, message.counters);
          this.taskEnded(slot);
          break;
        case 'fatal':
          this.fail(new WorkerFailure(message.message, message.code));
          this.taskEnded(slot);
          break;
      }
    });
    // A worker that dies (out of memory, a bug) fails the run; it never hangs it.
    const died = (error: Error): void => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      this.slots.splice(index, 1);
      this.fail(error);
      this.taskEnded(slot);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`a storage worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}
