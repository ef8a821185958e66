/**
 * A migration run, from flags to a verified end: the session (state directory, lock, journal, log,
 * inputs, DTR client, docker), preflight and detection, the procedure, then the steps behind the verify
 * gate, or with `dryRun` their plans. Everything it has to say goes through `io`; it returns what the
 * CLI prints.
 */
import { connectionOf } from '../config/connection.js';
import type { ProcessLauncher } from '../docker/docker.js';
import type { InputSources } from '../config/resolve.js';
import { afterRestore } from '../dtr/facts.js';
import { procedures } from '../dtr/procedures.js';
import { classifyVersion, versionAdvice } from '../dtr/versions.js';
import { MigrateError } from '../errors.js';
import type { Io, StepState } from '../runner/io.js';
import type { Journal, JournalData } from '../runner/journal.js';
import type { BackupOutput } from '../steps/03-backup.js';
import { describeSchedules } from '../steps/common/gc-state.js';
import { stepsFor } from '../steps/index.js';
import { scheduleFacts } from '../steps/step-data.js';
import { stepIds } from '../steps/step.js';
import { createPathStorageEngine } from '../storage/index.js';
import type { StorageEngine } from '../storage/types.js';
import { checkCompletion } from './completion.js';
import { detectFromDockerHost } from './detect.js';
import {
  checkGcScheduleAfter,
  checkScriptInputs,
  checkSourceStorage,
  consentToChange,
  checkStorageInputs,
  checkStorageNaming,
  checkTagLossAccepted,
  peekAll,
  redoRequested,
} from './migration-checks.js';
import { preflight } from './preflight.js';
import { refuseDuringRollback } from './rollback-choice.js';
import { chooseProcedure } from './procedure-choice.js';
import { Session } from './session.js';
import {
  checkVolumeOnEveryNode,
  chooseTopology,
  journalTopology,
  topologyLines,
  topologyWarnings,
} from './topology.js';
import { isDestroyReplicaStepId, isHighlyAvailable, isNfsOptionsStepId, topologyEntries } from '../dtr/topology.js';
import { nfsOptionsLine, nfsOptionsWarnings, storageSwitchBegan, withNfsOptions } from './nfs-options.js';
import { localStateFiles } from './state-files.js';
import { planContextOf } from './step-context.js';
import { buildPlan } from './plan-build.js';
import { checkPlanHolds, type PlanApplication, type PlanScope } from './plan-check.js';
import type { SavedPlan } from './saved-plan.js';

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
  /** The dtr-migrate version, noted in the journal with each run. */
  readonly toolVersion?: string;
  /** `migrate --plan`: the saved plan this run applies, checked before anything changes. */
  readonly plan?: PlanApplication;
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
  /** What the final live check found, once every step was verified (none in a dry run). */
  readonly completion: readonly string[];
  /** What the operator still has to do once every step is verified (e.g. after a restore). */
  readonly afterwards: readonly string[];
  readonly stateDir: string;
  readonly logFile: string | undefined;
  readonly dryRun: boolean;
  /** A dry run with every input known: the plan `plan --out` saves. */
  readonly plan?: SavedPlan;
}

