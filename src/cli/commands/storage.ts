/**
 * `dtr-migrate storage copy|verify --from <location> --to <location>`: the storage engine on its own,
 * for operators who copy ahead of the maintenance window. Exit 0 only when the target is complete and
 * verified; every problem is listed by path.
 */
import { MigrateError } from '../../errors.js';
import { formatBlobChecks, formatBytes, formatCount, formatDuration } from '../../util/format.js';
import { storageDrivers } from '../../storage/driver-layout.js';
import type { StorageDriver } from '../../storage/driver-layout.js';
import { engineFor, parseLocation } from '../../storage/locations-parse.js';
import { parseShard } from '../../storage/shard.js';
import { kubernetesJob, swarmJob } from '../../storage/shard-job.js';
import type { StorageLocation, StorageProblem, StorageProgress, VerifySummary } from '../../storage/types.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { ProgressLine } from '../progress-line.js';
import { RateMeter, storageProgressOf } from '../../storage/progress-text.js';

export interface StorageFlags {
  readonly from: string;
  readonly to: string;
  readonly concurrency?: string;
  readonly ioConcurrency?: string;
  readonly toDriver?: string;
  readonly shard?: string;
  /** shard-job only. */
  readonly shards?: string;
  readonly swarm?: boolean;
  readonly kubernetes?: boolean;
  readonly image?: string;
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

function countOf(value: string | undefined, flag: string, example: number, max = 256): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new MigrateError('USAGE', `${flag} must be a whole number from 1 to ${max}, not "${value}"`, {
      hint: `Pass ${flag} ${example}, for example.`,
    });
  return n;
}

function driverOf(value: string | undefined): StorageDriver | undefined {
  if (value === undefined) return undefined;
  const driver = storageDrivers.find((candidate) => candidate === value);
  if (driver === undefined)
    throw new MigrateError('USAGE', `--to-driver must be one of ${storageDrivers.join(', ')}, not "${value}"`, {
      hint: 'Pass the storage driver DTR is to use for the new storage, e.g. --to-driver s3.',
    });
  return driver;
}

/** The options every engine call of the command shares (as plain data). */
function engineOptions(ctx: CliContext, flags: StorageFlags) {
  const concurrency = countOf(flags.concurrency, '--concurrency', 8);
  const ioConcurrency = countOf(flags.ioConcurrency, '--io-concurrency', 32, 1024);
  const toDriver = driverOf(flags.toDriver);
  const shardText = flags.shard ?? ctx.env['DTR_MIGRATE_SHARD'];
  const shard = shardText === undefined || shardText === '' ? undefined : parseShard(shardText);
  return {
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(ioConcurrency === undefined ? {} : { ioConcurrency }),
    ...(toDriver === undefined ? {} : { toDriver }),
    ...(shard === undefined ? {} : { shard }),
  };
}

