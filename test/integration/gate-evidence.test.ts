/**
 * The gate decides from the storage and DTR as they are at that moment, never from what an earlier step
 * recorded (issue 12): a blob corrupted or truncated in the new storage after its verification, a source
 * that is not DTR's storage, a target that is the source through a bind mount, a journal that claims a
 * step is verified. In this process, against the mock DTR and the FakeDocker.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../src/inventory/storage-manifests.js';
import { createSampleRegistry } from '../../src/mock-dtr/sample-registry.js';
import { gcCron } from '../../src/mock-dtr/state.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { confirmed, journalOf, migrateInProcess } from '../helpers/in-process.js';
import { bindMount, canMount } from '../helpers/mounts.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  await f?.close();
});

const bootstrapper = (command: string): RegExp => new RegExp(`^run .* docker/dtr:\\S+ ${command}\\b`);

/** The blobs a manifest needs, children, configs and layers, read from `root`. */
async function needs(root: string, digest: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(blobPath(root, digest), 'utf8')) as {
    manifests?: Array<{ digest: string }>;
    config?: { digest: string };
    layers?: Array<{ digest: string }>;
  };
  const children = await Promise.all((manifest.manifests ?? []).map((m) => needs(root, m.digest)));
  return [
    ...(manifest.manifests ?? []).map((m) => m.digest),
    ...children.flat(),
    ...(manifest.config === undefined ? [] : [manifest.config.digest]),
    ...(manifest.layers ?? []).map((l) => l.digest),
  ];
}

/** Each image manifest's last layer (the first is a base all share), and the tags that need it, from `root`. */
async function lastLayers(
  fixture: MigrationFixture,
  root: string,
): Promise<Array<{ tag: string; layer: string; neededBy: string[] }>> {
  const tags = fixture.mock.state.repositories.flatMap((r) =>
    r.tags.map((t) => ({ ...t, name: `${r.namespace}/${r.name}:${t.name}` })),
  );
  const needed = new Map(await Promise.all(tags.map(async (t) => [t.name, await needs(root, t.digest)] as const)));
  const found: Array<{ tag: string; layer: string; neededBy: string[] }> = [];
  for (const tag of tags.filter((t) => t.mediaType.includes('manifest.v2'))) {
    const layer = (await needs(root, tag.digest)).at(-1) ?? '';
    found.push({
      tag: tag.name,
      layer,
      neededBy: tags.filter((t) => needed.get(t.name)?.includes(layer)).map((t) => t.name),
    });
  }
  return found;
}

/** Stops a migration at the destroy confirmation, every earlier step verified. */
async function stopAtTheGate(fixture: MigrationFixture, docker: FakeDocker): Promise<void> {
  const first = await migrateInProcess(fixture, { yes: true, docker });
  expect(first.error?.code, first.error?.message).toBe('CONFIRMATION_REQUIRED');
}

describe('the gate re-checks the new storage itself', () => {
  it('finds a blob corrupted in the new storage after its verification (same size), and destroys nothing', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    await stopAtTheGate(f, docker);
    const layer = (await lastLayers(f, f.target))[0]?.layer;
    const file = await open(blobPath(f.target, layer!), 'r+');
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 10);
    await file.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, 10);
    await file.close();
    const locked = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(locked.error?.code).toBe('STEP_LOCKED');
    expect(locked.error?.message).toMatch(/digest-mismatch/);
    expect(locked.error?.reopenSteps).toEqual(['migrate-storage']);
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    expect((await journalOf(f)).steps['migrate-storage']?.status).toBe('failed');

    // The copy is redone; the box then shows the time of the check made right before destroy.
    const checkedAfter = new Date().toISOString();
    const again = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(again.code, again.error?.message).toBe(0);
    const box = again.io.of('confirm-destroy')[0]?.protections ?? [];
    const line = box.find((l) => l.startsWith(`new storage ${f.target}`)) ?? '';
    const at = /checked at (\S+)\)/.exec(line)?.[1] ?? '';
    expect(at >= checkedAfter, line).toBe(true);
  });

  it('finds a blob truncated in the new storage, and destroys nothing', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    await stopAtTheGate(f, docker);
    const layer = (await lastLayers(f, f.target))[0]?.layer;
    await truncate(blobPath(f.target, layer!), 1000);
    const locked = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(locked.error?.code).toBe('STEP_LOCKED');
    expect(locked.error?.message).toMatch(/size-differs/);
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    expect(f.mock.state.installed).toBe(true);
  });
});

