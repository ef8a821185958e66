/**
 * Object stores through rclone, tested with rclone's local-filesystem remotes (`:local:/path`), which
 * go through the same rclone code paths as s3: or gcs: remotes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMigrateError } from '../../src/errors.js';
import { createSampleRegistry } from '../../src/mock-dtr/sample-registry.js';
import { parseLocation } from '../../src/storage/locations-parse.js';
import { createRcloneStorageEngine, parseStatsLine } from '../../src/storage/rclone-engine.js';
import type { StorageProgress } from '../../src/storage/types.js';
import { jsonEvents, runCli } from '../helpers/cli.js';

async function tree(): Promise<{ root: string; source: string; target: string }> {
  const root = await mkdtemp(join(tmpdir(), 'rclone-'));
  const source = join(root, 'source');
  await createSampleRegistry(source, {});
  return { root, source, target: join(root, 'target') };
}

describe('parsing rclone output', () => {
  it('reads the stats of a JSON log line, and tells remotes from paths', () => {
    expect(
      parseStatsLine('{"level":"warning","stats":{"bytes":10,"totalBytes":20,"transfers":1,"totalTransfers":2}}'),
    ).toEqual({ bytes: 10, totalBytes: 20, transfers: 1, totalTransfers: 2 });
    expect(parseStatsLine('plain text')).toBeUndefined();
    expect(parseLocation('s3:bucket/prefix')).toEqual({ kind: 'rclone', remote: 's3:bucket/prefix' });
    expect(parseLocation('/mnt/nfs')).toEqual({ kind: 'path', path: '/mnt/nfs' });
    expect(parseLocation('./a:b')).toEqual({ kind: 'path', path: './a:b' });
  });
});

describe('the rclone engine', () => {
  it('copies to a remote with progress, verifies it, then finds what goes missing or changes', async () => {
    const { root, source, target } = await tree();
    const engine = createRcloneStorageEngine();
    const from = parseLocation(source);
    const to = parseLocation(`:local:${target}`);
    await engine.preflight(from, to);
    const progress: StorageProgress[] = [];
    const copy = await engine.copy({ from, to, onProgress: (p) => progress.push(p) });
    expect(copy.filesCopied).toBeGreaterThan(10);
    expect(progress.at(-1)?.totalFiles).toBe(copy.filesCopied);
    expect((await engine.verify({ from, to })).ok).toBe(true);
    const again = await engine.copy({ from, to });
    expect(again.filesCopied).toBe(0);

    const link = 'docker/registry/v2/repositories/engineering/api/_manifests/tags/1.0/current/link';
    await rm(join(target, link));
    const blob = join(target, 'docker/registry/v2/blobs/sha256');
    const { readdir } = await import('node:fs/promises');
    const prefix = (await readdir(blob))[0] ?? '';
    const digest = (await readdir(join(blob, prefix)))[0] ?? '';
    const data = join(blob, prefix, digest, 'data');
    const { readFile } = await import('node:fs/promises');
    const content = await readFile(data);
    await writeFile(data, Buffer.alloc(content.length, 1));
    const check = await engine.verify({ from, to });
    expect(check.ok).toBe(false);
    expect(check.problems).toContainEqual({ kind: 'missing', path: link });
    // Same size, other content: only reading it through the hasher finds it.
    expect(check.problems).toContainEqual(
      expect.objectContaining({
        kind: 'digest-mismatch',
        path: `docker/registry/v2/blobs/sha256/${prefix}/${digest}/data`,
      }),
    );
    expect(check.blobsHashed).toBeGreaterThan(0);
    await rm(root, { recursive: true, force: true });
  });

  it('says how to install rclone when it is missing', async () => {
    const engine = createRcloneStorageEngine('/nonexistent/rclone');
    const error = await engine
      .preflight({ kind: 'rclone', remote: ':local:/tmp' }, { kind: 'path', path: '/tmp/x' })
      .catch((e: unknown) => e);
    expect(isMigrateError(error) && error.code).toBe('STORAGE_INVALID');
    expect((error as { hint: string }).hint).toContain('apt-get install rclone');
  });

  it('takes a check that failed without naming a difference for a failure, not for a clean result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rclone-fake-'));
    // What rclone does when it cannot list part of a remote: exit 1, an error on stderr, no line in the report.
    const fake = join(dir, 'rclone');
    await writeFile(fake, '#!/bin/sh\necho "ERROR : blobs: error listing: permission denied" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const error = await createRcloneStorageEngine(fake)
      .verify({ from: { kind: 'rclone', remote: ':local:/nowhere' }, to: { kind: 'path', path: dir } })
      .catch((e: unknown) => e);
    expect(isMigrateError(error) && error.code).toBe('STORAGE_FAILED');
    expect((error as Error).message).toContain('error listing: permission denied');
    await rm(dir, { recursive: true, force: true });
  });

  it('runs through `dtr-migrate storage copy --json` to an rclone remote', async () => {
    const { root, source, target } = await tree();
    const run = await runCli(['storage', 'copy', '--from', source, '--to', `:local:${target}`, '--json']);
    expect(run.code).toBe(0);
    expect(jsonEvents(run.stdout).at(-1)).toMatchObject({ event: 'result', ok: true, exitCode: 0 });
    const missing = await runCli([
      'storage',
      'copy',
      '--from',
      source,
      '--to',
      `:local:${target}`,
      '--rclone-bin',
      '/nonexistent/rclone',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('apt-get install rclone');
    await rm(root, { recursive: true, force: true });
  });
});
