/**
 * A migration run in this process: the real session, runner and steps against the mock DTR (served on
 * a loopback port by the same process), with a RecordingIo and the FakeDocker. What needs a real
 * process, terminal or signal stays in test/e2e; everything else about the runner is tested this way.
 */
import type { InputKey } from '../../src/config/inputs.js';
import { isMigrateError, type MigrateError } from '../../src/errors.js';
import { Journal, journalFileName, type JournalData } from '../../src/runner/journal.js';
import { runMigration, type MigrationResult } from '../../src/session/migrate.js';
import { createPathStorageEngine } from '../../src/storage/index.js';
import { join } from 'node:path';
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

export async function migrateInProcess(f: MigrationFixture, options: InProcessOptions = {}): Promise<InProcessRun> {
  const io = new RecordingIo(options.answers, options.interactive);
  const docker = options.docker ?? new FakeDocker();
  try {
    const result = await runMigration({
      io,
      sources: {
        flags: { ...fixtureFlags(f), ...options.flags },
        env: { DTR_TOKEN: secrets.token, UCP_PASSWORD: secrets.ucpPassword },
        config: {},
      },
      stateDir: f.stateDir,
      yes: options.yes ?? false,
      dryRun: options.dryRun ?? false,
      takeOverLock: options.takeOverLock ?? false,
      signal: options.signal ?? new AbortController().signal,
      dockerEnv: { ...f.mock.dockerEnv },
      storage: createPathStorageEngine({ ledgerDir: join(f.root, 'ledgers') }),
      launchDocker: docker.launcher,
    });
    return { io, result, code: 0 };
  } catch (error) {
    if (!isMigrateError(error)) throw error;
    return { io, error, code: error.exitCode };
  }
}

/** The journal as it is on disk now. */
export async function journalOf(f: MigrationFixture): Promise<JournalData> {
  const data = await Journal.read(join(f.stateDir, journalFileName));
  if (data === undefined) throw new Error(`no journal in ${f.stateDir}`);
  return data;
}
