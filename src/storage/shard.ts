/**
 * Sharding: `--shard K/N` gives one of N hosts its part of a migration. Blobs go by their digest (its
 * first 8 hex digits, uniformly random), repositories by a hash of their name, so that the N parts are
 * disjoint and their union is the whole: every file belongs to exactly one shard. Files outside blobs
 * and repositories (few, if any) belong to shard 1. Directories that hold several shards' files
 * (`blobs/sha256/ab`, `repositories/team`) are walked by every shard.
 */
import { MigrateError } from '../errors.js';

export interface Shard {
  /** 1 to `count`. */
  readonly index: number;
  readonly count: number;
}

export function parseShard(value: string, flag = '--shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 4096 || index < 1 || index > count) {
    throw new MigrateError('USAGE', `${flag} must be K/N with 1 <= K <= N <= 4096, not "${value}"`, {
      hint: `Pass ${flag} 1/4 on the first of four hosts, ${flag} 2/4 on the second, and so on.`,
    });
  }
  return { index, count };
}

/**
 * The shard (1 to `count`) a path belongs to: known for a blob's directory or anything in it, and for a
 * repository's `_layers`, `_manifests` or `_uploads` or anything in them; undefined for the directories
 * above them, which every shard walks. A file with no shard of its own belongs to shard 1.
 *
 * Self-contained (no module-level references): it also runs inside the tree workers, shipped as source.
 */
export function shardOf(rel: string, count: number, isFile = false): number | undefined {
  if (count === 1) return 1;
  const digest = /(?:^|\/)blobs\/sha256\/[0-9a-f]{2}\/([0-9a-f]{64})(?:\/|$)/.exec(rel)?.[1];
  if (digest !== undefined) return (Number.parseInt(digest.slice(0, 8), 16) % count) + 1;
  const name = /(?:^|\/)repositories\/(.+?)\/(?:_layers|_manifests|_uploads)(?:\/|$)/.exec(rel)?.[1];
  if (name !== undefined) {
    const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(name).digest();
    return (hash.readUInt32BE(0) % count) + 1;
  }
  return isFile ? 1 : undefined;
}

/** True if `rel` is in `shard`, or is a directory every shard walks (no shard given: everything). */
export function inShard(rel: string, shard: Shard | undefined, isFile = false): boolean {
  if (shard === undefined || shard.count === 1) return true;
  const owner = shardOf(rel, shard.count, isFile);
  return owner === undefined || owner === shard.index;
}
