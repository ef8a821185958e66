/**
 * `npm run bench`: the storage engine against cp -a, rsync -a and rclone copy, on the same trees, side by
 * side in one run. Needs `npm run build` first. The copy pass, its re-run and verify are timed through
 * bench/engine-runner.js (dist/storage in a process of its own); copy followed by verify is timed as the
 * real command, `dtr-migrate storage copy`, which verifies after copying.
 *
 * Method: trees are generated once under bench/.data/ (see generate-tree.js). One warm-up round, then
 * BENCH_ROUNDS (default 5) rounds that each run every command once, interleaved and in rotating order,
 * so background load and memory state hit all of them alike; the median of the rounds is reported. Every run writes to a fresh directory and
 * `sync` runs (untimed) before each, so no run pays for the previous one's writeback. Outputs are deleted
 * only at the end: on ext4, creating files within a minute of deleting many others is slow (the inode
 * allocator skips recently freed inodes), which would penalise whichever command runs first.
 *
 * On a shared or virtual machine the figures move a lot: other processes take the cores, and writing
 * into page cache the hypervisor has not backed yet costs several times more system time (cp -a alone
 * varies from 1.5 s to 4 s of CPU for the same tree here). The CPU column helps to read them.
 *
 * Page cache, two regimes, reported in two tables:
 * - warm: the source is read from memory, as the warm-up round leaves it there. This is the CPU cost of
 *   each tool; cp -a copies inside the kernel, while the engine also hashes every blob (SHA-256 on the
 *   CPU), so here the engine is bound to cost more than cp -a on two cores.
 * - cold (BENCH_COLD_ROUNDS, default 3): the source's pages are dropped before each copy (posix_fadvise,
 *   no root needed), so it is read from disk, as in a real migration, where terabytes never sit in the
 *   page cache. The engine's parallel reads count here, and cp -a reads one file at a time.
 * The re-run, verify and sha256sum figures are warm only: they read what the copy just wrote.
 */

