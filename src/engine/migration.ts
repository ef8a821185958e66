/**
 * One migration session, from flags to a verified end: state directory, lock, journal, log file,
 * inputs, DTR client, docker, storage engine, preflight and detection, the procedure, then the steps
 * behind the verify gate. Everything it has to say goes through `io`; it returns what the CLI prints.
 */
import { join } from 'node:path';
import { DtrClient } from '../api/client.js';
import { howToGive, type InputKey } from '../config/inputs.js';
import { InputResolver, type InputSources } from '../config/resolve.js';
import { Docker } from '../docker/docker.js';
import { procedures } from '../dtr/procedures.js';
import { classifyVersion, versionAdvice } from '../dtr/versions.js';
import { MigrateError, maskSecrets } from '../errors.js';
import { stepsFor } from '../steps/index.js';
import { renamedStorage } from '../steps/bootstrapper.js';
import { describeSchedules } from '../steps/gc-state.js';
import { checkLocations, createPathStorageEngine } from '../storage/index.js';
import { migrateStorageFlags, migrateStorageStep } from '../steps/03-migrate-storage.js';
import type { StorageEngine } from '../storage/types.js';
import { detectFromDockerHost } from './detect.js';
import type { Io, StepState } from './events.js';
import { Journal, journalFileName, type JournalData } from './journal.js';
import { preflight } from './preflight.js';
import { chooseProcedure } from './procedure-choice.js';
import { planContext, runSteps } from './runner.js';
import { LogFile, acquireLock, maskWith, prepareStateDir } from './state-dir.js';
import type { Step, StepId } from './step.js';

export interface MigrationOptions {
  readonly io: Io;
  readonly sources: Omit<InputSources, 'journal'>;
  readonly stateDir: string;
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly takeOverLock: boolean;
  readonly signal: AbortSignal;
  /** Environment for every docker process (a rehearsal points the docker stand-in at its mock). */
  readonly dockerEnv?: Readonly<Record<string, string>>;
  readonly storage?: StorageEngine;
}

export interface StepSummary {
  readonly id: string;
  readonly title: string;
  readonly status: StepState['status'];
  readonly durationMs?: number;
  readonly facts: readonly string[];
}

export interface MigrationResult {
  readonly procedure: string;
  readonly steps: readonly StepSummary[];
  readonly stateDir: string;
  readonly logFile: string | undefined;
  readonly dryRun: boolean;
}

const connectionInputs: readonly InputKey[] = ['dtrUrl', 'username', 'dtrToken', 'caCert', 'insecureTls', 'apiTimeout'];

export function summarize(steps: readonly Step[], journal: Pick<Journal, 'step'>): StepSummary[] {
  return steps.map((step) => {
    const record = journal.step(step.id);
    return {
      id: step.id,
      title: step.title,
      status: record.status,
      ...(record.durationMs === undefined ? {} : { durationMs: record.durationMs }),
      facts: record.facts ?? [],
    };
  });
}

/**
 * DTR may be down on purpose when a destroy started (even one that failed half-way) and its restore
 * has not been verified yet, or a reconfigure (which restarts DTR) started and has not been verified.
 */
function dtrMayBeDown(data: JournalData | undefined): boolean {
  const startedIn = (id: string, marks: readonly string[]): boolean => {
    const step = data?.steps[id];
    return (
      step !== undefined && step.status !== 'verified' && marks.some((mark) => step.checkpoint?.[mark] !== undefined)
    );
  };
  return (
    startedIn('restore', ['destroyStartedAt', 'destroyedAt']) ||
    startedIn('reconfigure', ['reconfigureStartedAt', 'reconfiguredAt'])
  );
}

