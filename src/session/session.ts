/**
 * A session: what every command that works on a migration opens first, the same way: the state
 * directory (and, for a run that changes things, its lock and log file), the journal read once, the
 * inputs from flags, environment, config file and journal, the secrets to mask, docker, and the DTR
 * client. `migrate`, `plan`, `verify` and `status` differ only in what they do with it.
 */
import { join } from 'node:path';
import { DtrClient } from '../api/client.js';
import { connectionInputs, connectionOf } from '../config/connection.js';
import { InputResolver, type InputSources } from '../config/resolve.js';
import { Docker, type ProcessLauncher } from '../docker/docker.js';
import { MigrateError, maskSecrets } from '../errors.js';
import type { Io } from '../runner/io.js';
import { Journal, journalFileName, type JournalData } from '../runner/journal.js';
import { LogFile, acquireLock, maskWith, prepareStateDir, type StateLock } from '../runner/state-dir.js';
import { runSteps } from '../runner/runner.js';
import type { Step } from '../runner/step.js';
import type { Certificates, MigrationServices, PlanContext, StepContext } from '../steps/step.js';
import { isNotRegularFile, readRegularFile } from '../util/regular-file.js';
import { runInputsOf, stepContextWith } from './step-context.js';

/** One run of steps in a session (Session.runSteps); `name` opens the log line of a stop. */
export interface SessionRun {
  readonly name: string;
  /** The migration's steps or the rollback's: any step over the migration's contexts. */
  readonly steps: readonly Step<StepContext, PlanContext>[];
  readonly journal: Journal;
  readonly services: MigrationServices;
  readonly signal: AbortSignal;
  readonly yes: boolean;
  readonly redo?: string;
}

export interface SessionOptions {
  readonly io: Io;
  readonly sources: Omit<InputSources, 'journal'>;
  readonly stateDir: string;
  /** --yes: questions with a default take it. */
  readonly yes: boolean;
  /** A session that may change things holds the lock and writes the log; one that only reads does neither. */
  readonly changes: boolean;
  readonly takeOverLock?: boolean;
  readonly signal: AbortSignal;
  /** Environment for every docker process (a rehearsal points the docker stand-in at its mock). */
  readonly dockerEnv?: Readonly<Record<string, string>>;
  /** Starts docker processes (default: runProcess; in-process tests answer from a table). */
  readonly launchDocker?: ProcessLauncher;
  /**
   * A journal whose rollback completed is the record of a migration that is over: a new one starts (its
   * inputs are still taken from it). A session that changes things sets it aside, one that only reads
   * leaves it where it is.
   */
  readonly startOverAfterRollback?: boolean;
}

export class Session {
  private clientMade: DtrClient | undefined;

  private constructor(
    readonly options: SessionOptions,
    /** The journal as it was on disk when the session opened; undefined for a migration not yet started. */
    readonly journalData: JournalData | undefined,
    readonly inputs: InputResolver,
    private readonly lock: StateLock | undefined,
    readonly logFile: LogFile | undefined,
    /** The journal of a migration rolled back, set aside (or, read only, to be) for a new one. */
    readonly rolledBack: { readonly at: string; readonly setAsideAs?: string } | undefined,
  ) {}

