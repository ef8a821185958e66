/**
 * Builds the benchmark trees under bench/.data/ (gitignored), or reuses them when a stamp file says they
 * were built with the same parameters:
 *
 * - `registry`: about 1 GiB in about 3,700 files in the docker/distribution layout. Layer sizes are
 *   log-normal (heavy-tailed: most layers are small, a few hold most of the bytes), plus small config and
 *   manifest blobs and the repositories' link files; every blob's digest is correct.
 * - `small`: 200,000 small files (100,000 blobs and a link to each), for peak memory at scale.
 *
 * Content comes from a random pool sliced at random offsets behind a unique header, which makes every
 * blob distinct without generating a gigabyte of randomness.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

const prefix = 'docker/registry/v2';

/** Deterministic PRNG (mulberry32), so a rebuilt tree has the same shape. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

class BlobWriter {
  constructor(root, seed) {
    this.root = root;
    this.pool = randomBytes(64 << 20);
    this.rand = random(seed);
    this.count = 0;
  }

  /** Writes `size` bytes of fresh content as a blob; returns its digest. */
  write(size) {
    this.count += 1;
    const temp = join(this.root, prefix, `incoming-${this.count}`);
    mkdirSync(dirname(temp), { recursive: true });
    const fd = openSync(temp, 'w');
    const hash = createHash('sha256');
    const header = Buffer.from(`blob ${this.count} ${size}\n`);
    let left = size;
    let offset = Math.floor(this.rand() * this.pool.length);
    const emit = (chunk) => {
      hash.update(chunk);
      writeSync(fd, chunk);
      left -= chunk.length;
    };
    emit(header.subarray(0, Math.min(header.length, left)));
    while (left > 0) {
      const end = Math.min(this.pool.length, offset + left, offset + (4 << 20));
      emit(this.pool.subarray(offset, end));
      offset = end === this.pool.length ? 0 : end;
    }
    closeSync(fd);
    const digest = hash.digest('hex');
    const path = join(this.root, prefix, 'blobs/sha256', digest.slice(0, 2), digest, 'data');
    mkdirSync(dirname(path), { recursive: true });
    renameSync(temp, path);
    return digest;
  }
}

function writeLink(root, rel, digest) {
  const path = join(root, prefix, 'repositories', rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `sha256:${digest}`);
}

function writeBlobContent(root, content) {
  const digest = createHash('sha256').update(content).digest('hex');
  const path = join(root, prefix, 'blobs/sha256', digest.slice(0, 2), digest, 'data');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return digest;
}

/** The ~1 GiB, ~3,700-file registry. */
function buildRegistry(root) {
  const rand = random(42);
  const writer = new BlobWriter(root, 7);
  const layerCount = 850;
  const raw = Array.from({ length: layerCount }, () => Math.exp(Math.log(200_000) + 2.2 * normal(rand)));
  const total = raw.reduce((sum, size) => sum + size, 0);
  const scale = (1 << 30) / total;
  const layers = raw.map((size) => writer.write(Math.max(100, Math.min(200 << 20, Math.round(size * scale)))));

  for (let repo = 0; repo < 275; repo += 1) writeRepository(root, rand, repo, `team${repo % 17}/image-${repo}`, layers);
}

/** A repository using 2 to 7 of `layers`: its config and manifest blobs, its layer, revision and tag links. */
function writeRepository(root, rand, repo, name, layers) {
  {
    const mine = Array.from({ length: 2 + Math.floor(rand() * 6) }, () => layers[Math.floor(rand() * layers.length)]);
    const config = writeBlobContent(
      root,
      JSON.stringify({ architecture: 'amd64', repo, pad: 'x'.repeat(2000 + Math.floor(rand() * 6000)) }),
    );
    const manifest = writeBlobContent(
      root,
      JSON.stringify({
        schemaVersion: 2,
        config: { digest: `sha256:${config}` },
        layers: mine.map((d) => ({ digest: `sha256:${d}` })),
      }),
    );
    for (const digest of new Set([...mine, config])) writeLink(root, `${name}/_layers/sha256/${digest}/link`, digest);
    writeLink(root, `${name}/_manifests/revisions/sha256/${manifest}/link`, manifest);
    writeLink(root, `${name}/_manifests/tags/latest/current/link`, manifest);
    writeLink(root, `${name}/_manifests/tags/latest/index/sha256/${manifest}/link`, manifest);
  }
}

/**
 * The latency regime's tree, as in issue #16: about 128 MB in about 1,300 files (layers log-normal as in
 * the big one, a config and manifest per repository, their links).
 */
function buildLatency(root) {
  const rand = random(17);
  const writer = new BlobWriter(root, 3);
  const raw = Array.from({ length: 300 }, () => Math.exp(Math.log(200_000) + 2 * normal(rand)));
  const scale = (128 << 20) / raw.reduce((sum, size) => sum + size, 0);
  const layers = raw.map((size) => writer.write(Math.max(100, Math.min(32 << 20, Math.round(size * scale)))));
  for (let repo = 0; repo < 130; repo += 1) writeRepository(root, rand, repo, `team${repo % 7}/image-${repo}`, layers);
}

/**
 * About a million files, mostly small link files as real registries are: 100,000 small blobs, and 2,000
 * repositories with a layer link to each of 450 blobs of them (900,000 links).
 */
function buildMillion(root) {
  const writer = new BlobWriter(root, 13);
  const rand = random(9);
  const digests = Array.from({ length: 100_000 }, () => writer.write(200 + Math.floor(rand() * 3800)));
  for (let repo = 0; repo < 2_000; repo += 1) {
    for (let layer = 0; layer < 450; layer += 1) {
      const digest = digests[(repo * 450 + layer * 7) % digests.length];
      writeLink(root, `org${repo % 40}/repo-${repo}/_layers/sha256/${digest}/link`, digest);
    }
  }
}

/** 100,000 small blobs and one link to each: 200,000 files. */
function buildSmall(root) {
  const writer = new BlobWriter(root, 11);
  const rand = random(5);
  for (let index = 0; index < 100_000; index += 1) {
    const digest = writer.write(200 + Math.floor(rand() * 3800));
    writeLink(root, `many/repo-${index % 500}/_layers/sha256/${digest}/link`, digest);
  }
}

const builders = {
  registry: { version: 4, build: buildRegistry },
  small: { version: 3, build: buildSmall },
  latency: { version: 1, build: buildLatency },
  million: { version: 1, build: buildMillion },
};

/** The tree's root, built if missing or stale. */
export function ensureTree(dataDir, name, log) {
  const { version, build } = builders[name];
  const root = join(dataDir, name);
  const stamp = join(dataDir, `${name}.stamp`);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === String(version) && existsSync(root)) return root;
  log(`generating ${name} tree in ${root} ...`);
  rmSync(root, { recursive: true, force: true });
  const started = Date.now();
  build(root);
  writeFileSync(stamp, String(version));
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return root;
}