/** `storage shard-job`: the manifests, printed for the operator to apply. */
function shardJob(ctx: CliContext, flags: StorageFlags): number {
  if (flags.swarm === flags.kubernetes)
    throw new MigrateError('USAGE', 'storage shard-job needs exactly one of --swarm and --kubernetes', {
      hint: 'Pass --swarm for Docker Swarm (UCP), or --kubernetes for a Kubernetes cluster.',
    });
  const shards = countOf(flags.shards, '--shards', 4, 4096) ?? 1;
  const copyArgs = [
    ...(flags.toDriver === undefined ? [] : ['--to-driver', driverOf(flags.toDriver) ?? '']),
    ...(flags.ioConcurrency === undefined
      ? []
      : ['--io-concurrency', String(countOf(flags.ioConcurrency, '--io-concurrency', 32, 1024))]),
  ];
  const job = {
    shards,
    from: location(flags.from, '--from'),
    to: location(flags.to, '--to'),
    image: flags.image ?? 'dtr-migrate',
    copyArgs,
  };
  ctx.stdout.write(flags.swarm === true ? swarmJob(job) : kubernetesJob(job));
  return 0;
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

export async function storageCommand(
  ctx: CliContext,
  action: 'copy' | 'verify' | 'shard-job',
  flags: StorageFlags,
): Promise<number> {
  if (action === 'shard-job') {
    try {
      return shardJob(ctx, flags);
    } catch (error) {
      return reportFailure(ctx, error);
    }
  }
  const bar = new ProgressLine(ctx.stderr);
  const meter = new RateMeter();
  let lastJson = 0;
  const onProgress = (p: StorageProgress): void => {
    const pace = meter.pace(p);
    if (!ctx.json) return bar.update(p, pace);
    if (Date.now() - lastJson < 1000) return;
    lastJson = Date.now();
    const { text, counts } = storageProgressOf(p, pace);
    ctx.events.progress('storage', text, counts);
  };
  /** The closing lines: the sentences (--json: its `text`), then every problem by path (--json: in `fields`). */
  const out = (
    ok: boolean,
    sentences: readonly string[],
    fields: Record<string, unknown>,
    problems: readonly StorageProblem[] = [],
    more: readonly string[] = [],
  ): void => {
    bar.done();
    if (ctx.json) ctx.events.result(ok, ok ? 0 : 1, sentences.join(' '), fields);
    else ctx.stdout.write(`${[...sentences, ...problemLines(problems), ...more].join('\n')}\n`);
  };
  try {
    const from = location(flags.from, '--from');
    const to = location(flags.to, '--to');
    const engine = engineFor(from, to, flags.rcloneBin);
    const common = {
      from,
      to,
      signal: ctx.signal,
      onProgress,
      includeUploads: flags.includeUploads === true,
      ...engineOptions(ctx, flags),
      anyTree: flags.anyTree === true,
    };
    let copyFacts: string[] = [];
    let copied: Record<string, unknown> = {};
    if (action === 'copy') {
      const copy = await engine.copy({
        ...common,
        checksum: flags.checksum === true,
        dryRun: flags.dryRun === true,
      });
      copied = { ...copy };
      if (flags.dryRun === true) {
        out(
          true,
          [
            `Dry run: ${formatCount(copy.filesCopied)} files, ${formatBytes(copy.bytesCopied)} would be copied (${formatCount(copy.files)} files, ${formatBytes(copy.bytes)} in the source).`,
          ],
          { dryRun: true, copy },
        );
        return 0;
      }
      copyFacts = [
        `Copied ${formatCount(copy.filesCopied)} files, ${formatBytes(copy.bytesCopied)} in ${formatDuration(copy.durationMs)} (${formatCount(copy.filesSkipped)} already there).`,
      ];
      if (copy.problems.length > 0) {
        out(
          false,
          [...copyFacts, `${copy.problems.length} problem(s) in the source, not copied:`],
          { copy: copied },
          copy.problems,
        );
        return 1;
      }
    }
    // The copy just walked both trees without a problem: the verify checks the target only.
    const verify: VerifySummary = await engine.verify({
      ...common,
      rehash: flags.rehash === true,
      sourceChecked: action === 'copy',
    });
    // After a copy, its walk found every source file in place: the verify checked the target's content.
    const files = action === 'copy' ? Number(copied['files'] ?? 0) : verify.filesChecked;
    const bytes = action === 'copy' ? Number(copied['bytes'] ?? 0) : verify.sourceBytes;
    const total = bytes === undefined ? '' : ` (${formatBytes(bytes)})`;
    const verdict = verify.ok
      ? `Verified: ${formatCount(files)} files${total}, ${formatBlobChecks(verify)}, ${formatCount(verify.linksChecked)} links, in ${formatDuration(verify.durationMs)}: no problem.`
      : `Verification found ${verify.problems.length} problem(s):`;
    out(
      verify.ok,
      [...copyFacts, verdict],
      { ...(action === 'copy' ? { copy: copied } : {}), verify },
      verify.problems,
      apartLines(verify),
    );
    return verify.ok ? 0 : 1;
  } catch (error) {
    bar.done();
    return reportFailure(ctx, error);
  }
}
