/**
 * The docker/distribution filesystem layout (shared/reference/dtr-api.md, section 10): where blobs and
 * links live below a storage root, and a reader that lists the tags a layout holds, so the mock's
 * metadata can match a storage folder exactly.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MockRepositoryInput, MockTagInput } from './types.js';

export const registryRoot = join('docker', 'registry', 'v2');

/** `sha256:<hex>` → `<hex>`; throws on anything else, so a bad digest never becomes a path. */
export function digestHex(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (match?.[1] === undefined) throw new Error(`not a sha256 digest: ${digest}`);
  return match[1];
}

export function blobDataPath(digest: string): string {
  const hex = digestHex(digest);
  return join(registryRoot, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

export function repositoryDir(repository: string): string {
  return join(registryRoot, 'repositories', ...repository.split('/'));
}

export const layerLinkPath = (repository: string, digest: string): string =>
  join(repositoryDir(repository), '_layers', 'sha256', digestHex(digest), 'link');
export const revisionLinkPath = (repository: string, digest: string): string =>
  join(repositoryDir(repository), '_manifests', 'revisions', 'sha256', digestHex(digest), 'link');
export const tagCurrentLinkPath = (repository: string, tag: string): string =>
  join(repositoryDir(repository), '_manifests', 'tags', tag, 'current', 'link');
export const tagIndexLinkPath = (repository: string, tag: string, digest: string): string =>
  join(repositoryDir(repository), '_manifests', 'tags', tag, 'index', 'sha256', digestHex(digest), 'link');
export const uploadDir = (repository: string, uuid: string): string =>
  join(repositoryDir(repository), '_uploads', uuid);

async function listDirs(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Repository names (`namespace/name`, possibly deeper) below `repositories/`: folders holding `_manifests`. */
async function findRepositories(root: string, prefix: string[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const name of await listDirs(join(root, registryRoot, 'repositories', ...prefix))) {
    if (name.startsWith('_')) continue;
    const path = [...prefix, name];
    const children = await listDirs(join(root, registryRoot, 'repositories', ...path));
    if (children.includes('_manifests')) found.push(path.join('/'));
    found.push(...(await findRepositories(root, path)));
  }
  return found;
}

async function tagOf(root: string, repository: string, tag: string): Promise<MockTagInput | undefined> {
  let digest: string;
  try {
    digest = (await readFile(join(root, tagCurrentLinkPath(repository, tag)), 'utf8')).trim();
    digestHex(digest);
  } catch {
    return undefined; // a tag folder without a readable link is not a tag
  }
  try {
    const manifest = await readFile(join(root, blobDataPath(digest)));
    const mediaType = (JSON.parse(manifest.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof mediaType === 'string'
      ? { name: tag, digest, mediaType, size: manifest.length }
      : { name: tag, digest, size: manifest.length };
  } catch {
    return { name: tag, digest }; // the tag is there even if its manifest blob is missing or unreadable
  }
}

/**
 * Lists every repository and tag of a layout. The first path segment is the namespace (DTR repositories
 * are always `namespace/name`); a repository directly below `repositories/` gets namespace `library`.
 */
export async function readRegistryRepositories(root: string): Promise<MockRepositoryInput[]> {
  const repositories: MockRepositoryInput[] = [];
  for (const repository of await findRepositories(root)) {
    const tagNames = await listDirs(join(root, repositoryDir(repository), '_manifests', 'tags'));
    const tags = (await Promise.all(tagNames.map((tag) => tagOf(root, repository, tag)))).filter(
      (t) => t !== undefined,
    );
    const [first, ...rest] = repository.split('/');
    const [namespace, name] = rest.length === 0 ? ['library', first ?? ''] : [first ?? '', rest.join('/')];
    repositories.push({ namespace, name, tags });
  }
  return repositories;
}
