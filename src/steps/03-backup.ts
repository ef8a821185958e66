/**
 * Step 3: back up DTR's metadata with the bootstrapper. The tar streams from docker's stdout into
 * `<state-dir>/backup-<time>.tar.partial` (owner-only) and is renamed to its real name only once it is
 * whole: a readable tar with a clean end, laid out as DTR's backups are (`dtr-backup-v<version>/rethink/
 * <table>/...`) for the running version. Its size and sha256 go into the journal, and `restore` re-checks
 * them before anything is destroyed. DTR's address (settings' `dtrHost`) is recorded too: the restore
 * names it, and after a destroy there is no DTR left to ask.
 */
import { basename, join } from 'node:path';
import { z } from 'zod';
import { backupLayoutProblem, backupVersion } from '../backup/backup-layout.js';
import type { TarInspection } from '../backup/tar.js';
import { backupCommand } from '../docker/dtr-commands.js';
import { MigrateError } from '../errors.js';
import type { MigrationStep, StepContext } from './step.js';
import type { StepData } from './step-data.js';
import { formatBytes, formatCount } from '../util/format.js';
import { inventoryFileName, takeInventory } from '../inventory/tags.js';
import { bootstrapperInputs, bootstrapperTarget } from './common/bootstrapper.js';
import { readStorageBefore, storageBeforeSchema } from './common/old-storage.js';

const outputSchema = z.object({
  file: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  entries: z.number().int().nonnegative(),
  /** The version that took the backup, as its layout names it (checked to be the running one). */
  dtrVersion: z.string(),
  /** Settings' `dtrHost` when the backup was taken (absent in journals of earlier versions). */
  dtrHost: z.string().optional(),
  /** How DTR named its storage then, for a rollback onto it after a destroy (absent in earlier journals). */
  storageBefore: storageBeforeSchema.optional(),
  inventoryFile: z.string(),
  repositories: z.number().int().nonnegative(),
  tags: z.number().int().nonnegative(),
});
export type BackupOutput = z.infer<typeof outputSchema>;

const partialSuffix = '.partial';

/** Undefined when the tar is a whole backup of DTR `version`; otherwise what is wrong with it. */
function tarProblem(tar: TarInspection, version: string): string | undefined {
  return tar.ok ? backupLayoutProblem(tar.entries, version) : tar.reason;
}

function backupFileName(now: Date): string {
  return `backup-${now.toISOString().replace(/[:.]/g, '-')}.tar`;
}

/** Removes what a killed backup left behind; those files were never verified. */
async function removeStalePartials(ctx: StepContext): Promise<void> {
  for (const name of await ctx.files.list(ctx.stateDir)) {
    if (name.startsWith('backup-') && name.endsWith(partialSuffix))
      await ctx.files.remove(join(ctx.stateDir, name)).catch(() => undefined);
  }
}

export const backupStep: MigrationStep<BackupOutput> = {
  id: 'backup',
  title: 'Back up DTR metadata',
  purpose:
    "Save tags, repositories and settings with the bootstrapper's backup, so the restore can bring them back on the new storage.",
  inputs: bootstrapperInputs,
  output: outputSchema,

  plan: (ctx) => [
    {
      kind: 'http',
      method: 'GET',
      path: '/api/v0/repositories, then /api/v0/repositories/{ns}/{name}/tags',
      why: `record every tag and its digest in ${join(ctx.stateDir, inventoryFileName)}`,
    },
    {
      kind: 'docker',
      command: `${ctx.describeDocker(backupCommand(bootstrapperTarget(ctx.inputs, ctx.certificates)))} > ${join(ctx.stateDir, 'backup-<time>.tar')}`,
      why: 'stream the metadata backup to a file (written as .partial, renamed when whole)',
    },
    {
      kind: 'check',
      description: `exit code 0; a readable tar with a clean end, laid out as dtr-backup-v${ctx.inputs.dtrVersion ?? '<version>'}/rethink/<table>/...; size and sha256 recorded`,
    },
  ],

  async run(ctx) {
    await removeStalePartials(ctx);
    // The inventory is taken right before the backup, with GC off: it is what the backup must bring back.
    const inventory = await takeInventory(ctx.api, {
      signal: ctx.signal,
      onProgress: (r, t) => ctx.progress(`inventory: ${formatCount(r)} repositories, ${formatCount(t)} tags`),
    });
    const inventoryFile = join(ctx.stateDir, inventoryFileName);
    await ctx.files.writeInventory(inventoryFile, inventory);
    const { dtrHost } = await ctx.api.getSettings();
    const storageBefore = await readStorageBefore(ctx);
    const target = bootstrapperTarget(ctx.inputs, ctx.certificates);
    const file = join(ctx.stateDir, backupFileName(new Date()));
    const partial = file + partialSuffix;
    // Created empty and owner-only first: docker's output then lands in a file nobody else can read.
    await ctx.files.createPrivate(partial);
    try {
      ctx.progress(`${target.repository}:${target.version} backup → ${basename(file)}`);
      await ctx.docker.run(backupCommand(target), { stdoutFile: partial, signal: ctx.signal, purpose: 'the backup' });
    } catch (error) {
      await ctx.files.remove(partial).catch(() => undefined);
      throw error;
    }
    const tar = await ctx.files.inspectTar(partial);
    const problem = tarProblem(tar, target.version);
    if (problem !== undefined) {
      await ctx.files.remove(partial).catch(() => undefined);
      throw new MigrateError(
        'BACKUP_INVALID',
        `the bootstrapper's backup exited 0, but its output is not a whole backup: ${problem}`,
        {
          hint: 'See the log file for the bootstrapper output; check --ucp-url and --replica-id, then run `dtr-migrate migrate` again.',
        },
      );
    }
    const sha256 = await ctx.files.sha256(partial);
    await ctx.files.rename(partial, file);
    return {
      file,
      bytes: await ctx.files.size(file),
      sha256,
      entries: tar.entries.length,
      dtrVersion: backupVersion(tar.entries) ?? target.version,
      ...(dtrHost === undefined || dtrHost === '' ? {} : { dtrHost }),
      ...(storageBefore === undefined ? {} : { storageBefore }),
      inventoryFile,
      repositories: inventory.repositories,
      tags: inventory.tags.length,
    };
  },

  async verify(ctx, output) {
    const problem = await ctx.files.backupProblem(output);
    if (problem !== undefined)
      return { ok: false, reason: problem, hint: 'Run `dtr-migrate migrate` again to take a new backup.' };
    const tarIssue = tarProblem(await ctx.files.inspectTar(output.file), output.dtrVersion);
    if (tarIssue !== undefined)
      return {
        ok: false,
        reason: `the backup is not a whole backup of DTR ${output.dtrVersion}: ${tarIssue}`,
        hint: 'Run `dtr-migrate migrate` again to take a new backup.',
      };
    return {
      ok: true,
      facts: [
        `${output.file}: ${formatBytes(output.bytes)}, ${output.entries} entries, sha256 ${output.sha256.slice(0, 16)}…, a whole backup of DTR ${output.dtrVersion}`,
        `inventory: ${formatCount(output.tags)} tags in ${formatCount(output.repositories)} repositories (${output.inventoryFile})`,
      ],
      data: {
        backup: {
          path: output.file,
          bytes: output.bytes,
          sha256: output.sha256,
          entries: output.entries,
          dtrVersion: output.dtrVersion,
        },
        inventory: { file: output.inventoryFile, repositories: output.repositories, tags: output.tags },
      } satisfies StepData,
    };
  },
};
