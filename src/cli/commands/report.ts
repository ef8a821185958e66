/**
 * `dtr-migrate report`: writes `<state-dir>/report.html` again from the journal and the inventories
 * (src/report), without contacting DTR: after a migration, for an auditor, or from a copied state directory.
 */
import { MigrateError } from '../../errors.js';
import { writeReport } from '../../report/write.js';
import type { CliContext } from '../context.js';
import { reportFailure } from '../errors-out.js';
import { located, makeIo } from '../sources.js';
import { toolVersion } from '../version.js';

export async function reportCommand(ctx: CliContext): Promise<number> {
  let stateDir: string | undefined;
  const io = makeIo(ctx);
  try {
    stateDir = (await located(ctx, io)).stateDir;
    io.close();
    const file = await writeReport(stateDir, toolVersion);
    if (file === undefined)
      throw new MigrateError('USAGE', `there is no migration to report on in ${stateDir} (no journal.json)`, {
        hint: 'Pass --state-dir <dir>: the directory of the migration (it holds journal.json).',
      });
    const text = `Report written: ${file}`;
    if (ctx.json) ctx.events.result(true, 0, text, { report: file, stateDir });
    else ctx.stdout.write(`${text}\n`);
    return 0;
  } catch (error) {
    io.close();
    return reportFailure(ctx, error, () => (stateDir === undefined ? {} : { stateDir }));
  }
}
