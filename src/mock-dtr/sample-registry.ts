/**
 * A small but real docker/distribution storage layout, deterministic from a seed: gzip'd tar layers and
 * image configs whose sha256 is the digest in their path, schema2 manifests naming them, one manifest
 * list naming two platform manifests, every `_layers`, `_manifests/revisions` and tag link, and one
 * partial upload. The returned repositories/tags are exactly what the layout holds, so the mock DTR's
 * metadata and its storage agree.
 *
 * Layer 0 of every image is one shared base layer (as images built FROM one base share it), so a copy
 * or verify has to cope with a blob linked from many repositories.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar } from '../backup/tar.js';
import {
  blobDataPath,
  layerLinkPath,
  revisionLinkPath,
  tagCurrentLinkPath,
  tagIndexLinkPath,
  uploadDir,
} from './registry-layout.js';

export const mediaTypes = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  manifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export interface SampleRegistryOptions {
  /** @default 2 */
  readonly repositories?: number;
  /** @default 2 */
  readonly tagsPerRepository?: number;
  /** Layers per image, the first one shared by all images. @default 2 */
  readonly layersPerImage?: number;
  /** Uncompressed bytes of each layer's one file. @default 32768 */
  readonly layerBytes?: number;
  /** @default 1 */
  readonly seed?: number;
}

