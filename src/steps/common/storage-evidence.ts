/**
 * The gate's look at both storages, made right before DTR is destroyed or reconfigured, never taken from
 * what an earlier step recorded: the old storage is DTR's and holds every tag of the inventory; the new
 * storage, verified again now, holds every source file with the same size and every blob matching its
 * digest (the verify ledger spares the reads of blobs unchanged since, never the check); nothing in the new
 * storage would be lost to blob GC unawares; every tag's manifest, config and layers are there.
 */
import { checkStorageHoldsTags, describeMissing, type StorageCheck } from '../../inventory/storage-manifests.js';
import type { InventoryEntry, TagInventory } from '../../inventory/tags.js';
import { MigrateError } from '../../errors.js';
import { formatBlobChecks, formatCount } from '../../util/format.js';
import type { StepContext } from '../step.js';
import { verifyCopy } from '../04-migrate-storage.js';
import { changeStarted, locked, lockedUntil } from './live-checks.js';
import { checkSourceIsDtrs } from './source-check.js';

/**
 * More than this share of the inventory missing from the old storage means it is not DTR's storage (a
 * wrong path, a stale copy), or that DTR lost most of its images already: no count of consent covers it.
 * [choice: a registry that lost one tag in a few is damaged; one that lost most is the wrong one]
 */
const mostlyMissing = 0.5;

/** Checkpoint key of restore and reconfigure: the tags the operator accepted as already lost. */
export const acceptedMissingKey = 'acceptedMissingTags';

const tagOf = (m: { readonly repository: string; readonly tag: string }): string => `${m.repository}:${m.tag}`;

/**
 * A consent for exactly `count` of something the gate found (`--accept-missing-tags 3`): a count that
 * differs was given for another state of the storage, and is refused like none.
 */
function requireCount(
  found: { count: number; given: number | undefined; flag: string; what: string },
  details: string[],
): void {
  if (found.count === 0 || found.given === found.count) return;
  throw new MigrateError('CONFIRMATION_REQUIRED', `${found.what}; nothing was changed`, {
    hint:
      found.given === undefined
        ? `If that is known and accepted, run again with ${found.flag} ${found.count} (every one is in the log file).`
        : `${found.flag} ${found.given} does not match the ${found.count} found now: check the log file, then pass ${found.flag} ${found.count}.`,
    details,
  });
}

/** The tags whose content the old storage lacks: refused when most, else named, and consented to by count. */
export async function oldStorageHolds(ctx: StepContext, what: string, inventory: TagInventory): Promise<Set<string>> {
  const source = ctx.inputs.sourceStorage;
  ctx.progress(`checking ${formatCount(inventory.tags.length)} tags' manifests and blobs in the old storage`);
  const check = await checkStorageHoldsTags(source, inventory.tags);
  const lines = check.missing.map((m) => `${tagOf(m)} lacks its ${m.role} ${m.missing}`);
  for (const line of lines) ctx.log(`already missing in the old storage: ${line}`);
  const broken = new Set(check.missing.map(tagOf));
  if (inventory.tags.length > 0 && broken.size > inventory.tags.length * mostlyMissing) {
    throw lockedUntil(
      what,
      `${source} lacks the content of ${formatCount(broken.size)} of the ${formatCount(inventory.tags.length)} tags DTR lists: it is not DTR's storage (or DTR lost most of its images before the migration)`,
      'Check --source-storage: it must be the directory where DTR serves images from, mounted here; every missing tag is in the log file.',
    );
  }
  requireCount(
    {
      count: broken.size,
      given: ctx.inputs.acceptMissingTags,
      flag: '--accept-missing-tags',
      what: `${broken.size} tag(s) of the inventory are already incomplete in the old storage, so the ${what} cannot bring them back whole: ${lines.slice(0, 5).join('; ')}${lines.length > 5 ? '; …' : ''}`,
    },
    lines,
  );
  if (broken.size > 0) await ctx.checkpoint({ [acceptedMissingKey]: [...broken] });
  return broken;
}

/** Every tag not already broken in the old storage must be servable from the new one. */
async function newStorageHolds(ctx: StepContext, what: string, tags: readonly InventoryEntry[]): Promise<StorageCheck> {
  ctx.progress(`checking ${formatCount(tags.length)} tags' manifests and blobs in the new storage`);
  const check = await checkStorageHoldsTags(ctx.inputs.targetStorage, tags);
  if (check.ok) return check;
  for (const m of check.missing)
    ctx.log(`missing in the new storage: ${tagOf(m)} ${m.manifest} lacks its ${m.role} ${m.missing}`);
  throw locked(what, describeMissing(check), 'migrate-storage');
}

/** Checks both storages as they are now; returns the lines the confirmation shows. */
export async function checkStorages(ctx: StepContext, what: string, inventory: TagInventory): Promise<string[]> {
  const { sourceStorage: source, targetStorage: target } = ctx.inputs;
  // After an unfinished destroy DTR serves nothing: which storage it served was checked before that.
  const sourceLine = changeStarted(ctx)
    ? `old storage ${source}: checked to be DTR's before the earlier, unfinished ${what}`
    : await checkSourceIsDtrs(ctx, ctx.inputs.replicaId, source);
  const broken = await oldStorageHolds(ctx, what, inventory);
  const verify = await verifyCopy(ctx, source, target);
  const checkedAt = new Date().toISOString();
  if (!verify.ok) {
    const first = verify.problems
      .slice(0, 3)
      .map((p) => `${p.kind} ${p.path}`)
      .join('; ');
    throw locked(
      what,
      `the new storage, checked again just now, has ${verify.problems.length} problem(s): ${first}`,
      'migrate-storage',
    );
  }
  const extra = verify.extra ?? [];
  requireCount(
    {
      count: extra.length,
      given: ctx.inputs.acceptForeignFiles,
      flag: '--accept-foreign-files',
      what: `the new storage holds ${extra.length} file(s) the old one lacks, and DTR's blob GC would delete the blobs among them: ${extra
        .slice(0, 5)
        .map((p) => p.path)
        .join('; ')}${extra.length > 5 ? '; …' : ''}`,
    },
    extra.map((p) => p.path),
  );
  const content = await newStorageHolds(
    ctx,
    what,
    inventory.tags.filter((t) => !broken.has(tagOf(t))),
  );
  return [
    `${sourceLine}; every tag's content present${broken.size > 0 ? ` but ${broken.size} already incomplete there, accepted with --accept-missing-tags ${broken.size}` : ''} (checked just now)`,
    `new storage ${target}: another storage than the old one; ${formatCount(verify.filesChecked)} files, ${formatBlobChecks(verify, '`dtr-migrate storage verify --rehash`')} checked, no problem${extra.length > 0 ? `; ${extra.length} file(s) only there, accepted with --accept-foreign-files ${extra.length}` : ''} (checked at ${checkedAt})`,
    `every tag's manifest, config and layers are in the new storage: ${formatCount(content.tagsChecked)} tags, ${formatCount(content.blobsChecked)} blobs checked`,
  ];
}