describe("the source must be DTR's storage", () => {
  const unchanged = (fixture: MigrationFixture): void => {
    expect(fixture.mock.state.crons.map((c) => c.action)).toEqual(['onlinegc']);
    expect(fixture.mock.state.installed).toBe(true);
  };

  it('refuses, before any change, a source without the registry layout: empty, unrelated, one level too deep', async () => {
    f = await migrationFixture();
    const empty = join(f.root, 'empty');
    await mkdir(empty);
    const unrelated = join(f.root, 'unrelated');
    await mkdir(unrelated);
    await writeFile(join(unrelated, 'notes.txt'), 'not a registry');
    for (const source of [empty, unrelated, join(f.source, 'docker', 'registry')]) {
      const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), sourceStorage: source } });
      expect(run.code, source).toBe(2);
      expect(run.error?.message).toContain(`${source} holds no registry`);
      expect(run.error?.message).toContain('docker/registry/v2');
      unchanged(f);
    }
  });

  it('refuses, before any change, a registry tree that is not the one DTR serves from', async () => {
    f = await migrationFixture();
    const other = join(f.root, 'other-registry');
    await createSampleRegistry(other, {});
    const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), sourceStorage: other } });
    expect(run.code).toBe(2);
    expect(run.error?.message).toContain(`is not the storage DTR serves images from`);
    expect(run.error?.message).toContain(f.source);
    unchanged(f);
  });

  it('names the tags the old storage already lacks, and goes on only with consent for exactly that count', async () => {
    f = await migrationFixture();
    const [broken] = await lastLayers(f, f.source);
    await rm(blobPath(f.source, broken!.layer));
    const docker = new FakeDocker();
    const refused = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(refused.code).toBe(6);
    expect(refused.error?.message).toContain(broken!.tag);
    expect(refused.error?.hint).toContain('--accept-missing-tags 1');
    const wrongCount = await migrateInProcess(f, {
      yes: true,
      flags: { ...confirmed(f), acceptMissingTags: 2 },
      docker,
    });
    expect(wrongCount.code).toBe(6);
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    const accepted = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), acceptMissingTags: 1 }, docker });
    expect(accepted.code, accepted.error?.message).toBe(0);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
  });

  it('always refuses an old storage that lacks most of the inventory', async () => {
    f = await migrationFixture();
    const layers = await lastLayers(f, f.source);
    for (const { layer } of layers) await rm(blobPath(f.source, layer), { force: true });
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, {
      yes: true,
      flags: { ...confirmed(f), acceptMissingTags: layers.length },
      docker,
    });
    expect(run.code).toBe(1);
    expect(run.error?.message).toContain("is not DTR's storage");
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
  });
});

describe('what the new storage holds besides the copy', () => {
  it('names files the old storage lacks (blob GC would delete them) and goes on only with consent for that count', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    await stopAtTheGate(f, docker);
    const content = 'a blob of another registry';
    const digest = createHash('sha256').update(content).digest('hex');
    await mkdir(join(blobPath(f.target, digest), '..'), { recursive: true });
    await writeFile(blobPath(f.target, digest), content);
    const refused = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(refused.code).toBe(6);
    expect(refused.error?.message).toContain(digest);
    expect(refused.error?.hint).toContain('--accept-foreign-files 1');
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    const accepted = await migrateInProcess(f, {
      yes: true,
      flags: { ...confirmed(f), acceptForeignFiles: 1 },
      docker,
    });
    expect(accepted.code, accepted.error?.message).toBe(0);
  });
});

describe('the new storage must be another storage, by identity', () => {
  it('refuses a target that is the source through a symbolic link', async () => {
    f = await migrationFixture();
    const link = join(f.root, 'link-to-source');
    await symlink(f.source, link);
    const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), targetStorage: link } });
    expect(run.code).toBe(2);
    expect(run.error?.message).toContain('same directory as the source');
    expect(f.mock.state.crons).toHaveLength(1);
  });

  it.runIf(canMount())('refuses a target that is the source, or inside it, through a bind mount', async () => {
    f = await migrationFixture();
    const bound = join(f.root, 'bound');
    cleanups.push(await bindMount(f.source, bound));
    for (const [target, said] of [
      [bound, 'same directory as the source'],
      [join(bound, 'docker', 'new'), 'inside the source'],
    ] as const) {
      const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), targetStorage: target } });
      expect(run.code, target).toBe(2);
      expect(run.error?.message).toContain(said);
    }
    expect(f.mock.state.crons).toHaveLength(1);
    expect(f.mock.state.installed).toBe(true);
  });
});

describe('the journal is evidence of intent, not of fact', () => {
  it('stops, rather than turn GC off again, when GC is scheduled again after disable-gc was verified', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    await stopAtTheGate(f, docker);
    f.mock.state.crons.push(gcCron('0 0 3 * * *', Date.now()));
    const stopped = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(stopped.code).toBe(1);
    expect(stopped.error?.message).toMatch(
      /^Disable garbage collection: verified on an earlier run, but now GC is scheduled again/,
    );
    expect(stopped.error?.hint).toContain('"Never"');
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    // Set back to Never by the operator: the gate finds no GC job that ran, and the run goes on.
    f.mock.state.crons = [];
    const resumed = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(resumed.code, resumed.error?.message).toBe(0);
  });

  it('checks a restore the journal calls verified, and neither runs onlinegc_blobs nor claims completion on the old storage', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    await stopAtTheGate(f, docker);
    const journalFile = join(f.stateDir, 'journal.json');
    const edit = async (ids: readonly string[]): Promise<void> => {
      const journal = JSON.parse(await readFile(journalFile, 'utf8')) as {
        steps: Record<string, { status: string }>;
      };
      for (const id of ids) journal.steps[id]!.status = 'verified';
      await writeFile(journalFile, JSON.stringify(journal));
    };
    await edit(['restore']);
    const resumed = await migrateInProcess(f, { yes: true, docker });
    // The restore is opened again and stops at its confirmation; no blob GC runs on the old storage.
    expect(resumed.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(f.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs')).toEqual([]);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.source });

    await edit(['restore', 'onlinegc-blobs', 'restore-gc']);
    const claimed = await migrateInProcess(f, { yes: true, docker });
    expect(claimed.code).toBe(1);
    expect(claimed.error?.message).toContain(`not ${f.target}`);
    expect(f.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs')).toEqual([]);
  });
});
