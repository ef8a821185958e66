/**
 * What `plan` adds to a dry run, and what `migrate --plan` checks before anything changes: the inputs a
 * plan still lacks, the fingerprint of what it was planned against (DTR's version, replicas, storage, GC
 * schedule, read-only mode, the tags, the source storage's size), and whether a saved plan still holds:
 * the journal where the plan left it, the same fingerprint, the same actions. Each difference is named.
 */
import { howToGive, specOf, type InputKey } from '../config/inputs.js';
import type { InputResolver } from '../config/resolve.js';
import type { DtrClient } from '../api/client.js';
import { MigrateError } from '../errors.js';
import { takeInventory } from '../inventory/tags.js';
import type { Io, PlannedAction } from '../runner/io.js';
import type { Journal } from '../runner/journal.js';
import { describeSchedules } from '../steps/common/gc-state.js';
import { scheduleFacts } from '../steps/step-data.js';
import type { MigrationStep, PlanContext } from '../steps/step.js';
import type { VersionInfo } from '../dtr/versions.js';
import type { StorageEngine } from '../storage/types.js';
import { formatBytes, formatCount } from '../util/format.js';
import type { HostFacts } from './detect.js';
import type { ApiStorage, Findings } from './preflight.js';
import { migrateStorageFlags } from '../steps/04-migrate-storage.js';
import { tagListingDigest, type Fingerprint, type SavedPlan } from './saved-plan.js';

/**
 * The inputs a plan cannot be complete without: those of the steps to come, and the GC schedule to put
 * back when GC is already Never. Consents are not among them: they belong to the run that applies it; nor
 * are secrets, which a plan never holds (whoever makes it need not know the UCP password).
 */
export function missingForPlan(
  inputs: InputResolver,
  pending: readonly MigrationStep[],
  findings: Pick<Findings, 'gcSchedules'>,
  journal: Journal,
): InputKey[] {
  const keys = inputs.missing(planInputs(pending));
  const gcNever =
    findings.gcSchedules?.length === 0 &&
    pending.some((step) => step.id === 'disable-gc') &&
    journal.step('disable-gc').checkpoint?.['previousSchedules'] === undefined &&
    inputs.peek('gcScheduleAfter') === undefined;
  return [...keys, ...(gcNever ? (['gcScheduleAfter'] as InputKey[]) : [])];
}

/** The inputs of the steps to come that a plan fixes: all but secrets. */
export function planInputs(pending: readonly MigrationStep[]): InputKey[] {
  return [...new Set(pending.flatMap((step) => step.inputs))].filter((key) => specOf(key).secret !== true);
}

export function refuseIncompletePlan(keys: readonly InputKey[]): void {
  if (keys.length === 0) return;
  const missing = keys.map((key) => howToGive(key));
  throw new MigrateError(
    'INPUT_REQUIRED',
    `the plan is incomplete: ${missing.length === 1 ? 'an input is' : `${missing.length} inputs are`} missing: ${missing.join(', ')}`,
    { hint: `Pass ${missing.join('; ')}, then plan again. No plan was written.` },
  );
}

function describeStorage(storage: ApiStorage | undefined): string | undefined {
  if (storage === undefined) return undefined;
  return storage.kind === 'volume' ? storage.volume : `nfs://${storage.host}${storage.path}`;
}

/** The source storage's files and bytes, from a dry-run copy's scan (nothing is written). */
export async function sourceSize(
  storage: StorageEngine,
  inputs: InputResolver,
  signal: AbortSignal,
): Promise<Fingerprint['sourceStorage']> {
  const source = inputs.peek('sourceStorage');
  const target = inputs.peek('targetStorage');
  if (source === undefined || target === undefined) return undefined;
  const scan = await storage.copy({
    from: { kind: 'path', path: source },
    to: { kind: 'path', path: target },
    flags: migrateStorageFlags,
    dryRun: true,
    signal,
  });
  return { files: scan.files, bytes: scan.bytes };
}

export async function takeFingerprint(
  api: DtrClient,
  findings: Findings,
  host: HostFacts,
  dtrVersion: string,
  source: Fingerprint['sourceStorage'],
  signal: AbortSignal,
): Promise<Fingerprint> {
  const inventory = await takeInventory(api, { signal });
  const mounted = host.storage;
  const settings = describeStorage(findings.storage);
  return {
    dtrVersion: host.version ?? dtrVersion,
    replicas: Object.fromEntries(
      Object.entries(findings.replicas).map(([id, health]) => [
        id,
        findings.nodes[id] === undefined ? { health } : { health, node: findings.nodes[id] },
      ]),
    ),
    storage: { ...(mounted === undefined ? {} : { mounted }), ...(settings === undefined ? {} : { settings }) },
    ...(findings.gcSchedules === undefined ? {} : { gcSchedules: scheduleFacts(findings.gcSchedules) }),
    ...(findings.readOnly === undefined ? {} : { readOnly: findings.readOnly }),
    tags: inventory.tags.length,
    tagListing: tagListingDigest(inventory.tags),
    ...(source === undefined ? {} : { sourceStorage: source }),
  };
}

const replicasText = (r: Fingerprint['replicas']): string =>
  Object.entries(r)
    .map(([id, { health, node }]) => `${id} ${health}${node === undefined ? '' : ` on ${node}`}`)
    .join(', ') || 'none';
const storageText = (s: Fingerprint['storage']): string =>
  [...new Set([s.mounted, s.settings].filter((x) => x !== undefined))].join(' / ') || 'unknown';
