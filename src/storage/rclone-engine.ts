/**
 * Object stores (S3, Azure, Google Cloud Storage, Swift) through rclone: `rclone copy --checksum` with
 * parallel transfers, its JSON stats turned into the same progress events as the path engine, and
 * `rclone check` to prove every source object is in the target with the same size and hash (and name what only
 * the target holds).
 * Remotes are named the rclone way (`s3:bucket/prefix`, or `:local:/path` for tests); their
 * credentials stay in rclone's own configuration or environment (so rclone gets ours whole), never in argv.
 */
import { createReadStream } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ProcessError, runProcess } from '../docker/run-process.js';
import { registryLayoutDirs, registryRootPath } from '../dtr/facts.js';
import { MigrateError } from '../errors.js';
import type {
  CopyOptions,
  CopySummary,
  StorageEngine,
  StorageLocation,
  StorageProblem,
  VerifyOptions,
  VerifySummary,
} from './types.js';

const uploadsFilter = ['--exclude', '**/_uploads/**'];

/** How rclone names a location: a remote as given, a mounted path as itself. */
export function rcloneName(location: StorageLocation): string {
  return location.kind === 'rclone' ? location.remote : location.path;
}

interface RcloneStats {
  bytes?: number;
  totalBytes?: number;
  transfers?: number;
  totalTransfers?: number;
  checks?: number;
  errors?: number;
}

/** The `stats` object of one `--use-json-log` line, if it has one. */
export function parseStatsLine(line: string): RcloneStats | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { stats?: RcloneStats };
    return parsed.stats;
  } catch {
    return undefined;
  }
}

interface CheckReport {
  matched: number;
  readonly problems: StorageProblem[];
  /** Only in the target: not a failure (see VerifySummary.extra). */
  readonly extra: StorageProblem[];
}

/**
 * A `rclone check --combined` line: "= path" identical, "+ path" only in the source (missing from the
 * target), "- path" only in the target (extra: named, not a failure), "* path" differs, "! path" could not be read.
 */
function addCheckLine(report: CheckReport, line: string): void {
  const mark = line.slice(0, 1);
  const path = line.slice(2);
  if (mark === '=') report.matched += 1;
  else if (mark === '+') report.problems.push({ kind: 'missing', path });
  else if (mark === '-') report.extra.push({ kind: 'not-in-source', path });
  else if (mark === '*')
    report.problems.push({ kind: 'digest-mismatch', path, detail: 'size or hash differs (rclone check)' });
  else if (mark === '!') report.problems.push({ kind: 'unreadable', path, detail: 'rclone could not read it' });
}

/**
 * The `--combined` report, read line by line: a line per object, millions on a big registry. No file:
 * rclone stopped before comparing anything (an empty report).
 */
export async function readCheckReport(file: string): Promise<CheckReport> {
  const report: CheckReport = { matched: 0, problems: [], extra: [] };
  if (
    !(await access(file).then(
      () => true,
      () => false,
    ))
  )
    return report;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) addCheckLine(report, line);
  return report;
}

function explain(error: unknown, what: string): unknown {
  if (!(error instanceof ProcessError)) return error;
  if (error.kind === 'spawn-failed' || error.kind === 'not-executable') {
    return new MigrateError('STORAGE_INVALID', `${what} needs rclone, which is not installed here`, {
      hint: 'Install it (Debian/Ubuntu: apt-get install rclone) and configure the remote with `rclone config`.',
    });
  }
  if (error.kind === 'aborted')
    return new MigrateError('INTERRUPTED', `${what} was interrupted`, {
      hint: 'Run the same command again: rclone copies only what is missing.',
    });
  const last =
    error.stderrTail
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1) ?? '';
  return new MigrateError(
    'STORAGE_FAILED',
    `${what} failed: ${error.message}${last === '' ? '' : `: ${last.slice(0, 300)}`}`,
    {
      hint: 'Check the remote with `rclone lsd <remote>:`; then run the same command again.',
    },
  );
}

