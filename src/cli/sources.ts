/**
 * Gathers the raw inputs of a command: flags (unset stays undefined), environment, the --config file
 * and the token from stdin with --password-stdin. Validation happens later, in one place (resolve.ts).
 */
import { inputKeys, optionName, specOf, type InputKey } from '../config/inputs.js';
import { loadConfigFile } from '../config/load.js';
import type { InputSources } from '../config/resolve.js';
import { MigrateError } from '../errors.js';
import { stateDirFor } from '../session/state-location.js';
import type { Io } from '../runner/io.js';
import type { CliContext } from './context.js';
import { StreamIo } from './stream-io.js';
import { TerminalIo } from './terminal-io.js';

async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function cliSources(ctx: CliContext): Promise<Omit<InputSources, 'journal'>> {
  const flags: Partial<Record<InputKey, unknown>> = {};
  for (const key of inputKeys) {
    if (specOf(key).secret === true) continue;
    const value = ctx.globals[optionName(key)];
    if (value !== undefined) flags[key] = value;
  }
  if (ctx.globals['passwordStdin'] === true) {
    if (ctx.stdin.isTTY === true) {
      throw new MigrateError('USAGE', '--password-stdin expects the token on standard input, not a terminal', {
        hint: 'Pipe it in: printf %s "$TOKEN" | dtr-migrate ... --password-stdin',
      });
    }
    const token = await readStdin(ctx.stdin);
    if (token === '')
      throw new MigrateError('USAGE', '--password-stdin was given but standard input was empty', {
        hint: 'Pipe the DTR token in, or set DTR_TOKEN.',
      });
    flags.dtrToken = token;
  }
  const configFile = ctx.globals['config'] as string | undefined;
  const config = configFile === undefined ? {} : await loadConfigFile(configFile);
  return { flags, env: ctx.env, config };
}

/**
 * The command's inputs and its state directory: --state-dir, else the one of the DTR they name
 * (session/state-location.ts; the wizard asks for the DTR URL first).
 */
export async function located(
  ctx: CliContext,
  io: Io,
  sources?: Omit<InputSources, 'journal'>,
): Promise<{ stateDir: string; sources: Omit<InputSources, 'journal'> }> {
  return stateDirFor(sources ?? (await cliSources(ctx)), io, ctx.globals['stateDir'] as string | undefined);
}

/** Interactive only when a person is there: both ends are terminals, no CI, no --non-interactive or --json. */
export function isInteractive(ctx: CliContext): boolean {
  return (
    ctx.stdin.isTTY === true &&
    ctx.stdout.isTTY === true &&
    ctx.env['CI'] === undefined &&
    ctx.globals['nonInteractive'] !== true &&
    !ctx.json &&
    ctx.globals['passwordStdin'] !== true
  );
}

export function makeIo(ctx: CliContext): Io & { close(): void } {
  if (ctx.json || ctx.stderr.isTTY !== true)
    return new StreamIo(ctx.style, ctx.json ? ctx.events : undefined, ctx.stderr);
  return new TerminalIo(ctx.style, isInteractive(ctx), ctx.stderr);
}
