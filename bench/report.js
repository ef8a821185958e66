/** The bench's result table: every figure, every ratio, each target and whether it was met. */

import { loadavg } from 'node:os';

const mb = (bytes) => (bytes === undefined ? '' : `${(bytes / 1048576).toFixed(0)} MB`);
const sec = (value) => (value === undefined ? 'n/a' : `${value.toFixed(2)} s`);
const times = (value, suffix) => (value === undefined ? 'n/a' : `${value.toFixed(2)}x ${suffix}`);
const verdict = (value, ok) => (value === undefined ? 'n/a' : ok(value) ? 'yes' : 'NO');

function row(label, figure, ratio = '', target = '', met = '') {
  const cpu = figure?.cpuSeconds === undefined ? '' : sec(figure.cpuSeconds);
  return { label, seconds: sec(figure?.seconds), cpu, rss: mb(figure?.maxRssBytes), ratio, target, met };
}

function printTable(rows) {
  const headers = {
    label: 'measurement',
    seconds: 'median',
    cpu: 'CPU',
    rss: 'max RSS',
    ratio: 'ratio',
    target: 'target',
    met: 'met',
  };
  const keys = Object.keys(headers);
  const width = (key) => Math.max(headers[key].length, ...rows.map((r) => String(r[key]).length));
  const widths = Object.fromEntries(keys.map((key) => [key, width(key)]));
  const line = (r) => `| ${keys.map((key) => String(r[key]).padEnd(widths[key])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${keys.map((key) => '-'.repeat(widths[key] + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

/** The copy rows of one regime: each tool, and the engine's ratios against cp -a and rsync -a. */
function copyRows(pick, prefix) {
  const [cp, rsync, rclone, copy, copyVerify] = ['cp', 'rsync', 'rclone', 'copy', 'copyVerify'].map(pick);
  const ratio = (a, b) => (a && b ? a.seconds / b.seconds : undefined);
  const copyVsCp = ratio(copy, cp);
  const copyVsRsync = ratio(copy, rsync);
  const bothVsCp = ratio(copyVerify, cp);
  return [
    row(`${prefix}cp -a (baseline)`, cp),
    row(`${prefix}rsync -a`, rsync),
    row(`${prefix}rclone copy`, rclone),
    row(
      `${prefix}engine copy`,
      copy,
      times(copyVsCp, 'of cp -a'),
      '<= 1.0x',
      verdict(copyVsCp, (v) => v <= 1),
    ),
    row(
      '  vs rsync -a',
      copy,
      times(copyVsRsync, 'of rsync'),
      '< 1.0x',
      verdict(copyVsRsync, (v) => v < 1),
    ),
    row(
      `${prefix}storage copy (+ verify)`,
      copyVerify,
      times(bothVsCp, 'of cp -a'),
      '<= 1.3x',
      verdict(bothVsCp, (v) => v <= 1.3),
    ),
  ];
}

function printRuns(title, pick) {
  for (const key of [
    'cp',
    'rsync',
    'rclone',
    'copy',
    'rerun',
    'rsyncRerun',
    'rcloneRerun',
    'verify',
    'sha256sum',
    'copyVerify',
    'cliRerun',
  ]) {
    const figure = pick(key);
    if (figure) console.log(`${title} ${key.padEnd(11)} ${figure.runs.map((s) => s.toFixed(2)).join('  ')}`);
  }
}

/** The latency regime's rows: each tool, and the engine against rclone and cp -a (median, and the spread). */
function latencyRows({ figures }) {
  const [cp, rsync, rclone, engine] = ['cp', 'rsync', 'rclone', 'copyVerify'].map((key) => figures[key]);
  const ratio = (a, b) => (a && b ? a.seconds / b.seconds : undefined);
  const vsRclone = ratio(engine, rclone);
  const faster = ratio(cp, engine);
  return [
    row('1 ms/op: cp -a', cp),
    row('1 ms/op: rsync -a', rsync),
    row('1 ms/op: rclone copy (8/8)', rclone),
    row(
      '1 ms/op: storage copy (+ verify)',
      engine,
      times(vsRclone, 'of rclone'),
      '<= 1.0x',
      verdict(vsRclone, (v) => v <= 1),
    ),
    row(
      '  vs cp -a',
      engine,
      times(faster, 'faster'),
      '>= 3x',
      verdict(faster, (v) => v >= 3),
    ),
  ];
}

function millionRows(million) {
  const underRss = (figure) => verdict(figure.maxRssBytes, (bytes) => bytes <= 200 * 1048576);
  return [
    row('1M files: storage copy', million.first, '', '<= 200 MB', underRss(million.first)),
    row(
      '1M files: re-run, no change',
      million.rerun,
      '',
      '<= 60 s, 200 MB',
      verdict(million.rerun.seconds, (s) => s <= 60 && underRss(million.rerun) === 'yes'),
    ),
  ];
}

export function printReport({ pick, pickCold, scale, latency, million, rounds, coldRounds, cores }) {
  const [copy, rerun, verify, sha] = ['copy', 'rerun', 'verify', 'sha256sum'].map(pick);
  const coldCopy = pickCold('copy');
  const ratio = (a, b) => (a && b ? a.seconds / b.seconds : undefined);
  const speedup = ratio(sha, verify);
  const underLimit = (figure) => verdict(figure.maxRssBytes, (bytes) => bytes < 150 * 1048576);
  const rerunRow = (label, against) => {
    const value = ratio(rerun, against);
    return row(
      label,
      rerun,
      times(value, 'of copy'),
      '< 0.1x',
      verdict(value, (v) => v < 0.1),
    );
  };

  const rows = [
    ...copyRows(pick, 'warm: '),
    rerunRow('engine re-run, no change', copy),
    row(
      'storage copy re-run',
      pick('cliRerun'),
      times(ratio(pick('cliRerun'), pick('rsyncRerun')), 'of rsync'),
      '<= 1.5x',
      verdict(ratio(pick('cliRerun'), pick('rsyncRerun')), (v) => v <= 1.5),
    ),
    row('rsync -a re-run, no change', pick('rsyncRerun'), times(ratio(pick('rsyncRerun'), pick('rsync')), 'of rsync')),
    row(
      'rclone re-run, no change',
      pick('rcloneRerun'),
      times(ratio(pick('rcloneRerun'), pick('rclone')), 'of rclone'),
    ),
    row(`sha256sum (xargs -P ${cores})`, sha),
    row(
      'engine verify',
      verify,
      times(speedup, 'faster'),
      '>= 3x',
      verdict(speedup, (v) => v >= 3),
    ),
  ];
  if (coldCopy) rows.push(...copyRows(pickCold, 'cold: '), rerunRow('re-run vs cold copy', coldCopy));
  if (scale) {
    rows.push(
      row('200k files: engine copy', scale.copy, '', '< 150 MB', underLimit(scale.copy)),
      row('200k files: engine verify', scale.verify, '', '< 150 MB', underLimit(scale.verify)),
      row('200k files: cp -a', scale.cp, times(scale.copy.seconds / scale.cp.seconds, 'engine/cp'), '(info)'),
    );
  }
  if (latency) rows.push(...latencyRows(latency));
  if (million) rows.push(...millionRows(million));

  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  console.log('');
  console.log(
    `Registry tree ~1 GiB in ~3,700 files; warm: median of ${rounds} rounds after a warm-up; cold: median of ` +
      `${coldCopy ? coldRounds : 0} rounds; ${cores} cores; load average ${load}.`,
  );
  printTable(rows);
  console.log('');
  printRuns('warm runs', pick);
  printRuns('cold runs', pickCold);
  for (const [key, figure] of Object.entries(latency?.figures ?? {})) {
    const spread = `${Math.min(...figure.runs).toFixed(2)}-${Math.max(...figure.runs).toFixed(2)} s`;
    console.log(
      `1 ms/op runs ${key.padEnd(11)} ${figure.runs.map((s) => s.toFixed(2)).join('  ')}  (spread ${spread})`,
    );
  }
  console.log('Notes: warm = the source is in the page cache; cold = it was dropped from it before each copy, as in a');
  console.log('real migration. CPU = user + system of the whole process tree (GNU time); max RSS includes the engine');
  console.log('worker threads; rclone keeps no modes or owners. engine copy = the copy pass (bench/engine-runner.js);');
  console.log(
    'storage copy = the `dtr-migrate storage copy` command, which verifies after copying: the first run hashes',
  );
  console.log('every blob, a re-run only the blobs whose files changed since (the verified-blob ledger).');
}
