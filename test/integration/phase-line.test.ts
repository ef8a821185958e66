/**
 * Destroy and restore show the bootstrapper's current phase (its latest log line) as their progress,
 * not only a spinner; a secret the bootstrapper would print never reaches the screen or --json. In this
 * process, against the mock DTR and its docker stand-in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDocker } from '../helpers/fake-docker.js';
import { migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, secrets, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
afterEach(async () => {
  await f?.close();
});

describe("the bootstrapper's phase line", () => {
  it('is the progress of destroy and restore, secrets masked', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    const standIn = docker.launcher;
    // A bootstrapper careless enough to log the credentials it was given.
    docker.launcher = async (bin, args, options) => {
      if (args.includes('destroy'))
        options.onStderrLine?.(
          `time="2026-12-03T05:00:00Z" level=info msg="Logging in to UCP with ${secrets.ucpPassword} (token ${secrets.token})"`,
        );
      return standIn(bin, args, options);
    };
    const run = await migrateInProcess(f, { yes: true, docker, flags: { confirmDestroy: f.mock.replicaId } });
    expect(run.code).toBe(0);
    const restore = run.io
      .of('progress')
      .filter((e) => e.id === 'restore')
      .map((e) => e.text);
    expect(restore).toContain(`destroy: Removing containers and volumes of replica ${f.mock.replicaId}`);
    expect(restore).toContain('destroy: DTR destroyed');
    expect(restore.some((text) => text.startsWith(`restore: Installing DTR ${f.mock.version} replica`))).toBe(true);
    expect(restore).toContain('destroy: Logging in to UCP with **** (token ****)');
    const everything = JSON.stringify(run.io.events);
    expect(everything).not.toContain(secrets.ucpPassword);
    expect(everything).not.toContain(secrets.token);
  });
});
