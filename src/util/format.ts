/** Small formatting helpers shared by the engine's messages and the CLI's rendering. */

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** A duration in the largest units that matter: `73 ms`, `12s`, `4m 5s`, `2h 7m` (never a fraction of a unit). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '…';
  // A rate's estimate is a fraction; under a second it is still shown in whole milliseconds.
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole} ms`;
  const seconds = Math.round(whole / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** How many blob digests a verify checked, and how many of them its ledger vouched for (not read again). */
export function formatBlobChecks(
  verify: { readonly blobsHashed: number; readonly bytesChecked: number; readonly blobsTrusted?: number | undefined },
  rehash = '--rehash',
): string {
  const trusted = verify.blobsTrusted ?? 0;
  const hashed = `${formatCount(verify.blobsHashed)} blob digests (${formatBytes(verify.bytesChecked)} read)`;
  const unchanged = `unchanged since an earlier verify (${rehash} reads them again)`;
  if (trusted === 0) return hashed;
  return verify.blobsHashed === 0
    ? `${formatCount(trusted)} blob digests ${unchanged}`
    : `${hashed} and ${formatCount(trusted)} ${unchanged}`;
}
