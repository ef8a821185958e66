/**
 * Step 3: copy the current storage to the new one and prove the copy whole: every source file present
 * with the same size, every blob's content matching its digest, every link pointing at a blob. The
 * copy is incremental, so a re-run after a crash only copies what is missing. The gate before the
 * destructive step verifies again (verifyCopy): what this step found is only where that check starts.
 */
import { z } from 'zod';
import { MigrateError } from '../errors.js';
import type { MigrationStep, StepContext } from './step.js';
import { formatBlobChecks, formatBytes, formatCount } from '../util/format.js';
import { pacedProgress } from '../storage/progress-text.js';
import type { LocationFlags, StorageLocation, StorageProblem, VerifySummary } from '../storage/types.js';
import type { StepData } from './step-data.js';
import { describeNewStorage, newStorage } from './common/bootstrapper.js';
import { checkSourceIsDtrs } from './common/source-check.js';

const problemSchema = z.object({ kind: z.string(), path: z.string(), detail: z.string().optional() });
const verifySummarySchema = z.object({
  ok: z.boolean(),
  filesChecked: z.number(),
  bytesChecked: z.number(),
  blobsHashed: z.number(),
  blobsTrusted: z.number().optional(),
  linksChecked: z.number(),
  durationMs: z.number(),
  problems: z.array(problemSchema),
  verifiedAt: z.string(),
});
export type StoredVerifySummary = z.infer<typeof verifySummarySchema>;

/** The verify summary saved in the journal, if there is one and it is well-formed (for the report). */
export function storedVerifySummary(saved: Record<string, unknown> | undefined): StoredVerifySummary | undefined {
  const parsed = verifySummarySchema.safeParse(saved?.['verify']);
  return parsed.success ? parsed.data : undefined;
}

const outputSchema = z.object({
  source: z.string(),
  target: z.string(),
  files: z.number(),
  bytes: z.number(),
  filesCopied: z.number(),
  bytesCopied: z.number(),
  durationMs: z.number(),
  /** How DTR is to be told about this copy (volume or NFS URL): the destructive step must name the same. */
  dtrStorage: z.string().optional(),
});
export type MigrateStorageOutput = z.infer<typeof outputSchema>;

const problemsKept = 50;

const location = (path: string): StorageLocation => ({ kind: 'path', path });

/** What the verify names without failing the copy: the gate asks consent for the second. */
function apartFacts(summary: VerifySummary): string[] {
  const inherited = summary.inherited?.length ?? 0;
  const extra = summary.extra?.length ?? 0;
  return [
    ...(inherited === 0 ? [] : [`${formatCount(inherited)} link(s) dangle in the old storage too (see the log)`]),
    ...(extra === 0 ? [] : [`${formatCount(extra)} file(s) only in the new storage (see the log)`]),
  ];
}

/** How `migrate` names the two locations in its messages. */
export const migrateStorageFlags: LocationFlags = { from: '--source-storage', to: '--target-storage' };

/**
 * The journaled verify summary, kept short: the first problems, and their count. A record for the report
 * and `status` only: the gate never trusts it, it verifies again (verifyCopy).
 */
export function storeSummary(summary: VerifySummary): StoredVerifySummary {
  return {
    ...summary,
    problems: summary.problems.slice(0, problemsKept).map((p) => ({ ...p })),
    verifiedAt: new Date().toISOString(),
  };
}

/**
 * Verifies the new storage against the old one, every problem in the log. The step's check and the gate
 * before the destructive step both call this: the gate never trusts an earlier verification, and the
 * ledger makes an unchanged target cost stats, not reads.
 */
export async function verifyCopy(ctx: StepContext, source: string, target: string): Promise<VerifySummary> {
  const summary = await ctx.storage.verify({
    from: location(source),
    to: location(target),
    flags: migrateStorageFlags,
    signal: ctx.signal,
    onProgress: pacedProgress(ctx.progress),
  });
  const detail = (p: StorageProblem): string => `${p.path}${p.detail === undefined ? '' : ` (${p.detail})`}`;
  for (const p of summary.problems) ctx.log(`verify: ${p.kind} ${detail(p)}`);
  for (const p of summary.inherited ?? []) ctx.log(`verify: dangles in the old storage too: ${detail(p)}`);
  for (const p of summary.extra ?? []) ctx.log(`verify: only in the new storage: ${p.path}`);
  return summary;
}

