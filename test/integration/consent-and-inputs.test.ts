/**
 * No change without consent, and inputs refused before anything changes (issue 12): a script without --yes
 * changes nothing; the wizard asks once, after its overview; GC already "Never" at the start needs to be
 * told what to put back; a replica id mistyped at the prompt is asked again; a URL with a password in it,
 * https:// against a plain-HTTP port, a web server that is not DTR, a CA file that is not PEM. In this
 * process, against the mock DTR.
 */
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { access } from 'node:fs/promises';
import { FakeDocker } from '../helpers/fake-docker.js';
import { journalOf, migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, secrets, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
afterEach(async () => {
  await f?.close();
});

const bootstrapper = (command: string): RegExp => new RegExp(`^run .* docker/dtr:\\S+ ${command}\\b`);
const nothingChanged = (fixture: MigrationFixture): void => {
  expect(fixture.mock.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  expect(fixture.mock.state.installed).toBe(true);
};
const noJournal = (fixture: MigrationFixture): Promise<boolean> =>
  access(join(fixture.stateDir, 'journal.json')).then(
    () => false,
    () => true,
  );

describe('consent', () => {
  it('changes nothing in a script without --yes, and says so (exit 3, naming --yes)', async () => {
    f = await migrationFixture();
    const run = await migrateInProcess(f, { flags: { confirmDestroy: f.mock.replicaId } });
    expect(run.code).toBe(3);
    expect(run.error?.message).toContain('nothing was changed');
    expect(run.error?.hint).toContain('--yes');
    nothingChanged(f);
    expect(run.io.started()).toEqual([]);
  });

  it('asks the wizard once, after its overview and before the first change; no changes nothing', async () => {
    f = await migrationFixture();
    const declined = await migrateInProcess(f, { answers: { procedure: 'best-practice', start: false } });
    expect(declined.code).toBe(6);
    nothingChanged(f);
    const start = declined.io.asked.find((q) => q.key === 'start');
    expect(start?.message).toContain('Disable garbage collection');
    const overviewAt = declined.io.events.findIndex((e) => e.event === 'run-start');
    expect(overviewAt).toBeGreaterThanOrEqual(0);
  });
});

describe('GC already "Never" when a migration starts', () => {
  it('stops a script until it is told what schedule to put back, then puts that one back', async () => {
    f = await migrationFixture({ gcSchedule: null });
    const confirmed = { confirmDestroy: f.mock.replicaId };
    const untold = await migrateInProcess(f, { yes: true, flags: confirmed });
    expect(untold.code).toBe(3);
    expect(untold.error?.hint).toContain('--gc-schedule-after');
    nothingChanged(f);
    const told = await migrateInProcess(f, { yes: true, flags: { ...confirmed, gcScheduleAfter: '0 30 2 * * 0' } });
    expect(told.code, told.error?.message).toBe(0);
    expect(f.mock.state.crons.map((c) => [c.action, c.schedule])).toEqual([['onlinegc', '0 30 2 * * 0']]);
  });

  it('leaves GC at Never with --gc-schedule-after none, and asks in the wizard', async () => {
    f = await migrationFixture({ gcSchedule: null });
    const none = await migrateInProcess(f, {
      yes: true,
      flags: { confirmDestroy: f.mock.replicaId, gcScheduleAfter: 'none' },
    });
    expect(none.code, none.error?.message).toBe(0);
    expect(f.mock.state.crons).toEqual([]);
    await f.close();
    f = await migrationFixture({ gcSchedule: null });
    const asked = await migrateInProcess(f, {
      answers: { procedure: 'best-practice', 'input:gcScheduleAfter': '0 0 4 * * *', start: false },
    });
    expect(asked.io.asked.map((q) => q.key)).toContain('input:gcScheduleAfter');
    expect((await journalOf(f).catch(() => undefined))?.inputs['gcScheduleAfter']).toBeUndefined();
  });
});

describe('the replica id at the prompt', () => {
  it('is asked again after a typo, up to three times, and a third typo destroys nothing', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    const answers = { procedure: 'best-practice', start: true, 'input:restoreGc': true };
    const three = await migrateInProcess(f, { answers: { ...answers, 'confirm:restore': ['a', 'b', 'c'] }, docker });
    expect(three.error?.code).toBe('CONFIRMATION_MISMATCH');
    expect(three.io.asked.filter((q) => q.key === 'confirm:restore')).toHaveLength(3);
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    const second = await migrateInProcess(f, {
      answers: { ...answers, 'confirm:restore': ['0123', f.mock.replicaId] },
      docker,
    });
    expect(second.code, second.error?.message).toBe(0);
    expect(docker.commands(bootstrapper('destroy'))).toHaveLength(1);
  });
});

describe('inputs refused before anything changes', () => {
  it('refuses a DTR URL holding a user name and password, and never echoes the password', async () => {
    f = await migrationFixture();
    const url = new URL(f.mock.url);
    url.username = 'admin';
    url.password = 'pw-in-url-9f1';
    const run = await migrateInProcess(f, { yes: true, flags: { dtrUrl: url.toString() } });
    expect(run.code).toBe(2);
    expect(run.error?.message).toContain('user name or password');
    expect(`${run.error?.message} ${run.error?.hint}`).not.toContain('pw-in-url-9f1');
    expect(await noJournal(f)).toBe(true);
  });

  it('says the scheme is wrong when https:// meets a plain-HTTP port', async () => {
    f = await migrationFixture();
    const run = await migrateInProcess(f, { yes: true, flags: { dtrUrl: f.mock.url.replace('http:', 'https:') } });
    expect(run.code).toBe(4);
    expect(run.error?.message).toContain('plain HTTP');
    expect(run.error?.hint).toContain('http://');
  });

  it('says a web server that is not DTR is not DTR (exit 4)', async () => {
    f = await migrationFixture();
    const server = createServer((_, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const run = await migrateInProcess(f, { yes: true, flags: { dtrUrl: `http://127.0.0.1:${port}` } });
      expect(run.code).toBe(4);
      expect(run.error?.message).toContain('does not look like DTR');
      expect(run.error?.hint).toContain('--dtr-url');
    } finally {
      server.close();
    }
  });

  it('refuses a --ca-cert or --ucp-ca that is not a PEM certificate before any change', async () => {
    f = await migrationFixture();
    const notPem = join(f.root, 'not-a-cert.pem');
    await writeFile(notPem, 'this is not a certificate');
    for (const flags of [{ caCert: notPem }, { ucpCa: notPem, ucpInsecureTls: false }]) {
      const run = await migrateInProcess(f, { yes: true, flags: { ...flags, confirmDestroy: f.mock.replicaId } });
      expect(run.code, JSON.stringify(flags)).toBe(2);
      expect(run.error?.message).toContain('is not a PEM certificate');
      nothingChanged(f);
    }
    expect(secrets.token.length).toBeGreaterThan(0);
  });
});
