/**
 * A migration fixture: a temp directory with a sample source storage, an empty target, a running mock
 * DTR, and the CLI arguments and environment that migrate it. Tests assert on the mock's state, the
 * journal and the files, never on spinner frames.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach } from 'vitest';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import { createSampleRegistry } from '../../src/mock-dtr/sample-registry.js';
import type { MockDtr, MockDtrOptions } from '../../src/mock-dtr/types.js';

export interface MigrationFixture {
  readonly root: string;
  readonly source: string;
  readonly target: string;
  readonly stateDir: string;
  readonly mock: MockDtr;
  /** Flags for a complete non-interactive migration (without --yes / --confirm-destroy). */
  readonly args: string[];
  /** DTR_TOKEN, UCP_PASSWORD and the docker stand-in's variables. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export const secrets = { token: 'tok-7f3a9c-SECRET-dtr', ucpPassword: 'ucp-41d2e8-SECRET-pw' };

export async function migrationFixture(options: MockDtrOptions = {}): Promise<MigrationFixture> {
  const root = await mkdtemp(join(tmpdir(), 'dtr-migrate-e2e-'));
  const source = join(root, 'source');
  const target = join(root, 'target');
  const stateDir = join(root, 'state');
  await mkdir(target);
  const sample = await createSampleRegistry(source, {});
  const mock = await startMockDtr({
    storageDir: source,
    repositories: sample.repositories,
    jobDurationMs: 300,
    admin: { username: 'admin', token: secrets.token },
    ucp: { username: 'ucpadmin', password: secrets.ucpPassword },
    ...options,
  });
  const args = [
    '--dtr-url',
    mock.url,
    '--username',
    'admin',
    '--ucp-url',
    mock.url,
    '--ucp-username',
    'ucpadmin',
    '--ucp-insecure-tls',
    '--dtr-version',
    mock.version,
    '--replica-id',
    mock.replicaId,
    '--docker-bin',
    mock.dockerBin,
    '--source-storage',
    source,
    '--target-storage',
    target,
    '--state-dir',
    stateDir,
  ];
  const env = { DTR_TOKEN: secrets.token, UCP_PASSWORD: secrets.ucpPassword, ...mock.dockerEnv };
  return {
    root,
    source,
    target,
    stateDir,
    mock,
    args,
    env,
    close: async () => {
      await mock.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * For a test file whose tests run one after another: call once at its top level; what it returns opens
 * fixtures, and every fixture a test opened is closed after it.
 */
export function fixturesClosedAfterEach(): (options?: MockDtrOptions) => Promise<MigrationFixture> {
  const open: MigrationFixture[] = [];
  afterEach(async () => {
    for (const f of open.splice(0)) await f.close();
  });
  return async (options = {}) => {
    const f = await migrationFixture(options);
    open.push(f);
    return f;
  };
}

/** Relative path → size of every file below `dir`. */
export async function listFiles(
  dir: string,
  skip: (rel: string) => boolean = () => false,
): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      const rel = relative(dir, full);
      if (skip(rel)) continue;
      if (entry.isDirectory()) await walk(full);
      else files.set(rel, (await stat(full)).size);
    }
  };
  await walk(dir);
  return files;
}

export async function readJournal(
  stateDir: string,
): Promise<{ steps: Record<string, { status: string; attempts: number }> }> {
  return JSON.parse(await readFile(join(stateDir, 'journal.json'), 'utf8')) as {
    steps: Record<string, { status: string; attempts: number }>;
  };
}

export const stepOrder = [
  'disable-gc',
  'backup',
  'migrate-storage',
  'restore',
  'onlinegc-blobs',
  'restore-gc',
] as const;