export const migrateStorageStep: MigrationStep<MigrateStorageOutput> = {
  id: 'migrate-storage',
  title: 'Copy the storage',
  purpose: 'Copy every file of the current storage to the new one, then check every file, blob digest and link there.',
  inputs: ['sourceStorage', 'targetStorage', 'targetVolume', 'targetNfsUrl', 'copyConcurrency', 'replicaId'],
  output: outputSchema,

  plan: (ctx) => [
    {
      kind: 'local',
      description: `copy ${ctx.inputs.sourceStorage ?? '<source-storage>'} → ${ctx.inputs.targetStorage ?? '<target-storage>'} (skip _uploads; temp name, then rename)`,
      why: 'the new storage must hold every blob the backup refers to',
    },
    {
      kind: 'check',
      description:
        'every source file in the target with the same size; every blob hashes to its digest; every link resolves',
    },
  ],

  async run(ctx) {
    // A copy of any other tree would verify clean and hand DTR an empty storage.
    ctx.log(await checkSourceIsDtrs(ctx, ctx.inputs.replicaId, ctx.inputs.sourceStorage));
    // copy() checks the locations, scans and checks free space itself before it writes anything.
    const copy = await ctx.storage.copy({
      from: location(ctx.inputs.sourceStorage),
      to: location(ctx.inputs.targetStorage),
      flags: migrateStorageFlags,
      concurrency: ctx.inputs.copyConcurrency,
      signal: ctx.signal,
      onProgress: pacedProgress(ctx.progress),
    });
    if (copy.problems.length > 0) {
      const first = copy.problems
        .slice(0, 3)
        .map((p) => `${p.kind} ${p.path}`)
        .join('; ');
      throw new MigrateError(
        'STORAGE_FAILED',
        `the copy found ${copy.problems.length} problem(s) in the source: ${first}`,
        {
          hint: 'See the log file for every path; a corrupt source blob must be repaired or removed from DTR before migrating.',
          details: copy.problems.map((p) => `${p.kind} ${p.path}${p.detail === undefined ? '' : `: ${p.detail}`}`),
        },
      );
    }
    ctx.log(
      `copied ${copy.filesCopied} of ${copy.files} files (${copy.bytesCopied} of ${copy.bytes} bytes) in ${copy.durationMs} ms`,
    );
    return {
      source: ctx.inputs.sourceStorage,
      target: ctx.inputs.targetStorage,
      files: copy.files,
      bytes: copy.bytes,
      filesCopied: copy.filesCopied,
      bytesCopied: copy.bytesCopied,
      durationMs: copy.durationMs,
      dtrStorage: describeNewStorage(newStorage(ctx.inputs)),
    };
  },

  async verify(ctx, output) {
    const summary = await verifyCopy(ctx, output.source, output.target);
    await ctx.checkpoint({ verify: storeSummary(summary) });
    if (!summary.ok) {
      const first = summary.problems
        .slice(0, 3)
        .map((p) => `${p.kind} ${p.path}`)
        .join('; ');
      return {
        ok: false,
        reason: `${summary.problems.length} problem(s) in the new storage: ${first}`,
        hint: 'Run `dtr-migrate migrate` again to copy what is missing; every problem is listed in the log file.',
      };
    }
    return {
      ok: true,
      facts: [
        `${formatCount(output.files)} files, ${formatBytes(output.bytes)} in the new storage (${formatCount(output.filesCopied)} copied by this run)`,
        `${formatBlobChecks(summary, '`dtr-migrate storage verify --rehash`')} and ${formatCount(summary.linksChecked)} links checked: no problem`,
        ...apartFacts(summary),
      ],
      data: {
        copy: {
          source: output.source,
          target: output.target,
          files: output.files,
          bytes: output.bytes,
          filesCopied: output.filesCopied,
          bytesCopied: output.bytesCopied,
          durationMs: output.durationMs,
        },
        verification: {
          filesChecked: summary.filesChecked,
          bytesChecked: summary.bytesChecked,
          blobsHashed: summary.blobsHashed,
          blobsTrusted: summary.blobsTrusted ?? 0,
          linksChecked: summary.linksChecked,
          problems: summary.problems.length,
        },
      } satisfies StepData,
    };
  },
};
