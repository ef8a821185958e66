/**
 * After DTR runs on the new storage: is every tag of the inventory taken before the change still
 * there, with the same digest? Used by the checks of restore and reconfigure.
 */
import type { StepContext, Verification } from '../engine/step.js';
import { formatCount } from '../format.js';
import { compareInventories, describeComparison, readInventory, takeInventory } from '../inventory/tags.js';
import type { BackupOutput } from './02-backup.js';

export async function tagsKept(ctx: StepContext): Promise<Verification> {
  const backup = ctx.outputOf<BackupOutput>('backup');
  if (backup === undefined) return { ok: false, reason: 'there is no inventory from before the change', hint: 'Run `dtr-migrate status` to see which step is missing.' };
  const before = await readInventory(backup.inventoryFile);
  const after = await takeInventory(ctx.api, { signal: ctx.signal, onProgress: (r, t) => ctx.progress(`inventory after: ${formatCount(r)} repositories, ${formatCount(t)} tags`) });
  const comparison = compareInventories(before, after);
  if (!comparison.ok) {
    for (const e of comparison.missing) ctx.log(`lost: ${e.repository}:${e.tag} ${e.digest}`);
    for (const e of comparison.changed) ctx.log(`changed: ${e.repository}:${e.tag} ${e.digest} -> ${e.now}`);
    return { ok: false, reason: describeComparison(comparison), hint: `Every lost tag is listed in the log file; the backup ${backup.file} still holds them.` };
  }
  return { ok: true, facts: [`${formatCount(before.tags.length)} tags in ${formatCount(before.repositories)} repositories: all present, same digests`] };
}
