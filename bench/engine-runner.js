/**
 * Runs one engine operation in its own process, so the bench can time it like any other command and read
 * its peak memory: `node bench/engine-runner.js copy|verify|copy+verify <from> <to> [--checksum]`.
 * Prints one JSON line: the summary (problems counted), wall time inside the process and max RSS (bytes,
 * worker threads included). Calls dist/storage directly, not the CLI. Exit 1 if there were problems.
 */

import { createPathStorageEngine } from '../dist/storage/index.js';

const [operation, from, to, ...flags] = process.argv.slice(2);
if (!operation || !from || !to) {
  console.error('usage: engine-runner.js copy|verify|copy+verify <from> <to> [--checksum]');
  process.exit(2);
}
const engine = createPathStorageEngine();
const locations = { from: { kind: 'path', path: from }, to: { kind: 'path', path: to } };
const started = performance.now();
const result = {};
let problems = 0;
if (operation === 'copy' || operation === 'copy+verify') {
  const summary = await engine.copy({ ...locations, checksum: flags.includes('--checksum') });
  result.copy = { ...summary, problems: summary.problems.length };
  problems += summary.problems.length;
}
if (operation === 'verify' || operation === 'copy+verify') {
  const summary = await engine.verify(locations);
  result.verify = { ...summary, problems: summary.problems.length };
  problems += summary.problems.length;
}
result.ms = Math.round(performance.now() - started);
result.maxRssBytes = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify(result));
process.exitCode = problems === 0 ? 0 : 1;
