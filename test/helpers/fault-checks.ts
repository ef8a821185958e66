/**
 * Checks shared by the reliability and security suites (faults, crash, bad input, secrets, TLS): how a
 * failed run must look, and the end state a migration must reach whatever happened on the way.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { expect, type TestContext } from 'vitest';
import { createSampleRegistry, type SampleRegistryOptions } from '../../src/mock-dtr/sample-registry.js';
import { toMockRepositories } from '../../src/mock-dtr/state.js';
import type { MockDtr, MockDtrOptions } from '../../src/mock-dtr/types.js';
import { runCli, type CliOptions, type CliRun } from './cli.js';
import { listFiles, migrationFixture, stepOrder, type MigrationFixture } from './mock-migration.js';

/** Long enough for a whole migration on a busy CI machine (runCli's own default is 50 s). */
export const longRunMs = 240_000;

/** For tests that run whole migrations: vitest's per-test budget. */
export const longTestMs = 600_000;

/** runCli with room for a whole migration. */
export function runLong(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return runCli(args, { timeoutMs: longRunMs, ...options });
}

/** A stack frame line: never shown without --debug. */
export const stackTrace = /\n\s+at /;

/** Exit code, the cause on stderr, a `→` hint line, no stack trace. */
export function expectCleanFailure(run: CliRun, code: number, cause: RegExp, hint: RegExp = /→ \S/): void {
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr).toMatch(cause);
  expect(run.stderr).toMatch(hint);
  expect(run.stderr).not.toMatch(stackTrace);
}

const registryApi = new WeakMap<MockDtr, Promise<boolean>>();

/** Does the mock serve the registry API (`/v2/`)? It answers 401 there when it does, 404 when not. */
function servesRegistryApi(mock: MockDtr): Promise<boolean> {
  let known = registryApi.get(mock);
  if (known === undefined) {
    known = new Promise<boolean>((resolve) => {
      const send = mock.url.startsWith('https:') ? httpsRequest : httpRequest;
      const req = send(
        `${mock.url}/v2/`,
        { method: 'GET', ...(mock.caCertPem === undefined ? {} : { ca: mock.caCertPem }) },
        (res) => {
          res.resume();
          resolve(res.statusCode !== 404);
        },
      );
      req.on('error', () => resolve(false));
      req.end();
    });
    registryApi.set(mock, known);
  }
  return known;
}

/**
 * What a script adds to finish a migration: --yes and the destroy confirmation. The pull check through
 * `/v2/` needs the mock's registry routes; where the mock has none (yet), it is left out.
 */
export async function finishArgs(f: MigrationFixture): Promise<string[]> {
  return ['--yes', '--confirm-destroy', f.mock.replicaId, ...(await pullCheckArgs(f.mock))];
}

/** `--pull-check none` where the mock does not serve `/v2/` (yet), else nothing. */
export async function pullCheckArgs(mock: MockDtr): Promise<string[]> {
  return (await servesRegistryApi(mock)) ? [] : ['--pull-check', 'none'];
}

export function tagsOf(mock: MockDtr): string[] {
  return mock.state.repositories
    .flatMap((r) => r.tags.map((t) => `${r.namespace}/${r.name}:${t.name}@${t.digest}`))
    .sort();
}

export function countRequests(mock: MockDtr, method: string, path: string): number {
  return mock.requests.filter((r) => r.method === method && r.path === path).length;
}

export const jobPosts = (mock: MockDtr): number => countRequests(mock, 'POST', '/api/v0/jobs');
export const destroyRuns = (mock: MockDtr): number => countRequests(mock, 'POST', '/_mock/bootstrapper/destroy');

export interface JournalFile {
  readonly inputs: Record<string, unknown>;
  readonly steps: Record<
    string,
    { status: string; attempts: number; output?: Record<string, unknown>; checkpoint?: Record<string, unknown> }
  >;
}

export async function journalOf(stateDir: string): Promise<JournalFile> {
  return JSON.parse(await readFile(join(stateDir, 'journal.json'), 'utf8')) as JournalFile;
}

export async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Every step verified, the backup the journal names intact, the new storage complete, DTR on it with the same tags. */
export async function expectMigrated(f: MigrationFixture, tagsBefore: readonly string[]): Promise<void> {
  const journal = await journalOf(f.stateDir);
  for (const id of stepOrder) expect(journal.steps[id]?.status, id).toBe('verified');
  const backup = journal.steps['backup']?.output as { file: string; sha256: string } | undefined;
  expect(backup).toBeDefined();
  expect(await sha256Of(backup?.file ?? '')).toBe(backup?.sha256);
  const source = await listFiles(f.source, (rel) => rel.includes('_uploads'));
  expect(await listFiles(f.target)).toEqual(source);
  expect(f.mock.state.installed).toBe(true);
  expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
  expect(tagsOf(f.mock)).toEqual(tagsBefore);
}

/**
 * A migration fixture of the test's own (closed when the test ends, so tests may run side by side), with
 * what a script adds to finish the migration and the tags it must keep.
 */
export async function faultFixture(
  ctx: TestContext,
  options: MockDtrOptions = {},
): Promise<{ f: MigrationFixture; finish: string[]; tags: string[] }> {
  const f = await migrationFixture(options);
  ctx.onTestFinished(() => f.close());
  return { f, finish: await finishArgs(f), tags: tagsOf(f.mock) };
}

/** A fixture whose source storage is a bigger sample registry (a copy that takes a while). */
export async function largeFixture(
  sample: SampleRegistryOptions,
  options: MockDtrOptions = {},
): Promise<MigrationFixture> {
  const f = await migrationFixture(options);
  await rm(f.source, { recursive: true, force: true });
  const bigger = await createSampleRegistry(f.source, sample);
  f.mock.state.repositories = toMockRepositories(bigger.repositories, new Date().toISOString());
  return f;
}
