/**
 * After DTR runs on the new storage: is every tag of the inventory taken before the change still
 * there, with the same digest, and can its manifests and blobs be pulled? Used by the checks of
 * restore and reconfigure.
 */
import { join } from 'node:path';
import { connectionOf } from '../../config/connection.js';
import type { StepContext, Verification } from '../step.js';
import { gatherEvidence } from '../../inventory/evidence.js';
import { inventoryAfterFileName } from '../../inventory/tags.js';
import type { BackupOutput } from '../03-backup.js';
import type { StepData } from '../step-data.js';
import { acceptedMissingKey } from './storage-evidence.js';

/** `afterFileName`: where the inventory taken now is kept (a rollback keeps its own beside the migration's). */
export async function tagsKept(ctx: StepContext, afterFileName = inventoryAfterFileName): Promise<Verification> {
  const backup = ctx.outputOf<BackupOutput>('backup');
  if (backup === undefined)
    return {
      ok: false,
      reason: 'there is no inventory from before the change',
      hint: 'Run `dtr-migrate status` to see which step is missing.',
    };
  const before = await ctx.files.readInventory(backup.inventoryFile);
  const evidence = await gatherEvidence({
    api: ctx.api,
    connection: connectionOf(ctx.inputs),
    before,
    pullCheck: ctx.inputs.pullCheck,
    notPullable: new Set((ctx.saved()?.[acceptedMissingKey] as string[] | undefined) ?? []),
    signal: ctx.signal,
    progress: (text) => ctx.progress(text),
  });
  // Kept whatever the verdict: the report sets it beside the inventory from before, repository by repository.
  const afterFile = join(ctx.stateDir, afterFileName);
  await ctx.files.writeInventory(afterFile, evidence.now);
  for (const problem of evidence.problems) ctx.log(problem);
  if (!evidence.ok) {
    return {
      ok: false,
      reason: `${evidence.summary}: ${evidence.problems.slice(0, 3).join('; ')}`,
      hint: `Every problem is listed in the log file; the backup ${backup.file} still holds the tags.`,
    };
  }
  const { comparison, pull } = evidence;
  const data: StepData = {
    tags: {
      before: before.tags.length,
      now: evidence.now.tags.length,
      missing: comparison?.missing.length ?? 0,
      changed: comparison?.changed.length ?? 0,
      afterFile,
    },
    ...(pull === undefined
      ? {}
      : {
          pullCheck: {
            mode: ctx.inputs.pullCheck,
            manifestsChecked: pull.manifestsChecked,
            blobsChecked: pull.blobsChecked,
            blobsFetched: pull.blobsFetched,
            problems: pull.problems.length,
          },
        }),
  };
  return { ok: true, facts: [evidence.summary], data };
}
