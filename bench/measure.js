/**
 * Running and timing commands for the bench: every command runs under GNU time (`/usr/bin/time`) when
 * present, which gives wall time, CPU time and peak RSS the same way for cp, rsync, rclone and the engine.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** True if `command` can be run (for optional tools). */
export function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Drops `tree`'s files from the page cache without root: posix_fadvise(POSIX_FADV_DONTNEED) on each file
 * (clean pages only, hence a `sync` first). Node has no binding for it, so python3 does the walk. Returns
 * false when python3 is missing (the cold rounds are then skipped).
 */
export function evictFromPageCache(tree) {
  if (!hasCommand('python3')) return false;
  const script = [
    'import os, sys',
    'for root, _, files in os.walk(sys.argv[1]):',
    '    for name in files:',
    '        fd = os.open(os.path.join(root, name), os.O_RDONLY)',
    '        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)',
    '        os.close(fd)',
  ].join('\n');
  settle();
  const result = spawnSync('python3', ['-c', script, tree], { stdio: ['ignore', 'ignore', 'inherit'] });
  return result.status === 0;
}

/** Flushes dirty pages, so one run's writeback is not paid by the next. Not timed. */
export function settle() {
  spawnSync('sync');
}

/**
 * Runs `argv` and returns { seconds, cpuSeconds, maxRssBytes, stdout }. Throws with stderr when the
 * command fails, unless `allowFailure`.
 */
export function measure(argv, { allowFailure = false } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const timeFile = join(scratch, 'time');
  const full = gnuTime ? [gnuTime, '-o', timeFile, '-f', '%e %U %S %M', ...argv] : argv;
  const started = process.hrtime.bigint();
  const result = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  try {
    if (result.status !== 0 && !allowFailure) {
      throw new Error(`${argv.join(' ')} failed (${result.status}): ${(result.stderr ?? '').slice(-2000)}`);
    }
    const out = {
      seconds: wall,
      cpuSeconds: undefined,
      maxRssBytes: undefined,
      stdout: result.stdout,
      status: result.status,
    };
    if (gnuTime && existsSync(timeFile)) {
      const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
      const [, user, system, maxRssKb] = fields;
      out.cpuSeconds = user + system;
      out.maxRssBytes = maxRssKb * 1024;
    }
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
