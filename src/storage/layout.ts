/**
 * What the registry's filesystem layout means to the engine (docs: reference/dtr-api.md section 10).
 * Paths here are relative to the storage root and always use `/`, whatever the depth of the registry root
 * below it (`docker/registry/v2/` on a DTR volume, or the root itself).
 */

import { randomBytes } from 'node:crypto';

/** `<prefix>blobs/sha256/<xx>/<64 hex>/data`, where `xx` is the first two digits of the digest. */
const blobPattern = /(^|\/)blobs\/sha256\/([0-9a-f]{2})\/([0-9a-f]{64})\/data$/;

/** The digest in a blob data path, or undefined for any other file. */
export function blobDigestOf(rel: string): string | undefined {
  const match = blobPattern.exec(rel);
  if (!match) return undefined;
  const [, , fanout, digest] = match;
  return fanout !== undefined && digest?.startsWith(fanout) ? digest : undefined;
}

/** True for a `link` file inside `repositories/` (layer, manifest revision, tag current/index). */
export function isLinkPath(rel: string): boolean {
  return rel.endsWith('/link') && linkRegistryRoot(rel) !== undefined;
}

/**
 * The registry root (`''` or ending in `/`) a repositories path belongs to: everything before the first
 * `repositories` segment. A repository may itself be named `.../repositories/...`, but the registry's own
 * `repositories` directory always comes first.
 */
function linkRegistryRoot(rel: string): string | undefined {
  if (rel.startsWith('repositories/')) return '';
  const at = rel.indexOf('/repositories/');
  return at < 0 ? undefined : rel.slice(0, at + 1);
}

/** The blob data path a link file's content points to, or undefined if the content is not `sha256:<hex>`. */
export function linkTargetOf(linkRel: string, content: string): string | undefined {
  const match = /^sha256:([0-9a-f]{64})$/.exec(content.trim());
  const root = linkRegistryRoot(linkRel);
  if (!match?.[1] || root === undefined) return undefined;
  const digest = match[1];
  return `${root}blobs/sha256/${digest.slice(0, 2)}/${digest}/data`;
}

/** `_uploads` holds incomplete uploads; a migrated registry does not need them. */
export function isUploadsDir(name: string): boolean {
  return name === '_uploads';
}

const tempMarker = '.dtr-migrate-tmp-';

/** True for a temporary file this engine writes before renaming it into place. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(tempMarker);
}

/** Temporary names: a random per-run prefix plus a counter, so two runs can never collide. */
export function createTempNamer(): (name: string) => string {
  const run = randomBytes(4).toString('hex');
  let counter = 0;
  return (name) => {
    counter += 1;
    return `.${name}${tempMarker}${run}${counter.toString(36)}`;
  };
}

/** Joins relative paths with `/`; the empty string is the root. */
export function joinRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}
