/**
 * Colours and symbols for the terminal. Colour is on only when the stream is a terminal and neither
 * NO_COLOR, TERM=dumb nor --no-color says otherwise; without it no escape code is ever written.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Style {
  readonly color: boolean;
  readonly chalk: ChalkInstance;
  readonly ok: string;
  readonly fail: string;
  readonly warn: string;
  readonly next: string;
  readonly locked: string;
  readonly skip: string;
}

export function colorWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag || (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') || env['TERM'] === 'dumb') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

export function makeStyle(color: boolean): Style {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return {
    color,
    chalk,
    ok: chalk.green('✔'),
    fail: chalk.red('✖'),
    warn: chalk.yellow('!'),
    next: chalk.cyan('▸'),
    locked: chalk.dim('○'),
    skip: chalk.dim('↷'),
  };
}
