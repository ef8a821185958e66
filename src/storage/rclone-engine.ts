/**
 * Object stores (S3, Azure, Google Cloud Storage, Swift) through rclone: `rclone copy --checksum` with
 * parallel transfers into the place the target's storage driver reads (driver-layout.ts), its JSON stats
 * turned into the same progress events as the path engine; verify proves every blob's content
 * (rclone-verify.ts). Remotes are named the rclone way (`s3:bucket/prefix`, or `:local:/path` for
 * tests); their credentials stay in rclone's own configuration, never in our argv.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { runProcess } from '../docker/run-process.js';
import { registryLayoutDirs, registryRootPath } from '../dtr/facts.js';
import { MigrateError } from '../errors.js';
import { explain, listObjects, mappedTarget, rcloneName, withScratch } from './rclone-run.js';
import { verifyRemote } from './rclone-verify.js';
import { inShard } from './shard.js';
import type { Shard } from './shard.js';
import type { CopyOptions, CopySummary, StorageEngine, StorageLocation, VerifyOptions } from './types.js';

export { rcloneName } from './rclone-run.js';

const uploadsFilter = ['--exclude', '**/_uploads/**'];

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

/** With a shard: the list of the source's objects in it, for `--files-from` (rclone filters know no hash). */
async function shardFilter(
  bin: string,
  from: string,
  shard: Shard | undefined,
  dir: string,
  filters: readonly string[],
): Promise<string[]> {
  if (shard === undefined || shard.count === 1) return [...filters];
  const paths: string[] = [];
  await listObjects(bin, from, dir, false, (object) => {
    if (inShard(object.path, shard, true) && (filters.length === 0 || !object.path.includes('/_uploads/')))
      paths.push(object.path);
  });
  const list = join(dir, 'shard.txt');
  await writeFile(list, paths.map((path) => `${path}\n`).join(''));
  return ['--files-from', list];
}

export function createRcloneStorageEngine(bin = 'rclone'): StorageEngine {
  /** The source can be listed: so a wrong --from is named as such, not as a failed copy to the target. */
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
      const to = await mappedTarget(bin, options.to, options.toDriver);
      let last: RcloneStats = {};
      const transfers = String(options.ioConcurrency ?? options.concurrency ?? 8);
      return withScratch(async (dir) => {
        const from = rcloneName(options.from);
        const filters = await shardFilter(
          bin,
          from,
          options.shard,
          dir,
          options.includeUploads === true ? [] : uploadsFilter,
        );
        const args = [
          'copy',
          from,
          to,
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
          ...filters,
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
          throw explain(error, `rclone copy to ${to}`);
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
      });
    },

    async verify(options: VerifyOptions) {
      const to = await mappedTarget(bin, options.to, options.toDriver);
      const from = rcloneName(options.from);
      return withScratch(async (dir) =>
        verifyRemote({
          bin,
          from,
          to,
          localTarget: options.to.kind === 'path' || to.startsWith(':local'),
          filters: await shardFilter(
            bin,
            from,
            options.shard,
            dir,
            options.includeUploads === true ? [] : uploadsFilter,
          ),
          shard: options.shard,
          concurrency: options.ioConcurrency ?? options.concurrency ?? 8,
          rehash: options.rehash === true,
          ledgerDir: options.ledgerDir,
          signal: options.signal,
        }),
      );
    },
  };
}
