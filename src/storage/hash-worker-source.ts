/**
 * The hashing worker, as JavaScript source run with `new Worker(source, { eval: true })`.
 *
 * Why a string: the same code must run from `dist/` and from the TypeScript sources under vitest, and a
 * worker file next to this module exists only after a build. The worker is deliberately tiny and uses
 * synchronous I/O: it owns its thread, so blocking reads cost nothing, and one big reused buffer per
 * worker keeps system calls few. Shared memory carries the abort flag (checked between chunks, so even a
 * multi-gigabyte blob stops promptly) and a byte counter for progress, without any messages.
 *
 * Messages in:  { id, op: 'hash', src } | { id, op: 'copy', src, dst, mode }
 * Messages out: { id, ok: true, digest, bytes, size, mtimeMs } | { id, ok: false, code, message }
 * `copy` reads `src` once, hashes and writes each chunk to `dst` (created exclusively), and reports the
 * source's size and mtime after the last read so the caller can tell a file that changed meanwhile.
 * On failure or abort it removes `dst` itself.
 */
export const hashWorkerSource = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');

const flags = new Int32Array(workerData.flags);
const counter = new BigInt64Array(workerData.counter);
const buffer = Buffer.allocUnsafe(workerData.bufferSize);

function pump(fd, out) {
  const hash = createHash('sha256');
  let bytes = 0;
  for (;;) {
    if (Atomics.load(flags, 0) !== 0) {
      const error = new Error('aborted');
      error.code = 'ABORT_ERR';
      throw error;
    }
    const n = fs.readSync(fd, buffer, 0, buffer.length, null);
    if (n === 0) break;
    const chunk = buffer.subarray(0, n);
    hash.update(chunk);
    if (out !== undefined) {
      let written = 0;
      while (written < n) written += fs.writeSync(out, chunk, written, n - written);
    }
    bytes += n;
    Atomics.add(counter, 0, BigInt(n));
  }
  return { digest: hash.digest('hex'), bytes };
}

function run(job) {
  const fd = fs.openSync(job.src, 'r');
  let out;
  try {
    if (job.op === 'copy') {
      out = fs.openSync(job.dst, 'wx', job.mode);
    }
    const result = pump(fd, out);
    const after = fs.fstatSync(fd);
    if (out !== undefined) {
      fs.fchmodSync(out, job.mode);
      fs.closeSync(out);
      out = undefined;
    }
    return { ...result, size: after.size, mtimeMs: after.mtimeMs };
  } catch (error) {
    if (out !== undefined) {
      try { fs.closeSync(out); } catch {}
      try { fs.unlinkSync(job.dst); } catch {}
    }
    throw error;
  } finally {
    fs.closeSync(fd);
  }
}

parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ id: job.id, ok: true, ...run(job) });
  } catch (error) {
    parentPort.postMessage({ id: job.id, ok: false, code: error && error.code, message: String(error && error.message) });
  }
});
`;
