/**
 * A saved plan (`plan --out plan.json`), as terraform keeps one: the procedure, every step's exact
 * actions (secrets masked), the inputs (no secret, no consent), the estimates, and a fingerprint of
 * what it was planned against. `migrate --plan plan.json` applies exactly that plan: its inputs are
 * the run's, an input given again must say the same, and the fingerprint must still match before
 * anything changes (plan-check.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { inputKeys, specOf, type InputKey } from '../config/inputs.js';
import type { InputSources } from '../config/resolve.js';
import { MigrateError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isNotRegularFile, readRegularFile } from '../util/regular-file.js';

export const planFormat = 'dtr-migrate-plan';
export const planVersion = 1;

const scheduleSchema = z.object({ action: z.string(), schedule: z.string() });

export const fingerprintSchema = z.object({
  dtrVersion: z.string(),
  /** Replica id → health and node. */
  replicas: z.record(z.string(), z.object({ health: z.string(), node: z.string().optional() })),
  /** As the registry container mounts it, and as DTR's settings name it. */
  storage: z.object({ mounted: z.string().optional(), settings: z.string().optional() }),
  gcSchedules: z.array(scheduleSchema).optional(),
  readOnly: z.boolean().optional(),
  tags: z.number().int().nonnegative(),
  /** sha256 of the sorted `repository:tag@digest` lines. */
  tagListing: z.string(),
  sourceStorage: z.object({ files: z.number(), bytes: z.number() }).optional(),
});
export type Fingerprint = z.infer<typeof fingerprintSchema>;

const actionSchema = z.union([
  z.object({
    kind: z.literal('http'),
    method: z.string(),
    path: z.string(),
    body: z.unknown().optional(),
    why: z.string(),
  }),
  z.object({ kind: z.literal('docker'), command: z.string(), why: z.string() }),
  z.object({ kind: z.literal('local'), description: z.string(), why: z.string() }),
  z.object({ kind: z.literal('check'), description: z.string() }),
]);

export const savedPlanSchema = z.object({
  format: z.literal(planFormat),
  version: z.literal(planVersion),
  toolVersion: z.string(),
  createdAt: z.string(),
  stateDir: z.string(),
  procedure: z.string(),
  /** Where each step of the procedure stood in the journal when planned. */
  journal: z.record(z.string(), z.string()),
  steps: z.array(z.object({ id: z.string(), title: z.string(), purpose: z.string(), actions: z.array(actionSchema) })),
  /** Every input resolved, except secrets and consents. */
  inputs: z.record(z.string(), z.unknown()),
  /** How the secrets are given at apply time (never their values). */
  secrets: z.array(z.string()),
  fingerprint: fingerprintSchema,
  estimates: z.record(z.string(), z.unknown()).optional(),
});
export type SavedPlan = z.infer<typeof savedPlanSchema>;

/** What identifies a plan in the journal of the run that applied it. */
export function planDigest(plan: SavedPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

/** sha256 of an inventory's listing, one `repository:tag@digest` line each, sorted. */
export function tagListingDigest(tags: ReadonlyArray<{ repository: string; tag: string; digest: string }>): string {
  const lines = tags.map((t) => `${t.repository}:${t.tag}@${t.digest}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

export async function writeSavedPlan(file: string, plan: SavedPlan): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(plan, null, 2)}\n`);
}

export async function readSavedPlan(file: string, toolVersion: string): Promise<SavedPlan> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readRegularFile(file));
  } catch (error) {
    const why = isNotRegularFile(error) ? error.message : 'it is missing or not JSON';
    throw new MigrateError('USAGE', `the plan ${file} cannot be read: ${why}`, {
      hint: 'Pass --plan a file written by `dtr-migrate plan --out <file>`.',
    });
  }
  const parsed = savedPlanSchema.safeParse(raw);
  if (!parsed.success)
    throw new MigrateError('USAGE', `${file} is not a plan written by dtr-migrate (or it was edited)`, {
      hint: 'Make a new one with `dtr-migrate plan --out <file>`.',
    });
  if (parsed.data.toolVersion !== toolVersion)
    throw new MigrateError(
      'PLAN_STALE',
      `the plan ${file} was made by dtr-migrate ${parsed.data.toolVersion}; this is ${toolVersion}, whose steps may act otherwise`,
      { hint: 'Make a new plan with this version: `dtr-migrate plan --out <file>`.' },
    );
  return parsed.data;
}

/** The one input the plan does not pass on: the running version is detected again and compared. */
const redetected: readonly InputKey[] = ['dtrVersion'];

function sameValue(key: InputKey, given: unknown, planned: unknown): boolean {
  const parsed = specOf(key).schema.safeParse(given);
  return JSON.stringify(parsed.success ? parsed.data : given) === JSON.stringify(planned);
}

/**
 * The inputs of a run that applies `plan`: the plan's own, the secrets from where they are given, and
 * this run's consents. An input given again (flag, environment or config file) that differs from the
 * plan, or that the plan does not have, is refused: the plan is applied exactly, or a new one is made.
 */
export function planSources(plan: SavedPlan, given: Omit<InputSources, 'journal'>): Omit<InputSources, 'journal'> {
  const flags: Partial<Record<InputKey, unknown>> = {};
  // The rest of the environment still counts (XDG directories, the docker client's own variables).
  const env: Record<string, string | undefined> = { ...given.env };
  for (const key of inputKeys) {
    const spec = specOf(key);
    const fromEnv = spec.env === undefined ? undefined : given.env[spec.env];
    if (spec.secret === true || spec.perRun === true) {
      if (given.flags[key] !== undefined) flags[key] = given.flags[key];
      continue;
    }
    if (spec.env !== undefined) delete env[spec.env];
    const planned = plan.inputs[key];
    const offered = [
      [given.flags[key], spec.flag],
      [fromEnv === '' ? undefined : fromEnv, spec.env],
      [given.config[key], `${key} in the config file`],
    ] as const;
    for (const [value, where] of offered) {
      if (value === undefined || (planned !== undefined && sameValue(key, value, planned))) continue;
      throw new MigrateError(
        'USAGE',
        planned === undefined
          ? `${where} is given, but the plan was made without it`
          : `${where} says "${String(value)}", but the plan says "${String(planned)}"`,
        { hint: `Drop ${where} to apply the plan as made, or make a new plan with it: dtr-migrate plan --out <file>.` },
      );
    }
    if (planned !== undefined && !redetected.includes(key)) flags[key] = planned;
  }
  return { flags, env, config: {} };
}