export async function runMigration(options: MigrationOptions): Promise<MigrationResult> {
  const { io, stateDir } = options;
  if (!options.dryRun) await prepareStateDir(stateDir);
  const lock = options.dryRun
    ? undefined
    : await acquireLock(
        stateDir,
        async () =>
          options.takeOverLock ||
          (io.interactive &&
            (await io.ask({
              kind: 'confirm',
              message: 'The state directory is locked by a dtr-migrate that no longer runs. Take the lock over?',
              default: false,
            })) === true),
      );
  let client: DtrClient | undefined;
  // Until the inputs are read there is no secret to mask.
  let mask = (text: string): string => text;
  try {
    const existing = await Journal.read(join(stateDir, journalFileName));
    const log = options.dryRun ? undefined : await LogFile.create(stateDir);
    const inputs = new InputResolver(
      { ...options.sources, journal: (existing?.inputs ?? {}) as InputSources['journal'] },
      io,
      options.yes,
    );
    inputs.checkGiven();
    await inputs.requireAll(connectionInputs);
    mask = (text) => maskWith(inputs.secrets(), text);
    log?.redactFrom(() => inputs.secrets());
    const writeLog = (line: string): void => log?.write(line);
    const docker = new Docker(inputs.peek('dockerBin') ?? 'docker', writeLog, options.dockerEnv ?? {}, log?.file);
    client = new DtrClient({
      baseUrl: await inputs.require('dtrUrl'),
      username: await inputs.require('username'),
      secret: await inputs.require('dtrToken'),
      ...(inputs.peek('caCert') === undefined ? {} : { caCertFile: inputs.peek('caCert') }),
      insecureTls: inputs.peek('insecureTls') === true,
      timeoutMs: (await inputs.require('apiTimeout')) * 1000,
    });
    const mayBeDown = dtrMayBeDown(existing);
    client.expectDowntime(mayBeDown);
    if (inputs.peek('insecureTls') === true)
      io.emit({
        event: 'notice',
        level: 'warn',
        text: 'TLS verification of the DTR API is off (--insecure-tls): use --ca-cert instead where you can.',
      });
    const findings = await preflight(client, inputs, mayBeDown);
    // DTR answered with a healthy replica: a blip from here on gets the full retry budget again.
    client.expectDowntime(findings.dtrDown);
    const host = findings.dtrDown ? {} : await detectFromDockerHost(docker, inputs, options.signal, writeLog);
    const version = classifyVersion(await inputs.require('dtrVersion'));
    const advice = versionAdvice(version);
    if (advice !== undefined) io.emit({ event: 'notice', level: 'warn', text: advice });
    const procedure = await chooseProcedure(io, inputs, existing?.procedure, version, options.yes);
    const steps = stepsFor(procedure, version.family);
    const journal = await Journal.open(stateDir, procedure);
    const redo = redoRequested(inputs, steps, journal);
    const pending = steps.filter((step) => journal.status(step.id) !== 'verified');
    // Only while the reconfigure is still to come: once it ran, the loss was accepted on that run.
    const wipePending =
      procedure === 'reconfigure' &&
      pending.some((step) => step.id === 'reconfigure') &&
      journal.step('reconfigure').checkpoint?.['reconfiguredAt'] === undefined;
    if (wipePending && !io.interactive && inputs.peek('acceptTagLoss') !== true) {
      throw new MigrateError(
        'CONFIRMATION_REQUIRED',
        'the reconfigure procedure erases every tag; in a script that must be accepted up front, and nothing was changed',
        {
          hint: 'Add --accept-tag-loss if that is what you want, or use --procedure best-practice (or read-only on 2.6.4+), which keep the tags.',
        },
      );
    }
    if (!io.interactive && !options.dryRun) {
      const missing = inputs.missing([...new Set(pending.flatMap((step) => step.inputs))]);
      if (missing.length > 0) {
        throw new MigrateError(
          'INPUT_REQUIRED',
          `${missing.length === 1 ? 'an input is' : `${missing.length} inputs are`} missing: ${missing.map((k) => howToGive(k)).join(', ')}`,
          {
            hint: `Pass ${missing.map((k) => howToGive(k)).join('; ')}. Nothing was changed.`,
          },
        );
      }
    }
    await checkStorageInputs(inputs, pending, options.dryRun);
    checkStorageNaming(inputs, journal);
    const detected = [
      `DTR ${findings.dtrUrl}, version ${version.version} (from ${host.versionFrom ?? inputs.origin('dtrVersion') ?? 'input'})`,
      ...Object.entries(findings.replicas).map(([id, health]) => `replica ${id}: ${health}`),
      ...(host.storage === undefined ? [] : [`current storage: ${host.storage}`]),
      ...(findings.gcSchedules === undefined ? [] : [`GC schedule: ${describeSchedules(findings.gcSchedules)}`]),
      ...(findings.readOnly === undefined ? [] : [`read-only mode: ${findings.readOnly ? 'on' : 'off'}`]),
      `procedure: ${procedures[procedure].title}`,
    ];
    const services = { api: client, docker, storage: options.storage ?? createPathStorageEngine() };
    const states = steps.map((s) => ({ id: s.id, title: s.title, status: journal.status(s.id) }));
    io.emit({ event: 'run-start', stateDir, procedure, detected, steps: states, resumed: journal.existed });
    if (options.dryRun) {
      const ctx = planContext({ journal, stateDir, services }, { ...inputs.snapshot(), ...peekAll(inputs, pending) });
      for (const step of pending)
        io.emit({ event: 'step-plan', id: step.id, title: step.title, purpose: step.purpose, actions: step.plan(ctx) });
      return { procedure, steps: summarize(steps, journal), stateDir, logFile: undefined, dryRun: true };
    }
    log?.write(`run started: ${procedure}, ${pending.length} step(s) to go; ${detected.join('; ')}`);
    if (redo !== undefined)
      log?.write(`--redo ${redo}: it runs again from the start once confirmed, whatever earlier runs left`);
    try {
      await runSteps({
        steps,
        journal,
        io,
        inputs,
        services,
        stateDir,
        log: writeLog,
        signal: options.signal,
        yes: options.yes,
        mask,
        ...(redo === undefined ? {} : { redo }),
      });
    } catch (error) {
      log?.write(`run stopped: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof MigrateError) for (const line of error.details) log?.write(`  ${line}`);
      throw error;
    }
    log?.write('run finished: every step verified');
    return { procedure, steps: summarize(steps, journal), stateDir, logFile: log?.file, dryRun: false };
  } catch (error) {
    throw maskSecrets(error, mask);
  } finally {
    await client?.close();
    await lock?.release();
  }
}

/**
 * The storage paths, checked before anything changes (a target inside the source would otherwise be
 * found only in step 3, after GC was turned off and a backup taken). Inputs not given yet are asked for,
 * and checked, by the step itself.
 */
async function checkStorageInputs(inputs: InputResolver, pending: readonly Step[], dryRun: boolean): Promise<void> {
  const source = inputs.peek('sourceStorage');
  const target = inputs.peek('targetStorage');
  if (source === undefined || target === undefined || !pending.some((step) => step.id === migrateStorageStep.id))
    return;
  await checkLocations({ kind: 'path', path: source }, { kind: 'path', path: target }, migrateStorageFlags, dryRun);
}

/** `--redo <step>`: a step of this procedure that did not end verified. */
function redoRequested(inputs: InputResolver, steps: readonly Step[], journal: Journal): StepId | undefined {
  const redo = inputs.peek('redo');
  if (redo === undefined) return undefined;
  if (!steps.some((step) => step.id === redo)) {
    throw new MigrateError('USAGE', `--redo ${redo}: this migration's procedure has no ${redo} step`, {
      hint: 'Check `dtr-migrate status` for its steps.',
    });
  }
  if (journal.status(redo) === 'verified') {
    throw new MigrateError('USAGE', `--redo ${redo}: that step is verified, and is never run again`, {
      hint: 'Drop --redo; it is only for a step an earlier run left failed or undecided.',
    });
  }
  return redo;
}

