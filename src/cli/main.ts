/**
 * Entry point of the CLI: parses argv, runs one command, prints errors once, returns the exit code.
 * Only bin/ sets process.exitCode; nothing here calls process.exit.
 */
import { CommanderError, type Command } from 'commander';
import type { ProcessLauncher } from '../docker/docker.js';
import { ExitCode, MigrateError, isMigrateError, stopSignals, type StopSignal } from '../errors.js';
import type { CliContext } from './context.js';
import { reportFailure } from './errors-out.js';
import { JsonEvents } from './json-events.js';
import { buildProgram } from './program.js';
import { colorWanted, makeStyle } from './style.js';

// Commands are loaded when run: each pulls in its own part of the tool (undici, inquirer, the mock DTR,
// the storage engine), and `--help`, `--version` or `completion` need none of them.
const commands = {
  migrate: () => import('./commands/migrate.js'),
  status: () => import('./commands/status.js'),
  rehearse: () => import('./commands/rehearse.js'),
  mockDtr: () => import('./commands/mock-dtr.js'),
  storage: () => import('./commands/storage.js'),
  verify: () => import('./commands/verify.js'),
  report: () => import('./commands/report.js'),
  rollback: () => import('./commands/rollback.js'),
};

export interface MainDeps {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Starts docker processes (default: runProcess). Tests that run the CLI in their own process answer
   * the mock's docker stand-in in that process too (test/helpers/cli-in-process.ts).
   */
  readonly launchDocker?: ProcessLauncher;
}

export async function main(argv: readonly string[], deps: MainDeps): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const controller = new AbortController();
  let interrupts = 0;
  // SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed) stop a run as Ctrl-C does: at the
  // next safe point, journal consistent, lock released. The abort's reason names the signal, for the exit code.
  const onSignal = (signal: StopSignal): void => {
    interrupts += 1;
    // The first stops cleanly at the next safe point. A second: the operator means it.
    if (interrupts === 1) controller.abort(signal);
    else process.kill(process.pid, 'SIGKILL');
  };
  const signals = Object.keys(stopSignals) as StopSignal[];
  for (const signal of signals) process.on(signal, onSignal);

  const contextFor = (globals: Record<string, unknown>): CliContext => {
    const json = globals['json'] === true;
    // Both streams must be terminals: `dtr-migrate status > file` from a terminal gets no escape codes.
    const color =
      !json &&
      colorWanted(deps.stderr, deps.env, globals['color'] === false) &&
      colorWanted(deps.stdout, deps.env, globals['color'] === false);
    return {
      ...deps,
      globals,
      json,
      events: new JsonEvents(deps.stdout),
      debug: globals['debug'] === true,
      style: makeStyle(color),
      signal: controller.signal,
    };
  };
  let context: CliContext = contextFor({});
  const program = buildProgram(
    {
      migrate: async (o) => (await commands.migrate()).migrateCommand(context, o),
      status: async () => (await commands.status()).statusCommand(context),
      rehearse: async (o) => (await commands.rehearse()).rehearseCommand(context, o),
      mockDtr: async (o) => (await commands.mockDtr()).mockDtrCommand(context, o),
      storage: async (action, o) => (await commands.storage()).storageCommand(context, action, o),
      verify: async (o) => (await commands.verify()).verifyCommand(context, o),
      report: async () => (await commands.report()).reportCommand(context),
      rollback: async (o) => (await commands.rollback()).rollbackCommand(context, o),
      completion: async (script) => {
        deps.stdout.write(script);
        return ExitCode.ok;
      },
    },
    (code) => {
      exitCode = code;
    },
  );
  program.exitOverride();
  // Every command, not only the top: each took the output settings when it was made, and prints its own help
  // and usage errors (to deps, not to this process's own streams, when the CLI runs inside a test).
  const output = {
    writeOut: (text: string) => deps.stdout.write(text),
    writeErr: (text: string) => deps.stderr.write(text),
  };
  for (const command of everyCommand(program)) command.configureOutput(output);
  program.hook('preAction', (_root, action) => {
    context = contextFor(action.optsWithGlobals());
    // Every --json stream opens the same way; a completion script or a help text is not a stream.
    if (context.json && !['completion', 'help'].includes(action.name())) context.events.start(commandPath(action));
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with exit code 0; usage mistakes were already printed by commander.
      exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    } else {
      exitCode = await reportFailure(context, isMigrateError(error) ? error : internal(error));
    }
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
  return exitCode;
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

/** `migrate`, or `storage copy` for a subcommand. */
function commandPath(action: Command): string {
  const names: string[] = [];
  for (let command: Command | null = action; command?.parent != null; command = command.parent)
    names.unshift(command.name());
  return names.join(' ');
}

function internal(error: unknown): MigrateError {
  return new MigrateError(
    'STEP_FAILED',
    `unexpected internal error: ${error instanceof Error ? error.message : String(error)}`,
    {
      hint: 'This is a bug in dtr-migrate: run again with --debug and report the output. The journal is intact; the same command resumes.',
      cause: error,
    },
  );
}
