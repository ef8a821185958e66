/**
 * Read-only mode around a long copy (DTR 2.6.4+): pushes and deletes fail, pulls work, so the storage
 * stays still while it is copied [doc]. At the end the mode is put back to what the operator had,
 * which the first step recorded.
 */
import { z } from 'zod';
import { apiPaths } from '../dtr/facts.js';
import type { MigrationStep, StepContext } from './step.js';
import type { StepData } from './step-data.js';
import { readOnlyMismatch, readOnlyPutBack } from './common/live-checks.js';

const outputSchema = z.object({ readOnly: z.boolean() });
type Output = z.infer<typeof outputSchema>;

/** What read-only mode was before the migration (saved by disable-gc), false when unknown. */
function readOnlyBefore(ctx: StepContext): boolean {
  return ctx.outputOf<{ readOnlyBefore?: boolean }>('disable-gc')?.readOnlyBefore === true;
}

async function setAndCheck(ctx: StepContext, wanted: boolean): Promise<Output> {
  await ctx.api.setReadOnly(wanted);
  return { readOnly: wanted };
}

export const readOnlyStep: MigrationStep<Output> = {
  id: 'read-only',
  title: 'Make the registry read-only',
  purpose: 'Stop pushes and deletes (pulls keep working) so the storage does not change while it is copied.',
  inputs: [],
  output: outputSchema,
  plan: () => [
    {
      kind: 'http',
      method: 'POST',
      path: apiPaths.settings,
      body: { readOnlyRegistry: true },
      why: 'read-only mode on (202 Accepted)',
    },
    {
      kind: 'check',
      description: `GET ${apiPaths.settings}: readOnlyRegistry is true; GET ${apiPaths.clusterStatus}: every replica read-only`,
    },
  ],
  run: (ctx) => setAndCheck(ctx, true),
  async verify(ctx) {
    const off = await readOnlyMismatch(ctx.api, true);
    return off === undefined
      ? {
          ok: true,
          facts: ['readOnlyRegistry is true on every replica: pushes and deletes are refused, pulls work'],
          data: { readOnly: true } satisfies StepData,
        }
      : {
          ok: false,
          reason: `read-only mode is not on everywhere: ${off}`,
          hint: "Check DTR's settings and replicas (System > Status), then run `dtr-migrate migrate` again.",
        };
  },
};

export const readWriteStep: MigrationStep<Output> = {
  id: 'read-write',
  title: 'Turn read-only mode back off',
  purpose: 'Put read-only mode back as it was before the migration, so pushes work again.',
  inputs: [],
  output: outputSchema,
  plan: () => [
    {
      kind: 'http',
      method: 'POST',
      path: apiPaths.settings,
      body: { readOnlyRegistry: false },
      why: 'read-only mode back as it was before (off unless it was on)',
    },
    {
      kind: 'check',
      description: `GET ${apiPaths.settings} and ${apiPaths.clusterStatus}: read-only mode as before the migration, on every replica`,
    },
  ],
  run: (ctx) => setAndCheck(ctx, readOnlyBefore(ctx)),
  verify: (ctx, output) =>
    readOnlyPutBack(
      ctx.api,
      output.readOnly,
      'dtr-migrate migrate',
      output.readOnly
        ? 'read-only mode left on, as it was before the migration'
        : 'readOnlyRegistry is false on every replica: pushes work again',
    ),
};
