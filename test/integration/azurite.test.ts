/**
 * A real object store: Azurite (Microsoft's Azure Storage emulator, a devDependency), started here on a
 * loopback port and reached through rclone's azureblob backend with its emulator option. The copy lands
 * at the container root (the Azure driver's layout, detected from the remote's backend); the verify
 * reads every blob back through rclone and hashes it, so an object replaced by other bytes of the same
 * size is caught, which the store's own metadata would not say.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleRegistry } from '../../src/mock-dtr/sample-registry.js';
import { createRcloneStorageEngine } from '../../src/storage/rclone-engine.js';
import type { StorageLocation } from '../../src/storage/types.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function startAzurite(port: number, dir: string): Promise<ChildProcess> {
  const bin = join(process.cwd(), 'node_modules', '.bin', 'azurite-blob');
  const child = spawn(
    bin,
    ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir].concat([
      '--silent',
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
    ]),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let said = '';
    const hear = (chunk: Buffer): void => {
      said += chunk.toString();
      if (said.includes('successfully listens')) resolve();
    };
    child.stdout?.on('data', hear);
    child.stderr?.on('data', hear);
    child.once('exit', (code) => reject(new Error(`azurite exited with ${code}: ${said}`)));
  });
  return child;
}

describe('an Azure container in Azurite, through rclone', () => {
  let dir: string;
  let azurite: ChildProcess | undefined;
  let remote: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'azurite-'));
    const port = await freePort();
    await mkdir(join(dir, 'azurite'));
    azurite = await startAzurite(port, join(dir, 'azurite'));
    remote = `:azureblob,use_emulator=true,endpoint="http://127.0.0.1:${port}/devstoreaccount1":dtr`;
  });
  afterAll(async () => {
    // Azurite writes its files until it has exited: wait for that, or the folder is not empty yet.
    if (azurite !== undefined && azurite.exitCode === null) {
      const exited = new Promise((resolve) => azurite?.once('exit', resolve));
      azurite.kill();
      await exited;
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('copies a registry to the container root, proves every digest, then catches a corrupted object', async () => {
    const source = join(dir, 'source');
    await createSampleRegistry(source, {});
    const engine = createRcloneStorageEngine();
    const from: StorageLocation = { kind: 'path', path: source };
    const to: StorageLocation = { kind: 'rclone', remote };
    const copy = await engine.copy({ from, to });
    expect(copy.filesCopied).toBeGreaterThan(10);
    const listed = spawnSync('rclone', ['lsf', '-R', '--files-only', remote], { encoding: 'utf8' }).stdout;
    expect(listed.split('\n')).toContain(
      'docker/registry/v2/repositories/engineering/api/_manifests/tags/1.0/current/link',
    );

    const clean = await engine.verify({ from, to });
    expect(clean.problems).toEqual([]);
    const blobs = join(source, 'docker/registry/v2/blobs/sha256');
    const prefixes = await readdir(blobs);
    let blobCount = 0;
    for (const prefix of prefixes) blobCount += (await readdir(join(blobs, prefix))).length;
    expect(clean).toMatchObject({ ok: true, blobsHashed: blobCount });
    expect(clean.linksChecked).toBeGreaterThan(0);

    // Another object of the same size under a blob's name.
    const prefix = prefixes[0] ?? '';
    const digest = (await readdir(join(blobs, prefix)))[0] ?? '';
    const rel = `docker/registry/v2/blobs/sha256/${prefix}/${digest}/data`;
    const size = Number(spawnSync('stat', ['-c', '%s', join(source, rel)], { encoding: 'utf8' }).stdout);
    const forged = join(dir, 'forged');
    await writeFile(forged, Buffer.alloc(size, 7));
    expect(spawnSync('rclone', ['copyto', forged, `${remote}/${rel}`]).status).toBe(0);
    const caught = await engine.verify({ from, to });
    expect(caught.ok).toBe(false);
    expect(caught.problems).toEqual([
      expect.objectContaining({ kind: 'digest-mismatch', path: rel, detail: expect.stringContaining('sha256:') }),
    ]);
    // Unchanged objects were proven before: the ledger vouches for them (their md5 and time are the same).
    expect(caught.blobsTrusted).toBe(blobCount - 1);
  });
});