export function summarize(
  steps: readonly { readonly id: string; readonly title: string }[],
  journal: Pick<Journal, 'step'>,
): StepSummary[] {
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
 * has not been verified yet, or a reconfigure (which restarts DTR, or for NFS options one replica)
 * started and has not been verified.
 */
function dtrMayBeDown(data: JournalData | undefined): boolean {
  const startedIn = (id: string, marks: readonly string[]): boolean => {
    const step = data?.steps[id];
    return (
      step !== undefined && step.status !== 'verified' && marks.some((mark) => step.checkpoint?.[mark] !== undefined)
    );
  };
  // In an HA cluster the replicas destroyed before the restore may leave the rest without a majority.
  const replicaDestroyed =
    data?.steps['restore']?.status !== 'verified' &&
    Object.entries(data?.steps ?? {}).some(
      ([id, step]) => isDestroyReplicaStepId(id) && step.checkpoint?.['destroyStartedAt'] !== undefined,
    );
  return (
    replicaDestroyed ||
    startedIn('restore', ['destroyStartedAt', 'destroyedAt']) ||
    startedIn('reconfigure', ['reconfigureStartedAt', 'reconfiguredAt']) ||
    Object.keys(data?.steps ?? {}).some((id) => isNfsOptionsStepId(id) && startedIn(id, ['reconfigureStartedAt']))
  );
}

export function runMigration(options: MigrationOptions): Promise<MigrationResult> {
  return Session.with({ ...options, changes: !options.dryRun, startOverAfterRollback: true }, (session) =>
    migrate(session, options),
  );
}

async function migrate(session: Session, options: MigrationOptions): Promise<MigrationResult> {
  const { io, stateDir, inputs } = session;
  refuseDuringRollback(session.journalData);
  if (session.rolledBack !== undefined)
    io.emit({
      event: 'notice',
      level: 'info',
      text: `The migration in ${stateDir} was rolled back at ${session.rolledBack.at}: ${session.rolledBack.setAsideAs === undefined ? 'a new one would start' : `a new one starts (the rolled-back journal is kept as ${session.rolledBack.setAsideAs})`}.`,
    });
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
  const kept = journalTopology(session.journalData);
  const findings = await preflight(client, inputs, mayBeDown, kept.rebuilding);
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
  // Applying a plan, the version is detected again (the fingerprint compares it); else the plan's.
  if (options.plan !== undefined)
    inputs.detect('dtrVersion', inputs.peek('dtrVersion') ?? options.plan.plan.inputs['dtrVersion']);
  const version = classifyVersion(await inputs.require('dtrVersion'));
  const advice = versionAdvice(version);
  if (advice !== undefined) io.emit({ event: 'notice', level: 'warn', text: advice });
  const procedure = await chooseProcedure(io, inputs, session.journalData?.procedure, version, options.yes);
  const topology = await withNfsOptions(chooseTopology(findings, inputs.peek('replicaId'), kept), {
    inputs,
    docker,
    signal: options.signal,
    servesNfs: findings.storage?.kind === 'nfs',
    ...(kept.recorded === undefined ? {} : { recorded: kept.recorded }),
    switchBegan: storageSwitchBegan(session.journalData),
  });
  const steps = stepsFor(procedure, version.family, topology);
  const journal = session.journal(procedure, [...new Set([...stepIds, ...steps.map((step) => step.id)])]);
  for (const text of [...topologyWarnings(topology, inputs), ...nfsOptionsWarnings(topology, version)])
    io.emit({ event: 'notice', level: 'warn', text });
  const redo = redoRequested(inputs, steps, journal);
  const pending = steps.filter((step) => journal.status(step.id) !== 'verified');
  checkTagLossAccepted(inputs, procedure, pending, journal, io.interactive);
  if (!io.interactive && !options.dryRun) checkScriptInputs(inputs, pending);
  await checkStorageInputs(inputs, pending, options.dryRun);
  checkStorageNaming(inputs, journal);
  const versionFrom = host.versionFrom ?? inputs.origin('dtrVersion') ?? 'input';
  const witnesses = { docker, api: client, signal: options.signal, log: session.log };
  const sourceLine = await checkSourceStorage(inputs, pending, witnesses, findings.dtrDown || mayBeDown);
  const volumeLine =
    options.dryRun || kept.rebuilding || !pending.some((step) => step.confirmation !== undefined)
      ? undefined
      : await checkVolumeOnEveryNode(topology, inputs, docker, options.signal);
  const nfsLine = nfsOptionsLine(topology);
  const detected = [
    `DTR ${findings.dtrUrl}, version ${version.version} (from ${versionFrom})`,
    // A cluster's replicas are listed with their roles; one replica as it always was.
    ...(isHighlyAvailable(topology)
      ? topologyLines(topology, procedure)
      : Object.entries(findings.replicas).map(
          ([id, health]) =>
            `replica ${id}: ${health}${findings.nodes[id] === undefined ? '' : ` on node ${findings.nodes[id]}`}`,
        )),
    ...(host.storage === undefined ? [] : [`current storage: ${host.storage}`]),
    ...(sourceLine === undefined ? [] : [sourceLine]),
    ...(volumeLine === undefined ? [] : [volumeLine]),
    ...(nfsLine === undefined ? [] : [nfsLine]),
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
    ...(topology === undefined ? {} : { topology }),
  };
  const detectedData = {
    dtrUrl: findings.dtrUrl,
    dtrVersion: version.version,
    versionFrom,
    replicas: findings.replicas,
    ...(host.storage === undefined ? {} : { storage: host.storage }),
    ...(findings.gcSchedules === undefined ? {} : { gcSchedules: scheduleFacts(findings.gcSchedules) }),
    ...(findings.readOnly === undefined ? {} : { readOnly: findings.readOnly }),
    // Kept for a cluster's rebuild, and for options that the switch replaces.
    ...(topology !== undefined && (isHighlyAvailable(topology) || nfsLine !== undefined)
      ? { topology: topologyEntries(topology) }
      : {}),
    procedure,
  };
  const states = steps.map((s) => ({ id: s.id, title: s.title, status: journal.status(s.id) }));
  const resumed = journal.existed;
  const scope: PlanScope = {
    io,
    inputs,
    api: client,
    storage: services.storage,
    findings,
    host,
    version,
    procedure,
    steps,
    pending,
    journal,
    stateDir,
    context: () => planContextOf(journal, stateDir, { ...inputs.snapshot(), ...peekAll(inputs, pending) }, services),
    signal: options.signal,
    toolVersion: options.toolVersion ?? 'unknown',
  };
  if (options.plan !== undefined) await checkPlanHolds(options.plan, scope);
  if (!options.dryRun)
    await journal.noteRun({
      startedAt: new Date().toISOString(),
      ...(options.toolVersion === undefined ? {} : { toolVersion: options.toolVersion }),
      detected: detectedData,
      ...(options.plan === undefined ? {} : { plan: { file: options.plan.file, sha256: options.plan.digest } }),
    });
  io.emit({ event: 'run-start', stateDir, procedure, detected, data: detectedData, steps: states, resumed });
  if (options.dryRun) {
    const plan = await buildPlan(scope, options.plan);
    return {
      ...(plan === undefined ? {} : { plan }),
      procedure,
      steps: summarize(steps, journal),
      completion: [],
      afterwards: [],
      stateDir,
      logFile: undefined,
      dryRun: true,
    };
  }
  await checkGcScheduleAfter(inputs, io, findings.gcSchedules, journal, pending);
  await consentToChange(io, options.yes, pending);
  session.log(`run started: ${procedure}, ${pending.length} step(s) to go; ${detected.join('; ')}`);
  if (redo !== undefined)
    session.log(`--redo ${redo}: it runs again from the start once confirmed, whatever earlier runs left`);
  await session.runSteps({
    name: 'run',
    steps,
    journal,
    services,
    signal: options.signal,
    yes: options.yes,
    ...(redo === undefined ? {} : { redo }),
  });
  const resolved = inputs.snapshot();
  const completion = await checkCompletion({
    api: client,
    docker,
    connection: connectionOf(resolved),
    signal: options.signal,
    inputs: resolved,
    backup: journal.step('backup').output as BackupOutput | undefined,
    keepsTags: procedures[procedure].keepsTags,
    ...(isHighlyAvailable(topology) ? { replicas: [topology.restored, ...topology.joined].map((r) => r.id) } : {}),
  });
  if (!completion.ok) {
    session.log(`final check failed: ${completion.reason}`);
    throw new MigrateError(
      'VERIFY_FAILED',
      `every step is verified in the journal, but DTR does not show the migration done: ${completion.reason}`,
      { hint: completion.hint },
    );
  }
  session.log(`run finished: every step verified; ${completion.facts.join('; ')}`);
  const afterwards = steps.some((step) => step.id === 'restore') ? afterRestore : [];
  for (const line of afterwards) session.log(`still to do: ${line}`);
  return {
    procedure,
    steps: summarize(steps, journal),
    completion: completion.facts,
    afterwards,
    stateDir,
    logFile: session.logFile?.file,
    dryRun: false,
  };
}
