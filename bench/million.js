/**
 * The 1,000,000-file regime (BENCH_MILLION=1; generating the tree takes minutes and about 4 GB of
 * inodes and blocks): `dtr-migrate storage copy` once, then its no-change re-run, timed with peak RSS.
 * Targets (issue #16): re-run <= 60 s on two cores, peak RSS <= 200 MB.
 */

import { join } from 'node:path';
import { ensureTree } from './generate-tree.js';
import { measure, settle } from './measure.js';

export function runMillionRegime({ dataDir, outDir, cli, log }) {
  if (process.env.BENCH_MILLION !== '1') {
    log('1,000,000-file regime skipped: set BENCH_MILLION=1 to run it (the tree takes minutes to generate)');
    return undefined;
  }
  const tree = ensureTree(dataDir, 'million', log);
  const target = join(outDir, 'million-target');
  const command = ['node', cli, 'storage', 'copy', '--from', tree, '--to', target, '--json'];
  log('1,000,000 files: storage copy, then its no-change re-run ...');
  settle();
  const first = measure(command);
  log(`  first  ${first.seconds.toFixed(1)} s, ${(first.maxRssBytes / 1048576).toFixed(0)} MB`);
  settle();
  const rerun = measure(command);
  log(`  re-run ${rerun.seconds.toFixed(1)} s, ${(rerun.maxRssBytes / 1048576).toFixed(0)} MB`);
  return { first, rerun };
}
