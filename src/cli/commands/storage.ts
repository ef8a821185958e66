/**
 * `dtr-migrate storage copy|verify --from <location> --to <location>`: the storage engine on its own,
 * for operators who copy ahead of the maintenance window. Exit 0 only when the target is complete and
 * verified; every problem is listed by path.
 */
import { MigrateError } from '../../errors.js';
import { formatBlobChecks, formatBytes, formatCount, formatDuration } from '../../util/format.js';
import { engineFor, parseLocation } from '../../storage/locations-parse.js';
import type { StorageLocation, StorageProblem, StorageProgress, VerifySummary } from '../../storage/types.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { ProgressLine } from '../progress-line.js';

export interface StorageFlags {
  readonly from: string;
  readonly to: string;
  readonly concurrency?: string;
  readonly dryRun?: boolean;
  readonly checksum?: boolean;
  readonly includeUploads?: boolean;
  readonly rcloneBin?: string;
  readonly rehash?: boolean;
  readonly anyTree?: boolean;
}

function location(value: string, flag: string): StorageLocation {
  if (value.trim() === '')
    throw new MigrateError('USAGE', `${flag} is empty`, { hint: `Pass a path or an rclone remote with ${flag}.` });
  return parseLocation(value);
}

function concurrencyOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new MigrateError('USAGE', `--concurrency must be a whole number from 1 to 256, not "${value}"`, {
      hint: 'Pass --concurrency 8, for example.',
    });
  return n;
}

const problemsShown = 50;

function problemLines(problems: readonly StorageProblem[]): string[] {
  const lines = problems
    .slice(0, problemsShown)
    .map((p) => `  ${p.kind}: ${p.path}${p.detail === undefined ? '' : ` (${p.detail})`}`);
  if (problems.length > problemsShown)
    lines.push(`  … and ${problems.length - problemsShown} more (--json lists every one)`);
  return lines;
}

/** What verify names without failing: links that dangle in the source too, files only the target holds. */
function apartLines(verify: VerifySummary): string[] {
  const lines: string[] = [];
  const inherited = verify.inherited ?? [];
  const extra = verify.extra ?? [];
  if (inherited.length > 0)
    lines.push(
      `${formatCount(inherited.length)} link(s) point to blobs the source lacks as well (the registry was incomplete before the copy):`,
      ...problemLines(inherited),
    );
  if (extra.length > 0)
    lines.push(
      `${formatCount(extra.length)} file(s) only in the target (DTR's blob GC would delete blobs among them):`,
      ...problemLines(extra),
    );
  return lines;
}

export async function storageCommand(ctx: CliContext, action: 'copy' | 'verify', flags: StorageFlags): Promise<number> {
  const bar = new ProgressLine(ctx.stderr);
  let lastJson = 0;
  const onProgress = (p: StorageProgress): void => {
    if (!ctx.json) return bar.update(p);
    if (Date.now() - lastJson < 1000) return;
    lastJson = Date.now();
    ctx.stdout.write(`${JSON.stringify({ event: 'progress', ...p })}\n`);
  };
  const out = (value: Record<string, unknown>, lines: string[]): void => {
    bar.done();
    ctx.stdout.write(ctx.json ? `${JSON.stringify(value)}\n` : `${lines.join('\n')}\n`);
  };
  try {
    const from = location(flags.from, '--from');
    const to = location(flags.to, '--to');
    const engine = engineFor(from, to, flags.rcloneBin);
    const concurrency = concurrencyOf(flags.concurrency);
    const common = {
      from,
      to,
      signal: ctx.signal,
      onProgress,
      includeUploads: flags.includeUploads === true,
      anyTree: flags.anyTree === true,
    };
    let copyFacts: string[] = [];
    let copied: Record<string, unknown> = {};
    if (action === 'copy') {
      const copy = await engine.copy({
        ...common,
        ...(concurrency === undefined ? {} : { concurrency }),
        checksum: flags.checksum === true,
        dryRun: flags.dryRun === true,
      });
      copied = { ...copy };
      if (flags.dryRun === true) {
        out({ event: 'result', ok: true, exitCode: 0, dryRun: true, ...copy }, [
          `Dry run: ${formatCount(copy.filesCopied)} files, ${formatBytes(copy.bytesCopied)} would be copied (${formatCount(copy.files)} files, ${formatBytes(copy.bytes)} in the source).`,
        ]);
        return 0;
      }
      copyFacts = [
        `Copied ${formatCount(copy.filesCopied)} files, ${formatBytes(copy.bytesCopied)} in ${formatDuration(copy.durationMs)} (${formatCount(copy.filesSkipped)} already there).`,
      ];
      if (copy.problems.length > 0) {
        out({ event: 'result', ok: false, exitCode: 1, copy: copied }, [
          ...copyFacts,
          `${copy.problems.length} problem(s) in the source, not copied:`,
          ...problemLines(copy.problems),
        ]);
        return 1;
      }
    }
    const verify: VerifySummary = await engine.verify({
      ...common,
      ...(concurrency === undefined ? {} : { concurrency }),
      rehash: flags.rehash === true,
    });
    const byRclone =
      verify.blobsHashed === 0 &&
      (verify.blobsTrusted ?? 0) === 0 &&
      verify.linksChecked === 0 &&
      verify.bytesChecked === 0 &&
      verify.filesChecked > 0;
    const verdict =
      verify.ok && byRclone
        ? `Verified with rclone check: ${formatCount(verify.filesChecked)} objects present with the same size and hash, in ${formatDuration(verify.durationMs)}.`
        : verify.ok
          ? `Verified: ${formatCount(verify.filesChecked)} files, ${formatBlobChecks(verify)}, ${formatCount(verify.linksChecked)} links, in ${formatDuration(verify.durationMs)}: no problem.`
          : `Verification found ${verify.problems.length} problem(s):`;
    out(
      {
        event: 'result',
        ok: verify.ok,
        exitCode: verify.ok ? 0 : 1,
        ...(action === 'copy' ? { copy: copied } : {}),
        verify,
      },
      [...copyFacts, verdict, ...problemLines(verify.problems), ...apartLines(verify)],
    );
    return verify.ok ? 0 : 1;
  } catch (error) {
    bar.done();
    return reportFailure(ctx, error);
  }
}