export interface SampleTag {
  readonly name: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface SampleRepository {
  readonly namespace: string;
  readonly name: string;
  readonly tags: readonly SampleTag[];
}

export interface SampleRegistry {
  readonly repositories: readonly SampleRepository[];
  /** Files written. */
  readonly files: number;
  /** Bytes written. */
  readonly bytes: number;
}

/** The layout in memory: relative path → content. */
export interface SampleRegistryPlan {
  readonly repositories: readonly SampleRepository[];
  readonly files: ReadonlyMap<string, Buffer>;
}

const namespaces = ['engineering', 'platform', 'data', 'security'];
const names = ['api', 'web', 'worker', 'scheduler', 'proxy', 'cache', 'reports', 'gateway'];
const fixedMtime = 1_700_000_000; // layers must not depend on the clock, or digests would change

/** A deterministic byte stream: sha256(seed, label, counter) blocks. */
function pseudoRandomBytes(seed: number, label: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0, counter = 0; offset < length; counter += 1) {
    offset += createHash('sha256').update(`${seed}:${label}:${counter}`).digest().copy(out, offset);
  }
  return out;
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
/** Docker pretty-prints manifests with three spaces. */
const manifestJson = (value: unknown): Buffer => Buffer.from(JSON.stringify(value, null, 3));

interface Blob {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

interface Image {
  readonly manifest: Blob;
  /** Config and layers, for `_layers`. */
  readonly parts: readonly Blob[];
}

export function planSampleRegistry(options: SampleRegistryOptions = {}): SampleRegistryPlan {
  const repoCount = options.repositories ?? 2;
  const tagCount = options.tagsPerRepository ?? 2;
  const layerCount = Math.max(1, options.layersPerImage ?? 2);
  const layerBytes = options.layerBytes ?? 32_768;
  const seed = options.seed ?? 1;
  const files = new Map<string, Buffer>();

  const addBlob = (content: Buffer, mediaType: string): Blob => {
    const digest = sha256(content);
    files.set(blobDataPath(digest), content);
    return { digest, size: content.length, mediaType };
  };
  const addLayer = (label: string): { blob: Blob; diffId: string } => {
    const tar = createTar(
      [{ name: `layer/${label}.bin`, content: pseudoRandomBytes(seed, label, layerBytes) }],
      fixedMtime,
    );
    return { blob: addBlob(gzipSync(tar), mediaTypes.layer), diffId: sha256(tar) };
  };
  const base = addLayer('base');

  const addImage = (label: string, platform: { architecture: string; variant?: string }): Image => {
    const layers = [base];
    for (let i = 1; i < layerCount; i += 1) layers.push(addLayer(`${label}-layer-${i}`));
    const config = addBlob(
      Buffer.from(
        JSON.stringify({
          architecture: platform.architecture,
          ...(platform.variant === undefined ? {} : { variant: platform.variant }),
          os: 'linux',
          created: new Date(fixedMtime * 1000).toISOString(),
          config: {
            Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
            Cmd: ['/bin/sh'],
            Labels: { sample: label },
          },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
          history: layers.map((_, i) => ({ created_by: `sample ${label} step ${i}` })),
        }),
      ),
      mediaTypes.config,
    );
    const descriptor = (b: Blob) => ({ mediaType: b.mediaType, size: b.size, digest: b.digest });
    const manifest = addBlob(
      manifestJson({
        schemaVersion: 2,
        mediaType: mediaTypes.manifest,
        config: descriptor(config),
        layers: layers.map((l) => descriptor(l.blob)),
      }),
      mediaTypes.manifest,
    );
    return { manifest, parts: [config, ...layers.map((l) => l.blob)] };
  };

  const link = (path: string, digest: string): void => void files.set(path, Buffer.from(digest));
  const repositories: SampleRepository[] = [];
  for (let r = 0; r < repoCount; r += 1) {
    const namespace = namespaces[r % namespaces.length] ?? 'library';
    const name = (names[r % names.length] ?? 'app') + (r >= names.length ? `-${r}` : '');
    const repository = `${namespace}/${name}`;
    const tags: SampleTag[] = [];
    for (let t = 0; t < tagCount; t += 1) {
      const tag = `1.${t}`;
      const label = `${repository}:${tag}`;
      // The last tag of the first repository is multi-platform: a manifest list over two images.
      const isList = r === 0 && t === tagCount - 1;
      const images = isList
        ? [
            addImage(`${label}-amd64`, { architecture: 'amd64' }),
            addImage(`${label}-arm64`, { architecture: 'arm64', variant: 'v8' }),
          ]
        : [addImage(label, { architecture: 'amd64' })];
      let top = images[0]?.manifest as Blob;
      if (isList) {
        const platforms = [
          { architecture: 'amd64', os: 'linux' },
          { architecture: 'arm64', os: 'linux', variant: 'v8' },
        ];
        top = addBlob(
          manifestJson({
            schemaVersion: 2,
            mediaType: mediaTypes.manifestList,
            manifests: images.map((image, i) => ({
              mediaType: mediaTypes.manifest,
              size: image.manifest.size,
              digest: image.manifest.digest,
              platform: platforms[i],
            })),
          }),
          mediaTypes.manifestList,
        );
        link(revisionLinkPath(repository, top.digest), top.digest);
      }
      for (const image of images) {
        link(revisionLinkPath(repository, image.manifest.digest), image.manifest.digest);
        for (const part of image.parts) link(layerLinkPath(repository, part.digest), part.digest);
      }
      link(tagCurrentLinkPath(repository, tag), top.digest);
      link(tagIndexLinkPath(repository, tag, top.digest), top.digest);
      tags.push({ name: tag, digest: top.digest, mediaType: top.mediaType, size: top.size });
    }
    repositories.push({ namespace, name, tags });
  }

  // One push that never finished: its data is not a blob and must not be taken for one.
  const firstRepository = repositories[0];
  if (firstRepository !== undefined) {
    const hex = pseudoRandomBytes(seed, 'upload-id', 16).toString('hex');
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    const dir = uploadDir(`${firstRepository.namespace}/${firstRepository.name}`, uuid);
    files.set(join(dir, 'data'), pseudoRandomBytes(seed, 'upload', Math.min(layerBytes, 4096)));
    files.set(join(dir, 'startedat'), Buffer.from(new Date(fixedMtime * 1000).toISOString()));
  }
  return { repositories, files };
}

/** Writes the sample layout below `root` (creating it) and says what it holds. */
export async function createSampleRegistry(root: string, options: SampleRegistryOptions = {}): Promise<SampleRegistry> {
  const plan = planSampleRegistry(options);
  let bytes = 0;
  const dirs = new Set([...plan.files.keys()].map((path) => dirname(join(root, path))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  await Promise.all(
    [...plan.files].map(async ([path, content]) => {
      bytes += content.length;
      await writeFile(join(root, path), content);
    }),
  );
  return { repositories: plan.repositories, files: plan.files.size, bytes };
}
