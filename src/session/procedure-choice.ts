/**
 * Which procedure this migration follows: the one already in its journal, else --procedure, else the
 * operator's choice in the wizard (only the ones safe on this version are offered), else best-practice
 * (in scripts, and with --yes, which takes the defaults rather than asking).
 */
import type { InputResolver } from '../config/resolve.js';
import { allowedProcedures, availability, procedures, type ProcedureId } from '../dtr/procedures.js';
import type { VersionInfo } from '../dtr/versions.js';
import { MigrateError } from '../errors.js';
import type { Io } from '../runner/io.js';

export async function chooseProcedure(
  io: Io,
  inputs: InputResolver,
  journaled: string | undefined,
  version: VersionInfo,
  takeDefault = false,
): Promise<ProcedureId> {
  const given = inputs.peek('procedure');
  if (journaled !== undefined && given !== undefined && given !== journaled) {
    throw new MigrateError(
      'JOURNAL_MISMATCH',
      `this migration is following the ${journaled} procedure; --procedure ${given} would mix two procedures`,
      {
        hint: `Drop --procedure to continue, or use another --state-dir for a new migration.`,
      },
    );
  }
  let chosen = (journaled ?? given) as ProcedureId | undefined;
  if (chosen === undefined && io.interactive && !takeDefault) {
    const allowed = allowedProcedures(version.family, version.version);
    chosen = (await io.ask({
      kind: 'select',
      key: 'procedure',
      message: `How should DTR ${version.version} switch storage?`,
      choices: allowed.map((id) => ({
        value: id,
        name: procedures[id].title,
        description: `Unavailable: ${procedures[id].downtime}. Risk: ${procedures[id].risk}.`,
      })),
    })) as ProcedureId;
  }
  chosen ??= 'best-practice';
  const allowed = availability(chosen, version.family, version.version);
  if (!allowed.ok) {
    throw new MigrateError('UNSUPPORTED_VERSION', `the ${chosen} procedure is refused: ${allowed.reason}`, {
      hint: `Instead: ${allowed.way}.`,
    });
  }
  return chosen;
}