const gcText = (g: Fingerprint['gcSchedules']): string => (g === undefined ? 'unknown' : describeSchedules(g));
const readOnlyText = (r: boolean | undefined): string => (r === undefined ? 'unknown' : r ? 'on' : 'off');
const sourceText = (s: Fingerprint['sourceStorage']): string =>
  s === undefined ? 'not scanned' : `${formatCount(s.files)} files, ${formatBytes(s.bytes)} (${s.bytes} bytes)`;

/** Each part of the fingerprint that differs, as "part: planned against X, now Y". */
export function fingerprintChanges(planned: Fingerprint, now: Fingerprint): string[] {
  const parts: Array<[string, string, string]> = [
    ['DTR version', planned.dtrVersion, now.dtrVersion],
    ['replicas', replicasText(planned.replicas), replicasText(now.replicas)],
    ['current storage', storageText(planned.storage), storageText(now.storage)],
    ['GC schedule', gcText(planned.gcSchedules), gcText(now.gcSchedules)],
    ['read-only mode', readOnlyText(planned.readOnly), readOnlyText(now.readOnly)],
    ['tags', `${formatCount(planned.tags)} tags`, `${formatCount(now.tags)} tags`],
    ['source storage', sourceText(planned.sourceStorage), sourceText(now.sourceStorage)],
  ];
  const changed = parts.filter(([, a, b]) => a !== b).map(([part, a, b]) => `${part}: planned against ${a}, now ${b}`);
  if (planned.tags === now.tags && planned.tagListing !== now.tagListing)
    changed.push('tags: as many as planned, but a tag was added, removed or points at another digest');
  return changed;
}

/** What a run knows once it has looked at DTR and the docker host, before it changes anything. */
export interface PlanScope {
  readonly io: Io;
  readonly inputs: InputResolver;
  readonly api: DtrClient;
  readonly storage: StorageEngine;
  readonly findings: Findings;
  readonly host: HostFacts;
  readonly version: VersionInfo;
  readonly procedure: string;
  readonly steps: readonly MigrationStep[];
  readonly pending: readonly MigrationStep[];
  readonly journal: Journal;
  readonly stateDir: string;
  /** The context the steps plan in (inputs known so far, the journal). */
  context(): PlanContext;
  readonly signal: AbortSignal;
  readonly toolVersion: string;
}

export interface PlanApplication {
  readonly plan: SavedPlan;
  readonly file: string;
  readonly digest: string;
}

/** The journal's state of each step, as a plan records it. */
export function journalStates(steps: readonly MigrationStep[], journal: Journal): Record<string, string> {
  return Object.fromEntries(steps.map((step) => [step.id, journal.status(step.id)]));
}

function stale(what: string, changes: readonly string[]): MigrateError {
  return new MigrateError('PLAN_STALE', `the saved plan no longer holds (${what}): ${changes.join('; ')}`, {
    hint: 'Nothing was changed. Make a new plan (dtr-migrate plan --out <file>), have it approved, and apply that one.',
    details: [...changes],
  });
}

/**
 * Before a run that applies a saved plan changes anything: the procedure and the journal are where the
 * plan found them, and then DTR and the storage still match its fingerprint and each step would do what
 * the plan says. A run resuming this same plan (the journal names it) is past that point: the migration
 * itself changed GC, read-only mode and the storage since.
 */
export async function checkPlanHolds(applying: PlanApplication, scope: PlanScope): Promise<void> {
  const { plan } = applying;
  const { procedure, steps, journal, io } = scope;
  if (procedure !== plan.procedure)
    throw stale('procedure', [`planned ${plan.procedure}, this run would take ${procedure}`]);
  const states = journalStates(steps, journal);
  // A step the plan never knew (a replica added since, so a destroy and a join more) is not the journal
  // moving on: the fingerprint names the change, or the step is named as not in the plan.
  const moved = steps.filter((step) => step.id in plan.journal && states[step.id] !== plan.journal[step.id]);
  if (moved.length > 0) {
    if (journal.runs().some((run) => run.plan?.sha256 === applying.digest)) {
      io.emit({
        event: 'notice',
        level: 'info',
        text: `resuming the saved plan ${applying.file}: its earlier run started it, so what that run changed is not held against it`,
      });
      return;
    }
    throw stale(
      'the journal moved on',
      moved.map((step) => `${step.id}: ${plan.journal[step.id] ?? 'absent'} when planned, ${states[step.id]} now`),
    );
  }
  const source = await sourceSize(scope.storage, scope.inputs, scope.signal);
  const { api, findings, host, version, signal } = scope;
  const changes = fingerprintChanges(
    plan.fingerprint,
    await takeFingerprint(api, findings, host, version.version, source, signal),
  );
  if (changes.length > 0) throw stale('what it was planned against changed', changes);
  const differing = steps
    .filter((step) => states[step.id] !== 'verified')
    .flatMap((step) =>
      actionChange(step.id, plan.steps.find((s) => s.id === step.id)?.actions, step.plan(scope.context())),
    );
  if (differing.length > 0) throw stale('its steps would act otherwise', differing);
}

const actionText = (a: PlannedAction): string =>
  a.kind === 'http' ? `${a.method} ${a.path}` : a.kind === 'docker' ? a.command : a.description;

/** The first action of a step that differs from the plan's, in words; none when the step does the same. */
function actionChange(
  id: string,
  planned: readonly PlannedAction[] | undefined,
  now: readonly PlannedAction[],
): string[] {
  if (planned === undefined) return [`${id}: not in the plan`];
  if (JSON.stringify(planned) === JSON.stringify(now)) return [];
  const at = now.findIndex((action, i) => JSON.stringify(action) !== JSON.stringify(planned[i]));
  const was = planned[at];
  const is = now[at];
  return [
    `${id}: planned ${was === undefined ? 'nothing more' : `"${actionText(was)}"`}, now ${is === undefined ? 'nothing more' : `"${actionText(is)}"`}`,
  ];
}