export function createRcloneStorageEngine(bin = 'rclone'): StorageEngine {
  /**
   * The source can be listed: so a wrong --from is named as such, not as a failed copy to the target.
   * Unless `anyTree`, it must also be a registry storage, as the path engine requires (locations.ts).
   */
  const checkSource = async (from: StorageLocation, anyTree = false): Promise<void> => {
    const name = rcloneName(from);
    let registryDirs: string[];
    try {
      await runProcess(bin, ['lsf', '--max-depth', '1', name], { fullEnv: true });
      if (anyTree) return;
      const below = `${name}${name.endsWith(':') || name.endsWith('/') ? '' : '/'}${registryRootPath}`;
      const listed = await runProcess(bin, ['lsf', '--dirs-only', '--max-depth', '1', below], { fullEnv: true }).catch(
        () => undefined,
      );
      registryDirs = (listed?.stdout ?? '').split('\n').map((line) => line.trim().replace(/\/$/, ''));
    } catch (error) {
      throw explain(error, `reading ${name}`);
    }
    const missing = registryLayoutDirs.filter((dir) => !registryDirs.includes(dir));
    if (missing.length === 0) return;
    throw new MigrateError(
      'STORAGE_INVALID',
      `The --from location ${name} holds no registry: ${missing.map((dir) => `${registryRootPath}/${dir}`).join(' and ')} not there, so it is not a registry storage root.`,
      {
        hint: 'Pass the registry storage root (the bucket or prefix holding docker/registry/v2) with --from. To copy a tree that is not a registry all the same, add --any-tree.',
      },
    );
  };
  return {
    preflight: (from, _to, options) => checkSource(from, options?.anyTree),

    async copy(options: CopyOptions): Promise<CopySummary> {
      const started = Date.now();
      await checkSource(options.from, options.anyTree);
      let last: RcloneStats = {};
      const transfers = String(options.concurrency ?? 8);
      const args = [
        'copy',
        rcloneName(options.from),
        rcloneName(options.to),
        '--checksum',
        '--transfers',
        transfers,
        '--checkers',
        transfers,
        '--use-json-log',
        '--stats',
        '1s',
        '--stats-log-level',
        'NOTICE',
        ...(options.includeUploads === true ? [] : uploadsFilter),
        ...(options.dryRun === true ? ['--dry-run'] : []),
      ];
      try {
        await runProcess(bin, args, {
          fullEnv: true,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          onStderrLine: (line) => {
            const stats = parseStatsLine(line);
            if (stats === undefined) return;
            last = stats;
            options.onProgress?.({
              phase: 'copy',
              files: stats.transfers ?? 0,
              bytes: stats.bytes ?? 0,
              ...(stats.totalTransfers === undefined ? {} : { totalFiles: stats.totalTransfers }),
              ...(stats.totalBytes === undefined ? {} : { totalBytes: stats.totalBytes }),
            });
          },
        });
      } catch (error) {
        throw explain(error, `rclone copy to ${rcloneName(options.to)}`);
      }
      const copied = last.transfers ?? 0;
      const skipped = last.checks ?? 0;
      return {
        files: copied + skipped,
        bytes: last.totalBytes ?? last.bytes ?? 0,
        filesCopied: copied,
        bytesCopied: last.bytes ?? 0,
        filesSkipped: skipped,
        durationMs: Date.now() - started,
        problems: [],
      };
    },

    async verify(options: VerifyOptions): Promise<VerifySummary> {
      const started = Date.now();
      await checkSource(options.from, options.anyTree);
      // The report goes to a file: a line per object would outgrow any in-memory buffer.
      const dir = await mkdtemp(join(tmpdir(), 'dtr-migrate-rclone-'));
      const file = join(dir, 'check.txt');
      const args = [
        'check',
        rcloneName(options.from),
        rcloneName(options.to),
        // Both ways: what only the target holds is named too (it would not survive DTR's blob GC).
        '--combined',
        file,
        ...(options.includeUploads === true ? [] : uploadsFilter),
      ];
      try {
        let failure: ProcessError | undefined;
        try {
          await runProcess(bin, args, {
            fullEnv: true,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          });
        } catch (error) {
          // Exit 1 is "differences found", or an error rclone did not classify (a listing that failed).
          if (!(error instanceof ProcessError) || error.kind !== 'exited' || error.exitCode !== 1)
            throw explain(error, 'rclone check');
          failure = error;
        }
        const { matched, problems, extra } = await readCheckReport(file);
        // Failed, yet no difference named: something could not be compared, so this is no clean result.
        if (failure !== undefined && problems.length === 0 && extra.length === 0)
          throw explain(failure, 'rclone check');
        return {
          ok: problems.length === 0,
          filesChecked: matched + problems.length,
          bytesChecked: 0,
          blobsHashed: 0,
          linksChecked: 0,
          durationMs: Date.now() - started,
          problems,
          extra,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
