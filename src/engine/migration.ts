/**
 * One migration session, from flags to a verified end: state directory, lock, journal, log file,
 * inputs, DTR client, docker, storage engine, preflight, then the steps behind the verify gate.
 * Everything it has to say goes through `io`; it returns what the CLI prints as the summary.
 */
import { DtrClient } from '../api/client.js';
import { howToGive, inputSpecs, type InputKey } from '../config/inputs.js';
import { InputResolver, type InputSources } from '../config/resolve.js';
import { Docker } from '../docker/docker.js';
import { MigrateError } from '../errors.js';
import { createPathStorageEngine } from '../storage/index.js';
import type { StorageEngine } from '../storage/types.js';
import type { Io, StepState } from './events.js';
import { Journal } from './journal.js';
import { preflight, type Findings } from './preflight.js';
import { planContext, runSteps } from './runner.js';
import { LogFile, acquireLock, prepareStateDir } from './state-dir.js';
import type { Step } from './step.js';

export interface MigrationOptions {
  readonly io: Io;
  readonly steps: readonly Step[];
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
  readonly steps: readonly StepSummary[];
  readonly findings: Findings | undefined;
  readonly stateDir: string;
  readonly logFile: string | undefined;
  readonly dryRun: boolean;
}

const connectionInputs: readonly InputKey[] = ['dtrUrl', 'username', 'dtrToken', 'caCert', 'insecureTls'];

export function summarize(steps: readonly Step[], journal: Journal): StepSummary[] {
  return steps.map((step) => {
    const record = journal.step(step.id);
    return { id: step.id, title: step.title, status: record.status, ...(record.durationMs === undefined ? {} : { durationMs: record.durationMs }), facts: record.facts ?? [] };
  });
}

export async function runMigration(options: MigrationOptions): Promise<MigrationResult> {
  const { io, steps, stateDir } = options;
  if (!options.dryRun) await prepareStateDir(stateDir);
  const lock = options.dryRun
    ? undefined
    : await acquireLock(stateDir, async () => options.takeOverLock || (io.interactive && (await io.ask({ kind: 'confirm', message: 'The state directory is locked by a dtr-migrate that no longer runs. Take the lock over?', default: false })) === true));
  let client: DtrClient | undefined;
  try {
    const journal = await Journal.open(stateDir, 'best-practice');
    const log = options.dryRun ? undefined : await LogFile.create(stateDir);
    const inputs = new InputResolver({ ...options.sources, journal: journal.inputs as InputSources['journal'] }, io);
    await inputs.requireAll(connectionInputs);
    log?.redact(inputs.peek('dtrToken'));
    log?.redact(inputs.peek('ucpPassword'));
    const docker = new Docker(inputs.peek('dockerBin') ?? 'docker', (line) => log?.write(line), options.dockerEnv ?? {});
    client = new DtrClient({
      baseUrl: await inputs.require('dtrUrl'),
      username: await inputs.require('username'),
      secret: await inputs.require('dtrToken'),
      ...(inputs.peek('caCert') === undefined ? {} : { caCertFile: inputs.peek('caCert') }),
      insecureTls: inputs.peek('insecureTls') === true,
    });
    if (inputs.peek('insecureTls') === true) io.emit({ event: 'notice', level: 'warn', text: 'TLS verification of the DTR API is off (--insecure-tls): use --ca-cert instead where you can.' });
    const findings = await preflight(client, inputs, journal.step('restore').checkpoint?.['destroyedAt'] !== undefined);
    for (const advice of findings.advice) io.emit({ event: 'notice', level: 'warn', text: advice });
    const pending = steps.filter((step) => journal.status(step.id) !== 'verified');
    if (!io.interactive && !options.dryRun) {
      const missing = inputs.missing([...new Set(pending.flatMap((step) => step.inputs))]);
      if (missing.length > 0) {
        throw new MigrateError('INPUT_REQUIRED', `${missing.length === 1 ? 'an input is' : `${missing.length} inputs are`} missing: ${missing.map((k) => inputSpecs[k].description).join('; ')}`, {
          hint: `Pass ${missing.map((k) => howToGive(k)).join('; ')}. Nothing was changed.`,
        });
      }
    }
    const services = { api: client, docker, storage: options.storage ?? createPathStorageEngine() };
    const states = steps.map((s) => ({ id: s.id, title: s.title, status: journal.status(s.id) }));
    io.emit({ event: 'run-start', stateDir, steps: states, resumed: journal.existed });
    if (options.dryRun) {
      const ctx = planContext({ journal, stateDir, services }, { ...inputs.snapshot(), ...peekAll(inputs, pending) });
      for (const step of pending) io.emit({ event: 'step-plan', id: step.id, title: step.title, purpose: step.purpose, actions: step.plan(ctx) });
      return { steps: summarize(steps, journal), findings, stateDir, logFile: undefined, dryRun: true };
    }
    log?.write(`run started: ${pending.length} step(s) to go; DTR ${findings.dtrUrl}`);
    try {
      await runSteps({ steps, journal, io, inputs, services, stateDir, log: (line) => log?.write(line), signal: options.signal, yes: options.yes });
    } catch (error) {
      log?.write(`run stopped: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof MigrateError) for (const line of error.details) log?.write(`  ${line}`);
      throw error;
    }
    log?.write('run finished: every step verified');
    return { steps: summarize(steps, journal), findings, stateDir, logFile: log?.file, dryRun: false };
  } finally {
    await client?.close();
    await lock?.release();
  }
}

/** For a plan: every input that can be had without asking (missing ones show as <placeholders>). */
function peekAll(inputs: InputResolver, steps: readonly Step[]): Record<string, unknown> {
  const keys = [...new Set(steps.flatMap((s) => s.inputs))];
  return Object.fromEntries(keys.map((k) => [k, inputs.peek(k)]).filter(([, v]) => v !== undefined));
}
