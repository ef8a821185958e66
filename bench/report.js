/** The bench's result table: every figure, every ratio, each target and whether it was met. */

import { loadavg } from 'node:os';

const mb = (bytes) => (bytes === undefined ? '' : `${(bytes / 1048576).toFixed(0)} MB`);
const sec = (value) => (value === undefined ? 'n/a' : `${value.toFixed(2)} s`);

function row(label, figure, ratio = '', target = '', met = '') {
  return { label, seconds: sec(figure?.seconds), cpu: figure?.cpuSeconds === undefined ? '' : sec(figure.cpuSeconds), rss: mb(figure?.maxRssBytes), ratio, target, met };
}

function verdict(ok) {
  return ok === undefined ? 'n/a' : ok ? 'yes' : 'NO';
}

export function printReport({ pick, cold, scale, rounds, cores }) {
  const cp = pick('cp');
  const rsync = pick('rsync');
  const rclone = pick('rclone');
  const copy = pick('copy');
  const rerun = pick('rerun');
  const verify = pick('verify');
  const sha = pick('sha256sum');
  const copyVerify = pick('copyVerify');
  const ratio = (a, b) => (a && b ? a.seconds / b.seconds : undefined);
  const fmt = (value, suffix = 'x') => (value === undefined ? 'n/a' : `${value.toFixed(2)}${suffix}`);

  const copyVsCp = ratio(copy, cp);
  const copyVsRsync = ratio(copy, rsync);
  const cvVsCp = ratio(copyVerify, cp);
  const rerunVsCopy = ratio(rerun, copy);
  const verifySpeedup = ratio(sha, verify);
  const limit = 150 * 1048576;

  const rows = [
    row('cp -a (baseline)', cp),
    row('rsync -a', rsync),
    row('rclone copy', rclone),
    row('engine copy', copy, `${fmt(copyVsCp)} of cp -a`, '<= 1.0x', verdict(copyVsCp === undefined ? undefined : copyVsCp <= 1)),
    row('  vs rsync -a', copy, `${fmt(copyVsRsync)} of rsync`, '< 1.0x', verdict(copyVsRsync === undefined ? undefined : copyVsRsync < 1)),
    row('engine copy + verify', copyVerify, `${fmt(cvVsCp)} of cp -a`, '<= 1.3x', verdict(cvVsCp === undefined ? undefined : cvVsCp <= 1.3)),
    row('engine re-run, no change', rerun, `${fmt(rerunVsCopy)} of copy`, '< 0.1x', verdict(rerunVsCopy === undefined ? undefined : rerunVsCopy < 0.1)),
    row(`sha256sum (xargs -P ${cores})`, sha),
    row('engine verify', verify, `${fmt(verifySpeedup)} faster`, '>= 3x', verdict(verifySpeedup === undefined ? undefined : verifySpeedup >= 3)),
  ];
  if (cold.cp && cold.copy) {
    const coldRatio = cold.copy.seconds / cold.cp.seconds;
    rows.push(row('cold cache: cp -a', cold.cp), row('cold cache: engine copy', cold.copy, `${fmt(coldRatio)} of cp -a`, '(info)', ''));
  }
  rows.push(
    row('200k files: engine copy', scale.copy, '', '< 150 MB', verdict((scale.copy.maxRssBytes ?? Infinity) < limit)),
    row('200k files: engine verify', scale.verify, '', '< 150 MB', verdict((scale.verify.maxRssBytes ?? Infinity) < limit)),
    row('200k files: cp -a', scale.cp, `${fmt(scale.copy.seconds / scale.cp.seconds)} (engine/cp)`, '(info)', ''),
  );

  const headers = { label: 'measurement', seconds: 'median', cpu: 'CPU', rss: 'max RSS', ratio: 'ratio', target: 'target', met: 'met' };
  const keys = Object.keys(headers);
  const widths = Object.fromEntries(keys.map((key) => [key, Math.max(headers[key].length, ...rows.map((r) => String(r[key]).length))]));
  const line = (r) => `| ${keys.map((key) => String(r[key]).padEnd(widths[key])).join(' | ')} |`;
  console.log('');
  console.log(`Registry tree ~1 GiB, ~3,700 files; ${rounds} rounds after a warm-up, median wall time; ${cores} cores; load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  console.log(line(headers));
  console.log(`|${keys.map((key) => '-'.repeat(widths[key] + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const key of ['cp', 'rsync', 'rclone', 'copy', 'rerun', 'verify', 'sha256sum', 'copyVerify']) {
    const figure = pick(key);
    if (figure) console.log(`runs ${key.padEnd(10)} ${figure.runs.map((s) => s.toFixed(2)).join('  ')}`);
  }
  console.log('Notes: warm page cache (the source stays in memory across runs); CPU = user + system of the whole process');
  console.log('tree (GNU time), max RSS includes the engine worker threads; rclone does not keep modes or owners.');
}
