/**
 * The tree workers' toolkit: counters, progress, problems, abort, and `pump`, the one read loop that
 * hashes a file and optionally writes it elsewhere, through one large buffer per worker.
 *
 * Runs inside a worker, shipped as source text: `createKit` may use only its parameters and globals, and
 * gets Node modules through `process.getBuiltinModule`. All I/O is synchronous on purpose: the worker
 * owns its thread, and a blocking call costs one system call where the async API adds two thread
 * hand-offs (which dominated the copy of small files when measured).
 */

import type { Counters, FromWorker, Kit, Layout, WorkerData } from './worker-types.js';

export function createKit(
  data: WorkerData,
  layout: Layout,
  post: (message: FromWorker) => void,
): Kit & { take(): Counters } {
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  const { createHash } = process.getBuiltinModule('node:crypto');
  const { config } = data;
  const control = new Int32Array(data.control);
  const shared = new BigInt64Array(data.progress);
  const buffer = Buffer.allocUnsafe(config.bufferSize);
  let counters: Counters = {};
  let tempCounter = 0;
  // Workers share the run id; the thread id keeps their temporary names apart.
  const tempRun = `${config.runId}${process.getBuiltinModule('node:worker_threads').threadId.toString(36)}x`;

  const errno = (error: unknown): string | undefined => {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? code : undefined;
  };
  const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  const fatal = (message: string, cause?: unknown): Error =>
    Object.assign(new Error(cause === undefined ? message : `${message}: ${describe(cause)}`), {
      fatal: true,
      code: errno(cause),
    });
  const isAbort = (error: unknown): boolean => errno(error) === 'ABORT_ERR';
  const throwIfAborted = (): void => {
    if (Atomics.load(control, 0) !== 0) throw Object.assign(new Error('aborted'), { code: 'ABORT_ERR' });
  };
  const isNotFound = (error: unknown): boolean => errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR';

  /**
   * Marks a failed read (EIO on a bad sector, ESTALE on NFS): in a copy the file read is the source's,
   * so it becomes a per-file problem instead of stopping the copy with the blame on the target.
   */
  const failedRead = (error: unknown): unknown =>
    typeof error === 'object' && error !== null ? Object.assign(error, { failedRead: true }) : error;

  const pump: Kit['pump'] = (fd, out, hashing, countBytes, limit = Number.POSITIVE_INFINITY) => {
    const hash = hashing ? createHash('sha256') : undefined;
    let bytes = 0;
    // Stop at `limit` without the extra read that would return 0: the caller checks the size afterwards.
    while (bytes < limit) {
      // Checked per chunk, so even a multi-gigabyte blob stops promptly.
      throwIfAborted();
      let read: number;
      try {
        read = fs.readSync(fd, buffer, 0, Math.min(buffer.length, limit - bytes), null);
      } catch (error) {
        throw failedRead(error);
      }
      if (read === 0) break;
      const chunk = read === buffer.length ? buffer : buffer.subarray(0, read);
      hash?.update(chunk);
      if (out !== undefined) {
        let written = 0;
        while (written < read) written += fs.writeSync(out, chunk, written, read - written);
      }
      bytes += read;
      if (countBytes) Atomics.add(shared, 1, BigInt(read));
    }
    return { digest: hash ? hash.digest('hex') : '', bytes };
  };

  const hashFile: Kit['hashFile'] = (src, countBytes) => {
    const fd = fs.openSync(src, 'r');
    try {
      return pump(fd, undefined, true, countBytes);
    } finally {
      fs.closeSync(fd);
    }
  };

  const problem: Kit['problem'] = (found) => post({ type: 'problem', problem: found });

  const sourceProblem: Kit['sourceProblem'] = (rel, src, error) => {
    if (isAbort(error) || (error as { fatal?: boolean }).fatal) throw error;
    let now: unknown;
    try {
      fs.lstatSync(src);
    } catch (statError) {
      now = statError;
    }
    if (now !== undefined && isNotFound(now)) {
      return { kind: 'changed-during-copy', path: rel, detail: 'vanished during the copy' };
    }
    if ((error as { failedRead?: boolean }).failedRead === true)
      return { kind: 'unreadable', path: rel, detail: `reading failed: ${describe(error)}` };
    const code = errno(error);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EIO' || code === 'ELOOP') {
      try {
        fs.accessSync(src, fs.constants.R_OK);
      } catch {
        return { kind: 'unreadable', path: rel, detail: describe(error) };
      }
    }
    throw fatal(`Copying ${rel} into ${config.target} failed`, error);
  };

  return {
    fs,
    path,
    config,
    layout,
    add: (counter, amount) => {
      counters[counter] = (counters[counter] ?? 0) + amount;
    },
    progress: (files, bytes) => {
      if (files !== 0) Atomics.add(shared, 0, BigInt(files));
      if (bytes !== 0) Atomics.add(shared, 1, BigInt(bytes));
    },
    problem,
    throwIfAborted,
    inShard: (rel, isFile) => {
      const { shard } = config;
      if (shard === null || shard.count === 1) return true;
      const owner = layout.shardOf(rel, shard.count, isFile);
      return owner === undefined || owner === shard.index;
    },
    isAbort,
    pump,
    hashFile,
    nextTempName: (name) => {
      tempCounter += 1;
      return layout.tempName(name, tempRun, tempCounter);
    },
    errno,
    isNotFound,
    lstatIfExists: (target) => {
      try {
        // Without the option a missing path costs a thrown error, several times the system call itself.
        return fs.lstatSync(target, { throwIfNoEntry: false });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    specialFile: (stats) =>
      stats.isFIFO()
        ? 'a FIFO'
        : stats.isSocket()
          ? 'a socket'
          : stats.isBlockDevice()
            ? 'a block device'
            : stats.isCharacterDevice()
              ? 'a character device'
              : 'neither a file nor a directory',
    under: (root, rel) => (rel === '' ? root : root.endsWith('/') ? `${root}${rel}` : `${root}/${rel}`),
    describe,
    failedRead,
    fatal,
    sourceProblem,
    take: () => {
      const taken = counters;
      counters = {};
      return taken;
    },
  };
}
