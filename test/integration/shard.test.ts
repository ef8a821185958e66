/**
 * Many hosts, played by N processes on this machine: `storage copy --shard K/N` run by N CLIs at once
 * into one target. Every file is copied by exactly one of them (the union is the whole, with no overlap),
 * and `storage verify` without a shard then proves the whole target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSampleRegistry } from '../../src/mock-dtr/sample-registry.js';
import { jsonEvents, runCli } from '../helpers/cli.js';
import { listTree } from '../helpers/registry-tree.js';

describe('storage copy shared by several hosts', () => {
  it('divides the copy among N processes, whose union is the whole and which verify as one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shards-'));
    const source = join(root, 'source');
    const target = join(root, 'target');
    await createSampleRegistry(source, {});
    const count = 3;
    const shardRun = (index: number) =>
      // The second one takes its shard from the environment, as the Swarm recipe gives it.
      index === 1
        ? runCli(['storage', 'copy', '--from', source, '--to', target, '--json'], {
            env: { DTR_MIGRATE_SHARD: `2/${count}` },
          })
        : runCli(['storage', 'copy', '--from', source, '--to', target, '--shard', `${index + 1}/${count}`, '--json']);
    // The first host finishes before the others start: its verify must not count the links to blobs
    // the other shards have yet to copy as dangling. Then the others run at once.
    const first = await shardRun(0);
    const runs = [first, ...(await Promise.all([1, 2].map(shardRun)))];
    const copies = runs.map((run) => {
      expect(run.code, run.stderr).toBe(0);
      return (jsonEvents(run.stdout).at(-1) as { copy: { files: number; filesCopied: number } }).copy;
    });
    const sourceFiles = [...(await listTree(source)).entries()].filter(
      ([rel, entry]) => entry.type === 'file' && !rel.includes('/_uploads'),
    );
    // Each file once: the shards' counts add up to the whole, and every shard had some.
    expect(copies.reduce((sum, copy) => sum + copy.filesCopied, 0)).toBe(sourceFiles.length);
    expect(copies.reduce((sum, copy) => sum + copy.files, 0)).toBe(sourceFiles.length);
    for (const copy of copies) expect(copy.filesCopied).toBeGreaterThan(0);

    const whole = await runCli(['storage', 'verify', '--from', source, '--to', target, '--json']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(jsonEvents(whole.stdout).at(-1)).toMatchObject({ ok: true, verify: { filesChecked: sourceFiles.length } });
    await rm(root, { recursive: true, force: true });
  });
});