  /** Opens the state directory and reads the journal and the inputs; nothing is asked of DTR yet. */
  static async open(options: SessionOptions): Promise<Session> {
    const { io, stateDir } = options;
    if (options.changes) await prepareStateDir(stateDir);
    const lock = options.changes
      ? await acquireLock(
          stateDir,
          async () =>
            options.takeOverLock === true ||
            (io.interactive &&
              (await io.ask({
                kind: 'confirm',
                key: 'take-over-lock',
                message: 'The state directory is locked by a dtr-migrate that no longer runs. Take the lock over?',
                default: false,
              })) === true),
        )
      : undefined;
    try {
      const file = join(stateDir, journalFileName);
      const read = await Journal.read(file);
      const journaled = (read?.inputs ?? {}) as InputSources['journal'];
      const rolledBackAt = options.startOverAfterRollback === true ? read?.rollback?.completedAt : undefined;
      const rolledBack =
        rolledBackAt === undefined
          ? undefined
          : {
              at: rolledBackAt,
              ...(options.changes ? { setAsideAs: await Journal.setAside(file, 'rolled-back') } : {}),
            };
      const data = rolledBack === undefined ? read : undefined;
      const log = options.changes ? await LogFile.create(stateDir) : undefined;
      const inputs = new InputResolver({ ...options.sources, journal: journaled }, io, options.yes);
      log?.redactFrom(() => inputs.secrets());
      return new Session(options, data, inputs, lock, log, rolledBack);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  get io(): Io {
    return this.options.io;
  }

  get stateDir(): string {
    return this.options.stateDir;
  }

  /** Replaces every secret known so far by ****. */
  mask = (text: string): string => maskWith(this.inputs.secrets(), text);

  log = (line: string): void => this.logFile?.write(line);

  /** The docker client every docker command of this session goes through. */
  docker(): Docker {
    return new Docker(
      this.inputs.peek('dockerBin') ?? 'docker',
      this.log,
      this.options.dockerEnv ?? {},
      this.logFile?.file,
      this.options.launchDocker,
    );
  }

  /** The DTR client, from the connection inputs (asked for in the wizard when missing). */
  async client(): Promise<DtrClient> {
    if (this.clientMade !== undefined) return this.clientMade;
    await this.inputs.requireAll(connectionInputs);
    const resolved = this.inputs.snapshot();
    await readPem(resolved.caCert, '--ca-cert');
    this.clientMade = new DtrClient(connectionOf(resolved));
    return this.clientMade;
  }

  /** The certificate files the bootstrapper is handed, read and checked once, before any change. */
  async certificates(): Promise<Certificates> {
    const ucpCa = await readPem(this.inputs.peek('ucpCa'), '--ucp-ca');
    return ucpCa === undefined ? {} : { ucpCa };
  }

  /**
   * The runner over `steps` with this session's journal, I/O, inputs, log and masking, as migrate and
   * rollback both run it; a stop is logged with its details before it goes on up.
   */
  async runSteps(run: SessionRun): Promise<void> {
    try {
      await runSteps({
        steps: run.steps,
        journal: run.journal,
        io: this.io,
        inputs: runInputsOf(this.inputs),
        extend: stepContextWith(run.services),
        stateDir: this.stateDir,
        log: this.log,
        signal: run.signal,
        yes: run.yes,
        mask: this.mask,
        ...(run.redo === undefined ? {} : { redo: run.redo }),
      });
    } catch (error) {
      this.log(`${run.name} stopped: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof MigrateError) for (const line of error.details) this.log(`  ${line}`);
      throw error;
    }
  }

  /** The journal of this migration for `procedure`, from what was read at open (not read again). */
  journal(procedure: string, stepIds: readonly string[]): Journal {
    return Journal.from(join(this.stateDir, journalFileName), this.journalData, procedure, stepIds);
  }

  /** Ends the session: the client closed, the lock released; an error on its way out masked. */
  async close(): Promise<void> {
    await this.clientMade?.close();
    await this.lock?.release();
  }

  /** Runs `work` with this session and closes it; whatever escapes has its secrets masked. */
  static async with<T>(options: SessionOptions, work: (session: Session) => Promise<T>): Promise<T> {
    const session = await Session.open(options);
    try {
      return await work(session);
    } catch (error) {
      throw maskSecrets(error, session.mask);
    } finally {
      await session.close();
    }
  }
}

/** A PEM certificate file, read; undefined when none was given. Refused before any change when it is not one. */
async function readPem(file: string | undefined, flag: string): Promise<string | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readRegularFile(file);
  } catch (error) {
    const why = isNotRegularFile(error)
      ? `it is ${error.what}`
      : (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'it does not exist'
        : 'no permission, or not a file';
    throw new MigrateError('USAGE', `the CA certificate given to ${flag}, ${file} cannot be read (${why})`, {
      hint: `Check the path given to ${flag}.`,
    });
  }
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text)) {
    throw new MigrateError('USAGE', `${flag} ${file} is not a PEM certificate (no BEGIN CERTIFICATE block)`, {
      hint: `Give ${flag} the CA certificate in PEM form (a file starting with -----BEGIN CERTIFICATE-----).`,
    });
  }
  return text;
}
