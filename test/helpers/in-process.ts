/**
 * A migration run in this process: the real session, runner and steps against the mock DTR (served on
 * a loopback port by the same process), with a RecordingIo and the FakeDocker. What needs a real
 * process, terminal or signal stays in test/e2e; everything else about the runner is tested this way.
 */
import type { InputKey } from '../../src/config/inputs.js';
import { isMigrateError, type MigrateError } from '../../src/errors.js';
import { Journal, journalFileName, type JournalData } from '../../src/runner/journal.js';
import { runMigration, type MigrationOptions, type MigrationResult } from '../../src/session/migrate.js';
import { runRollback, type RollbackResult } from '../../src/session/rollback.js';
import { createPathStorageEngine } from '../../src/storage/index.js';
import type { PlanApplication } from '../../src/session/plan-check.js';
import { planSources } from '../../src/session/saved-plan.js';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { FakeDocker } from './fake-docker.js';
import type { MigrationFixture } from './mock-migration.js';
import { secrets } from './mock-migration.js';
import { RecordingIo, type Answers } from './recording-io.js';

export interface InProcessRun {
  readonly io: RecordingIo;
  readonly result?: MigrationResult;
  readonly error?: MigrateError;
  /** The exit code the CLI would give. */
  readonly code: number;
}

export interface InProcessOptions {
  /** Flags on top of the fixture's (camelCase input keys). */
  readonly flags?: Partial<Record<InputKey, unknown>>;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  /** Answers by question key; with any, the run is interactive. */
  readonly answers?: Answers;
  readonly interactive?: boolean;
  readonly docker?: FakeDocker;
  readonly signal?: AbortSignal;
  readonly takeOverLock?: boolean;
  /** Apply this saved plan (as `migrate --plan`): its inputs, with `flags` given on top as the operator would. */
  readonly plan?: PlanApplication;
  readonly toolVersion?: string;
}

/** The fixture's inputs as flags (what `migrationFixture().args` passes on the command line). */
export function fixtureFlags(f: MigrationFixture): Partial<Record<InputKey, unknown>> {
  return {
    dtrUrl: f.mock.url,
    username: 'admin',
    ucpUrl: f.mock.url,
    ucpUsername: 'ucpadmin',
    ucpInsecureTls: true,
    dtrVersion: f.mock.version,
    replicaId: f.mock.replicaId,
    dockerBin: 'docker',
    sourceStorage: f.source,
    targetStorage: f.target,
  };
}

/** The flag that confirms the destroy of the fixture's replica. */
export const confirmed = (f: MigrationFixture): { confirmDestroy: string } => ({ confirmDestroy: f.mock.replicaId });

/** What a migration and a rollback in this process are given alike, from the fixture and the options. */
function runOptions(f: MigrationFixture, options: InProcessOptions, io: RecordingIo): Omit<MigrationOptions, 'dryRun'> {
  const given = {
    flags: options.plan === undefined ? { ...fixtureFlags(f), ...options.flags } : { ...options.flags },
    env: { DTR_TOKEN: secrets.token, UCP_PASSWORD: secrets.ucpPassword },
    config: {},
  };
  return {
    io,
    sources: options.plan === undefined ? given : planSources(options.plan.plan, given),
    ...(options.plan === undefined ? {} : { plan: options.plan }),
    ...(options.toolVersion === undefined ? {} : { toolVersion: options.toolVersion }),
    stateDir: f.stateDir,
    yes: options.yes ?? false,
    takeOverLock: options.takeOverLock ?? false,
    signal: options.signal ?? new AbortController().signal,
    dockerEnv: { ...f.mock.dockerEnv },
    storage: createPathStorageEngine({ ledgerDir: join(f.root, 'ledgers') }),
    launchDocker: (options.docker ?? new FakeDocker()).launcher,
  };
}

async function inProcess<T>(
  options: InProcessOptions,
  run: (io: RecordingIo) => Promise<T>,
): Promise<{ io: RecordingIo; result?: T; error?: MigrateError; code: number }> {
  const io = new RecordingIo(options.answers, options.interactive);
  try {
    return { io, result: await run(io), code: 0 };
  } catch (error) {
    if (!isMigrateError(error)) throw error;
    return { io, error, code: error.exitCode };
  }
}

export function migrateInProcess(f: MigrationFixture, options: InProcessOptions = {}): Promise<InProcessRun> {
  return inProcess(options, (io) => runMigration({ ...runOptions(f, options, io), dryRun: options.dryRun ?? false }));
}

/** `dtr-migrate rollback` in this process, as migrateInProcess runs `migrate`. */
export function rollbackInProcess(
  f: MigrationFixture,
  options: InProcessOptions = {},
): Promise<Omit<InProcessRun, 'result'> & { result?: RollbackResult }> {
  return inProcess(options, (io) => runRollback({ ...runOptions(f, options, io), dryRun: options.dryRun ?? false }));
}

/** The journal as it is on disk now. */
export async function journalOf(f: MigrationFixture): Promise<JournalData> {
  const data = await Journal.read(join(f.stateDir, journalFileName));
  if (data === undefined) throw new Error(`no journal in ${f.stateDir}`);
  return data;
}

/** The CLI's main() in this process, its output collected (no terminal: stdin, stdout and stderr are not TTYs). */
export async function cliInProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const collect = (): { stream: PassThrough; text: () => string } => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = collect();
  const err = collect();
  const code = await main(args, {
    stdout: out.stream as unknown as NodeJS.WriteStream,
    stderr: err.stream as unknown as NodeJS.WriteStream,
    stdin: Readable.from([]) as unknown as NodeJS.ReadStream,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
