/**
 * A migration run, from flags to a verified end: the session (state directory, lock, journal, log,
 * inputs, DTR client, docker), preflight and detection, the procedure, then the steps behind the verify
 * gate, or with `dryRun` their plans. Everything it has to say goes through `io`; it returns what the
 * CLI prints.
 */
import type { InputKey } from '../config/inputs.js';
import type { ProcessLauncher } from '../docker/docker.js';
import type { InputSources } from '../config/resolve.js';
import { afterRestore } from '../dtr/facts.js';
import { procedures } from '../dtr/procedures.js';
import { classifyVersion, versionAdvice } from '../dtr/versions.js';
import { MigrateError } from '../errors.js';
import type { Io, StepState } from '../runner/io.js';
import type { Journal, JournalData } from '../runner/journal.js';
import { runSteps } from '../runner/runner.js';
import { describeSchedules } from '../steps/common/gc-state.js';
import { stepsFor } from '../steps/index.js';
import { stepIds, type MigrationStep } from '../steps/step.js';
import { createPathStorageEngine } from '../storage/index.js';
import type { StorageEngine } from '../storage/types.js';
import { detectFromDockerHost } from './detect.js';
import {
  checkScriptInputs,
  checkStorageInputs,
  checkStorageNaming,
  checkTagLossAccepted,
  peekAll,
  redoRequested,
} from './migration-checks.js';
import { preflight } from './preflight.js';
import { chooseProcedure } from './procedure-choice.js';
import { Session } from './session.js';
import { localStateFiles } from './state-files.js';
import { planContextOf, stepContextWith } from './step-context.js';

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
  /** Starts docker processes (default: runProcess; in-process tests answer from a table). */
  readonly launchDocker?: ProcessLauncher;
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
  /** What the operator still has to do once every step is verified (e.g. after a restore). */
  readonly afterwards: readonly string[];
  readonly stateDir: string;
  readonly logFile: string | undefined;
  readonly dryRun: boolean;
}

export function summarize(steps: readonly MigrationStep[], journal: Pick<Journal, 'step'>): StepSummary[] {
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

export function runMigration(options: MigrationOptions): Promise<MigrationResult> {
  return Session.with({ ...options, changes: !options.dryRun }, (session) => migrate(session, options));
}

async function migrate(session: Session, options: MigrationOptions): Promise<MigrationResult> {
  const { io, stateDir, inputs } = session;
  inputs.checkGiven();
  const client = await session.client();
  const certificates = await session.certificates();
  const docker = session.docker();
  const mayBeDown = dtrMayBeDown(session.journalData);
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
  const host = findings.dtrDown
    ? {}
    : await detectFromDockerHost(docker, inputs, options.signal, session.log, findings);
  if (host.storageMismatch !== undefined)
    io.emit({
      event: 'notice',
      level: 'warn',
      text: `${host.storageMismatch}: check that --dtr-url and the docker host are the same DTR.`,
    });
  const version = classifyVersion(await inputs.require('dtrVersion'));
  const advice = versionAdvice(version);
  if (advice !== undefined) io.emit({ event: 'notice', level: 'warn', text: advice });
  const procedure = await chooseProcedure(io, inputs, session.journalData?.procedure, version, options.yes);
  const steps = stepsFor(procedure, version.family);
  const journal = session.journal(procedure, stepIds);
  const redo = redoRequested(inputs, steps, journal);
  const pending = steps.filter((step) => journal.status(step.id) !== 'verified');
  checkTagLossAccepted(inputs, procedure, pending, journal, io.interactive);
  if (!io.interactive && !options.dryRun) checkScriptInputs(inputs, pending);
  await checkStorageInputs(inputs, pending, options.dryRun);
  checkStorageNaming(inputs, journal);
  const detected = [
    `DTR ${findings.dtrUrl}, version ${version.version} (from ${host.versionFrom ?? inputs.origin('dtrVersion') ?? 'input'})`,
    ...Object.entries(findings.replicas).map(
      ([id, health]) =>
        `replica ${id}: ${health}${findings.nodes[id] === undefined ? '' : ` on node ${findings.nodes[id]}`}`,
    ),
    ...(host.storage === undefined ? [] : [`current storage: ${host.storage}`]),
    ...(findings.gcSchedules === undefined ? [] : [`GC schedule: ${describeSchedules(findings.gcSchedules)}`]),
    ...(findings.readOnly === undefined ? [] : [`read-only mode: ${findings.readOnly ? 'on' : 'off'}`]),
    `procedure: ${procedures[procedure].title}`,
  ];
  const services = {
    api: client,
    docker,
    storage: options.storage ?? createPathStorageEngine(),
    files: localStateFiles,
    certificates,
  };
  const states = steps.map((s) => ({ id: s.id, title: s.title, status: journal.status(s.id) }));
  io.emit({ event: 'run-start', stateDir, procedure, detected, steps: states, resumed: journal.existed });
  if (options.dryRun) {
    const ctx = planContextOf(journal, stateDir, { ...inputs.snapshot(), ...peekAll(inputs, pending) }, services);
    for (const step of pending)
      io.emit({ event: 'step-plan', id: step.id, title: step.title, purpose: step.purpose, actions: step.plan(ctx) });
    return { procedure, steps: summarize(steps, journal), afterwards: [], stateDir, logFile: undefined, dryRun: true };
  }
  session.log(`run started: ${procedure}, ${pending.length} step(s) to go; ${detected.join('; ')}`);
  if (redo !== undefined)
    session.log(`--redo ${redo}: it runs again from the start once confirmed, whatever earlier runs left`);
  try {
    await runSteps({
      steps,
      journal,
      io,
      inputs: {
        requireAll: (keys) => inputs.requireAll(keys as readonly InputKey[]),
        journalable: () => inputs.journalable(),
        snapshot: () => inputs.snapshot(),
      },
      extend: stepContextWith(services),
      stateDir,
      log: session.log,
      signal: options.signal,
      yes: options.yes,
      mask: session.mask,
      ...(redo === undefined ? {} : { redo }),
    });
  } catch (error) {
    session.log(`run stopped: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof MigrateError) for (const line of error.details) session.log(`  ${line}`);
    throw error;
  }
  session.log('run finished: every step verified');
  const afterwards = steps.some((step) => step.id === 'restore') ? afterRestore : [];
  for (const line of afterwards) session.log(`still to do: ${line}`);
  return {
    procedure,
    steps: summarize(steps, journal),
    afterwards,
    stateDir,
    logFile: session.logFile?.file,
    dryRun: false,
  };
}
