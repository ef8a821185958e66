/**
 * The user's XDG base directories (cache, state): the variable when it holds an absolute path, else the
 * fallback below the home directory. As the XDG spec says, an empty or relative value is ignored.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

const absolute = (path: string | undefined): string | undefined =>
  path !== undefined && isAbsolute(path) ? path : undefined;

/** `$XDG_STATE_HOME`, or `~/.local/state`: undefined when neither can be had (no HOME, no passwd entry). */
export function xdgBaseDir(
  env: Readonly<Record<string, string | undefined>>,
  variable: 'XDG_CACHE_HOME' | 'XDG_STATE_HOME',
  belowHome: string,
): string | undefined {
  const set = absolute(env[variable]);
  if (set !== undefined) return set;
  let home = absolute(env['HOME']);
  try {
    home ??= absolute(homedir());
  } catch {
    // No HOME and no passwd entry: no such directory either.
  }
  return home === undefined ? undefined : join(home, belowHome);
}