import { cpus } from 'node:os';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTree } from './generate-tree.js';
import { evictFromPageCache, hasCommand, measure, median, settle } from './measure.js';
import { runLatencyRegime } from './latency.js';
import { runMillionRegime } from './million.js';
import { printReport } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, '.data');
const outDir = join(dataDir, 'out');
const runner = join(here, 'engine-runner.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const coldRounds = Number(process.env.BENCH_COLD_ROUNDS ?? 3);
const cores = cpus().length;
const latencyRounds = Number(process.env.BENCH_LATENCY_ROUNDS ?? 3);
/** Which regimes run: `BENCH_REGIMES=latency` for one alone (default: all but the million files). */
const regimes = new Set((process.env.BENCH_REGIMES ?? 'warm,cold,scale,latency').split(','));
const log = (message) => console.log(message);

if (!existsSync(join(here, '..', 'dist', 'storage', 'index.js'))) {
  console.error('bench: dist/storage/index.js is missing; run `npm run build` first.');
  process.exit(1);
}

const started = Date.now();
const registry = ensureTree(dataDir, 'registry', log);
const small = ensureTree(dataDir, 'small', log);
/** rm(1): several times faster than fs.rmSync on hundreds of thousands of files. */
const remove = (path) => spawnSync('rm', ['-rf', path], { stdio: 'inherit' });

if (existsSync(outDir)) {
  // ext4 skips inodes freed in the last 60 s (300 s while their table block is dirty, hence the sync).
  log('removing outputs of an earlier run, then waiting 65 s for ext4 to reuse the freed inodes ...');
  remove(outDir);
  settle();
  await new Promise((resolve) => setTimeout(resolve, 65_000));
}
mkdirSync(outDir, { recursive: true });
// Verify's ledgers (one per target) go with the outputs, not into the user's cache.
process.env.XDG_CACHE_HOME = join(outDir, 'cache');

let serial = 0;
const fresh = (name) => join(outDir, `${name}-${(serial += 1)}`);
const engine = (operation, from, to) => measure(['node', runner, operation, from, to]);
const sha256sumCommand = (tree) =>
  `find '${tree}' -path '*/blobs/sha256/*/data' -type f -print0 | xargs -0 -P ${cores} -n 32 sha256sum > /dev/null`;

const reported = new Set();
function installed(command) {
  if (!command.tool || hasCommand(command.tool)) return true;
  if (!reported.has(command.tool))
    log(`note: ${command.tool} is not installed (apt-get install -y ${command.tool}); skipped`);
  reported.add(command.tool);
  return false;
}

/** The standard tools, each copying the registry tree into `into` (a fresh directory, or the last one for a re-run). */
const tools = [
  { key: 'cp', copy: (into) => measure(['cp', '-a', registry, into]) },
  { key: 'rsync', tool: 'rsync', copy: (into) => measure(['rsync', '-a', `${registry}/`, `${into}/`]) },
  { key: 'rclone', tool: 'rclone', copy: (into) => measure(['rclone', 'copy', '-q', registry, into]) },
].map((tool) => ({ ...tool, run: (name) => tool.copy(fresh(name)) }));
/** What `dtr-migrate storage copy` is: the copy pass, then a full verify; exit 0 only when verified. */
const cli = join(here, '..', 'bin', 'dtr-migrate.js');
const storageCopyCommand = (into) =>
  measure(['node', cli, 'storage', 'copy', '--from', registry, '--to', into, '--json']);

let engineTarget;
/** Groups of commands; a group's commands run together (the later ones use the first one's output). */
const groups = [
  // A re-run of rsync and rclone with nothing changed, beside the engine's (neither verifies content).
  ...tools.map((tool) => {
    let last;
    const first = { ...tool, run: () => tool.copy((last = fresh(tool.key))) };
    return tool.key === 'cp' ? [first] : [first, { ...tool, key: `${tool.key}Rerun`, run: () => tool.copy(last) }];
  }),
  [
    {
      key: 'copy',
      run: () => {
        engineTarget = fresh('engine');
        return engine('copy', registry, engineTarget);
      },
    },
    { key: 'rerun', run: () => engine('copy', registry, engineTarget) },
    { key: 'verify', run: () => engine('verify', registry, engineTarget) },
    { key: 'sha256sum', run: () => measure(['sh', '-c', sha256sumCommand(engineTarget)]) },
  ],
  (() => {
    let last;
    return [
      { key: 'copyVerify', run: () => storageCopyCommand((last = fresh('engine-cv'))) },
      // The command again, nothing changed: the copy pass finds nothing to do, verify trusts its ledger.
      { key: 'cliRerun', run: () => storageCopyCommand(last) },
    ];
  })(),
]
  .map((group) => group.filter(installed))
  .filter((group) => group.length > 0);

const results = Object.fromEntries(groups.flat().map((command) => [command.key, []]));
for (let round = 0; round <= rounds && regimes.has('warm'); round += 1) {
  log(round === 0 ? 'warm-up round ...' : `round ${round} of ${rounds} ...`);
  // Each round starts with another group, so no command always runs first or last.
  const order = groups.map((_, index) => groups[(index + round) % groups.length]);
  for (const command of order.flat()) {
    settle();
    const result = command.run();
    if (round > 0) results[command.key].push(result);
    log(`  ${command.key.padEnd(11)} ${result.seconds.toFixed(2)} s`);
  }
}

/** Copies from a source just dropped from the page cache: each command reads it from disk. */
const coldCommands = [
  ...tools.map((tool) => ({ ...tool, run: () => tool.run(`cold-${tool.key}`) })),
  { key: 'copy', run: () => engine('copy', registry, fresh('cold-engine')) },
  { key: 'copyVerify', run: () => storageCopyCommand(fresh('cold-engine-cv')) },
].filter(installed);
const coldResults = Object.fromEntries(coldCommands.map((command) => [command.key, []]));
if (coldRounds > 0 && !hasCommand('python3')) log('note: python3 is missing, so the cold rounds are skipped');
for (let round = 1; round <= coldRounds && regimes.has('cold') && hasCommand('python3'); round += 1) {
  log(`cold round ${round} of ${coldRounds} (source dropped from the page cache before each) ...`);
  for (const command of coldCommands.map((_, index) => coldCommands[(index + round) % coldCommands.length])) {
    if (!evictFromPageCache(registry)) throw new Error('could not drop the source from the page cache');
    const result = command.run();
    coldResults[command.key].push(result);
    log(`  ${command.key.padEnd(11)} ${result.seconds.toFixed(2)} s`);
  }
}

let scale;
if (regimes.has('scale')) {
  log('200,000 small files: engine copy, verify and cp -a, once each ...');
  settle();
  const smallTarget = fresh('small-engine');
  scale = {
    copy: engine('copy', small, smallTarget),
    verify: engine('verify', small, smallTarget),
    cp: (settle(), measure(['cp', '-a', small, fresh('small-cp')])),
  };
}
const latency = regimes.has('latency')
  ? await runLatencyRegime({ here, tree: ensureTree(dataDir, 'latency', log), outDir, cli, rounds: latencyRounds, log })
  : undefined;
const million = runMillionRegime({ dataDir, outDir, cli, log });

const picker = (from) => (key) => {
  const runs = from[key];
  if (!runs || runs.length === 0) return undefined;
  return {
    seconds: median(runs.map((run) => run.seconds)),
    cpuSeconds: runs[0].cpuSeconds === undefined ? undefined : median(runs.map((run) => run.cpuSeconds)),
    maxRssBytes: Math.max(...runs.map((run) => run.maxRssBytes ?? 0)) || undefined,
    runs: runs.map((run) => run.seconds),
  };
};
printReport({
  pick: picker(results),
  pickCold: picker(coldResults),
  scale,
  latency,
  million,
  rounds,
  coldRounds,
  cores,
});

log('removing outputs ...');
remove(outDir);
log(`bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
