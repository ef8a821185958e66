/**
 * Where a migration keeps its state when --state-dir is not given: per user and per DTR,
 * `$XDG_STATE_HOME/dtr-migrate/<dtr-host>` (else `~/.local/state/dtr-migrate/<dtr-host>`). One
 * migration per DTR, wherever it is run from: a run from another folder finds the same journal and lock,
 * instead of starting a second migration of the same DTR beside the first.
 */
import { resolve } from 'node:path';
import { InputResolver, type InputSources } from '../config/resolve.js';
import { MigrateError } from '../errors.js';
import type { Io } from '../runner/io.js';
import { xdgBaseDir } from '../util/xdg.js';

type Sources = Omit<InputSources, 'journal'>;

/** The state directory of the DTR at `dtrUrl` (its host and port, as a file name). */
export function defaultStateDir(env: Readonly<Record<string, string | undefined>>, dtrUrl: string): string {
  const base = xdgBaseDir(env, 'XDG_STATE_HOME', '.local/state');
  if (base === undefined) {
    throw new MigrateError('STATE_DIR_UNUSABLE', 'no home directory to keep the state of the migration in', {
      hint: 'Pass --state-dir <dir> (it holds the journal, backups and logs).',
    });
  }
  return resolve(base, 'dtr-migrate', new URL(dtrUrl).host.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/**
 * The state directory of this command: --state-dir, else the DTR's default. The DTR URL comes from the
 * flags, environment or config file; the wizard asks for it first, and its answer joins the flags.
 */
export async function stateDirFor(
  sources: Sources,
  io: Io,
  explicit?: string,
): Promise<{ stateDir: string; sources: Sources }> {
  if (explicit !== undefined) return { stateDir: resolve(explicit), sources };
  const inputs = new InputResolver({ ...sources, journal: {} }, io);
  const given = inputs.peek('dtrUrl');
  if (given === undefined && !io.interactive) {
    throw new MigrateError('INPUT_REQUIRED', "the DTR URL is needed to find the state of this DTR's migration", {
      hint: 'Pass --dtr-url (or DTR_URL), or the --state-dir of the migration.',
    });
  }
  const dtrUrl = given ?? (await inputs.require('dtrUrl'));
  const withUrl = given === undefined ? { ...sources, flags: { ...sources.flags, dtrUrl } } : sources;
  return { stateDir: defaultStateDir(sources.env, dtrUrl), sources: withUrl };
}
