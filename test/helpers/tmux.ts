/**
 * Drives the real CLI in a real terminal, as an operator would: a detached tmux server on a private
 * socket (`tmux -L <unique>`, so neither the user's tmux nor another test is touched), a fixed size, a
 * plain bash, keys typed with send-keys, and the screen read back with capture-pane. Waits poll the
 * screen until the text appears or a timeout passes, never sleep a fixed time. `close()` always kills
 * the server; call it in afterEach.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { cleanEnv, cliPath, repoRoot } from './cli.js';

const exec = promisify(execFile);
/** bash's own prompt (it ignores a PS1 from the environment): "bash-5.2$ ", or "#" as root. */
const shellPrompt = /[$#]\s*$/;

export interface TmuxOptions {
  /** @default 100 */
  readonly columns?: number;
  /** @default 40 */
  readonly rows?: number;
  /** Added to the cleaned environment (CI, DTR_* and UCP_* removed, NO_COLOR=1 unless set to undefined). */
  readonly env?: Record<string, string | undefined>;
}

export interface WaitOptions {
  /** @default 30_000 (generous: CI machines can be slow, and a wait ends as soon as the text shows) */
  readonly timeoutMs?: number;
  /** Read the screen with its colour escape codes. */
  readonly escapes?: boolean;
}

/** Single-quoted for bash. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line that runs the CLI and then prints its exit code as `EXIT=<n>`. */
export function cliCommand(args: readonly string[], redirect = ''): string {
  return `${[process.execPath, cliPath, ...args].map(shellQuote).join(' ')}${redirect === '' ? '' : ` ${redirect}`}; echo EXIT=$?`;
}

export class Tmux {
  private constructor(
    private readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
    private pane: string,
  ) {}

  static async start(options: TmuxOptions = {}): Promise<Tmux> {
    const socket = `dtr-migrate-test-${process.pid}-${randomBytes(4).toString('hex')}`;
    const env = cleanEnv({ TMUX: undefined, TMUX_PANE: undefined, HISTFILE: '/dev/null', ...options.env });
    const size = ['-x', String(options.columns ?? 100), '-y', String(options.rows ?? 40)];
    // The first command starts the server, which keeps this environment for every window it opens.
    const { stdout } = await exec(
      'tmux',
      [
        '-L',
        socket,
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        ...size,
        '-c',
        repoRoot,
        '-P',
        '-F',
        '#{pane_id}',
        'bash --norc --noprofile',
      ],
      { env },
    );
    const tmux = new Tmux(socket, env, stdout.trim());
    await tmux.waitFor(shellPrompt, { timeoutMs: 5_000 });
    return tmux;
  }

  private tmux(args: readonly string[]): Promise<{ stdout: string }> {
    return exec('tmux', ['-L', this.socket, ...args], { env: this.env, maxBuffer: 16 * 1024 * 1024 });
  }

  /** Opens a new window with a fresh shell; keys and captures go to it from now on. */
  async newWindow(): Promise<void> {
    const { stdout } = await this.tmux([
      'new-window',
      '-c',
      repoRoot,
      '-P',
      '-F',
      '#{pane_id}',
      'bash --norc --noprofile',
    ]);
    this.pane = stdout.trim();
    await this.waitFor(shellPrompt, { timeoutMs: 5_000 });
  }

  /** Types text literally (no key names). */
  async type(text: string): Promise<void> {
    await this.tmux(['send-keys', '-t', this.pane, '-l', text]);
  }

  /** Presses keys by name: Enter, C-c, Down... */
  async press(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', this.pane, ...keys]);
  }

  async run(command: string): Promise<void> {
    await this.type(command);
    await this.press('Enter');
  }

  /** The whole pane with its history, wrapped lines joined, trailing blanks removed. */
  async screen(options: { escapes?: boolean } = {}): Promise<string> {
    const { stdout } = await this.tmux([
      'capture-pane',
      '-p',
      '-J',
      ...(options.escapes === true ? ['-e'] : []),
      '-S',
      '-',
      '-t',
      this.pane,
    ]);
    return stdout
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .trimEnd();
  }

  /** Polls the screen until `pattern` appears; returns the match. Fails with the screen on timeout. */
  async waitFor(pattern: string | RegExp, options: WaitOptions = {}): Promise<RegExpMatchArray> {
    const regex = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const screen = await this.screen({ escapes: options.escapes === true });
      const match = regex.exec(screen);
      if (match !== null) return match;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(regex)} on the screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits for the `EXIT=<n>` that cliCommand prints, and returns n. */
  async exitCode(options: WaitOptions = {}): Promise<number> {
    const match = await this.waitFor(/^EXIT=(\d+)$/m, { timeoutMs: 45_000, ...options });
    return Number(match[1]);
  }

  /**
   * Ctrl-C first, so a CLI still running (a test that failed half-way) stops the way it should and
   * removes its temporary directory; then the server goes, whatever happened.
   */
  async close(): Promise<void> {
    try {
      await this.press('C-c');
      await this.waitFor(shellPrompt, { timeoutMs: 3_000 });
    } catch {
      // Nothing to wait for: the server is killed below either way.
    } finally {
      await this.tmux(['kill-server']).catch(() => undefined);
    }
  }
}
