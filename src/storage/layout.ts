/**
 * What the registry's filesystem layout means to the engine (docs: reference/dtr-api.md section 10).
 * Paths are relative to the storage root and use `/`, whatever the depth of the registry root below it
 * (`docker/registry/v2/` on a DTR volume, or the root itself).
 *
 * Every function here is self-contained (no module-level references): they also run inside the tree
 * workers, shipped there as source text.
 */

/** The digest in a blob data path (`<prefix>blobs/sha256/<xx>/<64 hex>/data`), else undefined. */
export function blobDigestOf(rel: string): string | undefined {
  if (!rel.endsWith('/data')) return undefined;
  const match = /(?:^|\/)blobs\/sha256\/([0-9a-f]{2})\/([0-9a-f]{64})\/data$/.exec(rel);
  const fanout = match?.[1];
  const digest = match?.[2];
  return fanout !== undefined && digest?.startsWith(fanout) ? digest : undefined;
}

/** True for a `link` file inside a registry's `repositories/` (layer, revision, tag current or index). */
export function isLinkPath(rel: string): boolean {
  return rel.endsWith('/link') && (rel.startsWith('repositories/') || rel.includes('/repositories/'));
}

/**
 * The blob data path a link's content points to, or undefined if the content is not `sha256:<hex>`.
 * The registry root is everything before the first `repositories` segment: a repository may be named
 * `.../repositories/...`, but the registry's own directory always comes first.
 */
export function linkTargetOf(linkRel: string, content: string): string | undefined {
  const match = /^sha256:([0-9a-f]{64})$/.exec(content.trim());
  const digest = match?.[1];
  if (digest === undefined) return undefined;
  const at = linkRel.startsWith('repositories/') ? -1 : linkRel.indexOf('/repositories/');
  if (at < 0 && !linkRel.startsWith('repositories/')) return undefined;
  return `${linkRel.slice(0, at + 1)}blobs/sha256/${digest.slice(0, 2)}/${digest}/data`;
}

/** True for a temporary file this engine writes before renaming it into place. */
export function isTempName(name: string): boolean {
  return name.charCodeAt(0) === 46 /* . */ && name.includes('.dtr-migrate-tmp-');
}

/**
 * Present in a target while a copy is writing to it, removed when the copy ends normally: a run that
 * finds it knows the last one was killed and sweeps the target for its temporary files.
 */
export const copyMarkerName = '.dtr-migrate-copy-incomplete';

/** The marker of one shard's copy (`--shard K/N`): each host's copy has its own, so one ending removes only its own. */
export function shardMarkerName(shard: { readonly index: number; readonly count: number } | undefined): string {
  return shard === undefined || shard.count === 1 ? copyMarkerName : `${copyMarkerName}-${shard.index}of${shard.count}`;
}

/** Files of the engine's own (temporary files, the copy markers): never data, never copied or checked. */
export function isEngineFile(name: string): boolean {
  return (
    name.charCodeAt(0) === 46 /* . */ &&
    (name.includes('.dtr-migrate-tmp-') || name.startsWith('.dtr-migrate-copy-incomplete'))
  );
}

/** The name a temporary file stands for (`.data.dtr-migrate-tmp-ab1` → `data`). */
export function tempFileTarget(name: string): string {
  return name.slice(1, name.indexOf('.dtr-migrate-tmp-'));
}

/** `.<name>.dtr-migrate-tmp-<run><counter>`: hidden, recognisable, unique per run and file. */
export function tempName(name: string, runId: string, counter: number): string {
  return `.${name}.dtr-migrate-tmp-${runId}${counter.toString(36)}`;
}
