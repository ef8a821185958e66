/**
 * `dtr-migrate verify [--against <inventory.json>]`: the after-checks on their own, any day: every
 * tag of the inventory taken before the migration still there with the same digest, and every
 * manifest and blob pullable through /v2/. Exit 0 only when all holds.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { connectionOf } from '../../config/connection.js';
import { gatherEvidence } from '../../inventory/evidence.js';
import { inventoryFileName, readInventory } from '../../inventory/tags.js';
import { Session } from '../../session/session.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { located, makeIo } from '../sources.js';

async function defaultInventory(stateDir: string): Promise<string | undefined> {
  const file = join(stateDir, inventoryFileName);
  return access(file).then(
    () => file,
    () => undefined,
  );
}

export async function verifyCommand(ctx: CliContext, options: { against?: string }): Promise<number> {
  const io = makeIo(ctx);
  try {
    const { stateDir, sources } = await located(ctx, io);
    const session = { io, sources, stateDir, yes: false, changes: false, signal: ctx.signal };
    return await Session.with(session, async (opened) => {
      const { inputs } = opened;
      inputs.checkGiven();
      const client = await opened.client();
      await inputs.require('pullCheck');
      const resolved = inputs.snapshot();
      const againstFile = options.against ?? (await defaultInventory(stateDir));
      const before = againstFile === undefined ? undefined : await readInventory(againstFile);
      const evidence = await gatherEvidence({
        api: client,
        connection: connectionOf(resolved),
        before,
        pullCheck: resolved.pullCheck,
        signal: ctx.signal,
      });
      io.close();
      const exitCode = evidence.ok ? 0 : 1;
      if (ctx.json) {
        ctx.events.result(evidence.ok, exitCode, evidence.summary, {
          summary: evidence.summary,
          against: againstFile ?? null,
          tags: evidence.now.tags.length,
          repositories: evidence.now.repositories,
          pull: evidence.pull ?? null,
          problems: evidence.problems,
        });
      } else {
        const lines = [`${evidence.ok ? ctx.style.ok : ctx.style.fail} ${evidence.summary}`];
        if (againstFile === undefined)
          lines.push(
            ctx.style.chalk.dim(
              '  (no inventory to compare with: pass --against <inventory.json> to check that nothing was lost)',
            ),
          );
        lines.push(...evidence.problems.slice(0, 50).map((p) => `  ${p}`));
        if (evidence.problems.length > 50)
          lines.push(`  … and ${evidence.problems.length - 50} more (--json lists every one)`);
        ctx.stdout.write(`${lines.join('\n')}\n`);
      }
      return exitCode;
    });
  } catch (error) {
    io.close();
    return reportFailure(ctx, error);
  }
}
