/**
 * The latency regime: source and target on the FUSE rig (latency-fs.py, a passthrough that waits 1 ms
 * on every filesystem operation, as network storage costs a round trip per operation), with cp -a,
 * rsync -a, rclone copy --transfers 8 --checkers 8 and `dtr-migrate storage copy` (copy and its full
 * verify) in the same interleaved rounds. Needs /dev/fuse, fusermount and python3 with fusepy (Debian:
 * fuse3, python3-fusepy); without them the regime is skipped with a line saying why.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, measure, median } from './measure.js';

const delayMs = 1;

function python() {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(candidate, ['-c', 'import fusepy'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

/** Why the regime cannot run here, or undefined. */
function unavailable() {
  if (!existsSync('/dev/fuse')) return '/dev/fuse is missing';
  if (!hasCommand('fusermount') && !hasCommand('fusermount3')) return 'fusermount is missing (apt-get install fuse3)';
  if (python() === undefined) return 'python3 cannot import fusepy (apt-get install python3-fusepy)';
  return undefined;
}

const mounted = (point) => readFileSync('/proc/mounts', 'utf8').includes(` ${point} fuse`);

async function mount(script, backing, point) {
  mkdirSync(backing, { recursive: true });
  mkdirSync(point, { recursive: true });
  const child = spawn(python(), [script, backing, point, String(delayMs)], { stdio: 'ignore', detached: true });
  child.unref();
  for (let waited = 0; !mounted(point); waited += 50) {
    if (waited > 10_000) throw new Error(`the FUSE rig did not mount ${point}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return () => {
    spawnSync(hasCommand('fusermount') ? 'fusermount' : 'fusermount3', ['-u', point]);
  };
}

/** Runs the regime; returns { figures, rounds } (figures by key: { seconds, runs, ... }) or undefined. */
export async function runLatencyRegime({ here, tree, outDir, cli, rounds, log }) {
  const reason = unavailable();
  if (reason !== undefined) {
    log(`latency regime skipped: ${reason}`);
    return undefined;
  }
  const script = join(here, 'latency-fs.py');
  const sourceBacking = join(outDir, 'latency-source-backing');
  spawnSync('cp', ['-a', `${tree}/.`, sourceBacking]);
  const source = join(outDir, 'latency-source');
  const target = join(outDir, 'latency-target');
  const unmounts = [
    await mount(script, sourceBacking, source),
    await mount(script, join(outDir, 'latency-target-backing'), target),
  ];
  try {
    let serial = 0;
    const fresh = (name) => join(target, `${name}-${(serial += 1)}`);
    const commands = [
      { key: 'cp', run: () => measure(['cp', '-a', source, fresh('cp')]) },
      { key: 'rsync', tool: 'rsync', run: () => measure(['rsync', '-a', `${source}/`, `${fresh('rsync')}/`]) },
      {
        key: 'rclone',
        tool: 'rclone',
        run: () => measure(['rclone', 'copy', '-q', '--transfers', '8', '--checkers', '8', source, fresh('rclone')]),
      },
      {
        key: 'copyVerify',
        run: () => measure(['node', cli, 'storage', 'copy', '--from', source, '--to', fresh('engine'), '--json']),
      },
    ].filter((command) => command.tool === undefined || hasCommand(command.tool));
    const results = Object.fromEntries(commands.map((command) => [command.key, []]));
    for (let round = 1; round <= rounds; round += 1) {
      log(`latency round ${round} of ${rounds} (${delayMs} ms per operation on both sides) ...`);
      for (const command of commands.map((_, index) => commands[(index + round) % commands.length])) {
        const result = command.run();
        results[command.key].push(result);
        log(`  ${command.key.padEnd(11)} ${result.seconds.toFixed(2)} s`);
      }
    }
    const figures = Object.fromEntries(
      Object.entries(results).map(([key, runs]) => [
        key,
        {
          seconds: median(runs.map((run) => run.seconds)),
          cpuSeconds: median(runs.map((run) => run.cpuSeconds ?? 0)),
          maxRssBytes: Math.max(...runs.map((run) => run.maxRssBytes ?? 0)) || undefined,
          runs: runs.map((run) => run.seconds),
        },
      ]),
    );
    return { figures, rounds };
  } finally {
    for (const unmount of unmounts) unmount();
  }
}
