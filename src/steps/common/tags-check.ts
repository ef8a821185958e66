/**
 * After DTR runs on the new storage: is every tag of the inventory taken before the change still
 * there, with the same digest, and can its manifests and blobs be pulled? Used by the checks of
 * restore and reconfigure.
 */
import { connectionOf } from '../../config/connection.js';
import type { StepContext, Verification } from '../step.js';
import { gatherEvidence } from '../../inventory/evidence.js';
import type { BackupOutput } from '../03-backup.js';
import { acceptedMissingKey } from './storage-evidence.js';

export async function tagsKept(ctx: StepContext): Promise<Verification> {
  const backup = ctx.outputOf<BackupOutput>('backup');
  if (backup === undefined)
    return {
      ok: false,
      reason: 'there is no inventory from before the change',
      hint: 'Run `dtr-migrate status` to see which step is missing.',
    };
  const evidence = await gatherEvidence({
    api: ctx.api,
    connection: connectionOf(ctx.inputs),
    before: await ctx.files.readInventory(backup.inventoryFile),
    pullCheck: ctx.inputs.pullCheck,
    notPullable: new Set((ctx.saved()?.[acceptedMissingKey] as string[] | undefined) ?? []),
    signal: ctx.signal,
    progress: (text) => ctx.progress(text),
  });
  for (const problem of evidence.problems) ctx.log(problem);
  if (!evidence.ok) {
    return {
      ok: false,
      reason: `${evidence.summary}: ${evidence.problems.slice(0, 3).join('; ')}`,
      hint: `Every problem is listed in the log file; the backup ${backup.file} still holds the tags.`,
    };
  }
  return { ok: true, facts: [evidence.summary] };
}