/**
 * The new storage must be named to DTR as it was when it was copied and verified: checked before the
 * run records anything, so a mistyped --target-volume never reaches the journal (the gate checks again).
 */
function checkStorageNaming(inputs: InputResolver, journal: Journal): void {
  const copiedAs = (journal.step(migrateStorageStep.id).output as { dtrStorage?: unknown } | undefined)?.dtrStorage;
  const named = renamedStorage(copiedAs, {
    targetStorage: inputs.peek('targetStorage'),
    targetVolume: inputs.peek('targetVolume'),
    targetNfsUrl: inputs.peek('targetNfsUrl'),
  });
  if (named === undefined) return;
  throw new MigrateError(
    'JOURNAL_MISMATCH',
    `this run names the new storage ${named}, but this migration copied and verified it for ${copiedAs}`,
    {
      hint: 'Drop --target-volume / --target-nfs-url, or give the values used when it was copied; use another --state-dir for a different migration.',
    },
  );
}

/** For a plan: every input that can be had without asking (missing ones show as <placeholders>). */
function peekAll(inputs: InputResolver, steps: readonly Step[]): Record<string, unknown> {
  const keys = [...new Set(steps.flatMap((s) => s.inputs))];
  return Object.fromEntries(keys.map((k) => [k, inputs.peek(k)]).filter(([, v]) => v !== undefined));
}
