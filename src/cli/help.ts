/**
 * What `--help` lists for each command: its own options, then the global options it reads, under the
 * heading of their group. Groups come from the input table (config/inputs.ts) and from the switches
 * below, and each command names the groups (and single options) it uses, so an input added to the table
 * with a group shows up in the help of every command that uses that group, without touching this file.
 *
 * The options stay global for parsing (`dtr-migrate --json migrate` and `dtr-migrate migrate --json`
 * both work); only their listing is per command.
 */
import { Help, Option, type Command } from 'commander';
import { inputGroups, inputKeys, optionName, specOf, type InputKey } from '../config/inputs.js';

export const helpGroups = [...inputGroups, 'session', 'output'] as const;
export type HelpGroup = (typeof helpGroups)[number];

export const groupHeadings: Record<HelpGroup, string> = {
  dtr: 'DTR (the token: DTR_TOKEN, or --password-stdin):',
  bootstrapper: 'Bootstrapper (docker/dtr run through docker against UCP; the password: UCP_PASSWORD):',
  storage: 'Storage (both mounted on this machine):',
  procedure: 'Procedure and checks:',
  patience: 'Patience (how long to wait):',
  consent: 'Consents (for this run only; never read from --config or the journal):',
  session: 'Inputs and state:',
  output: 'Output:',
};

/** Switches that are not inputs of a migration, each with its group. */
export const sharedSwitches = {
  passwordStdin: {
    flag: '--password-stdin',
    group: 'dtr',
    description: 'read the DTR token or password from stdin instead of DTR_TOKEN',
  },
  config: {
    flag: '--config <file>',
    group: 'session',
    description: 'JSON or YAML file with any of the inputs (camelCase keys; no secrets, no consents)',
  },
  stateDir: {
    flag: '--state-dir <dir>',
    group: 'session',
    description:
      'journal, backups and log file (default $XDG_STATE_HOME/dtr-migrate/<dtr-host>, else ~/.local/state/dtr-migrate/<dtr-host>)',
  },
  nonInteractive: {
    flag: '--non-interactive',
    group: 'session',
    description: 'never ask: every input must come from flags, environment or --config',
  },
  yes: {
    flag: '--yes',
    group: 'consent',
    description:
      'answer yes to confirmations and take the defaults (procedure best-practice, GC schedule put back); destroy also needs --confirm-destroy',
  },
  takeOverLock: {
    flag: '--take-over-lock',
    group: 'consent',
    description: 'take over the lock of a dtr-migrate run that no longer runs',
  },
  json: {
    flag: '--json',
    group: 'output',
    description: 'newline-delimited JSON events on stdout; the last line is the result',
  },
  color: { flag: '--no-color', group: 'output', description: 'no colours (also NO_COLOR=1)' },
  debug: { flag: '--debug', group: 'output', description: 'show stack traces and extra detail on errors' },
} as const satisfies Record<string, { flag: string; group: HelpGroup; description: string }>;

export type SwitchKey = keyof typeof sharedSwitches;

/** What a command reads of the global options: whole groups, and single options of other groups. */
export interface OptionUse {
  readonly groups?: readonly HelpGroup[];
  readonly options?: ReadonlyArray<InputKey | SwitchKey>;
}

/** Every global option, as commander names it, with its group: the inputs, then the switches. */
const globals: ReadonlyArray<{ readonly name: string; readonly key: InputKey | SwitchKey; readonly group: HelpGroup }> =
  [
    ...inputKeys.map((key) => ({ name: optionName(key), key, group: specOf(key).group as HelpGroup })),
    ...(Object.keys(sharedSwitches) as SwitchKey[]).map((key) => ({
      // `--no-color` is stored by commander as `color`.
      name: key,
      key,
      group: sharedSwitches[key].group as HelpGroup,
    })),
  ];

const uses = new WeakMap<Command, OptionUse>();

/** Declares which global options `command` reads, for its `--help`. */
export function usesOptions<C extends Command>(command: C, use: OptionUse): C {
  uses.set(command, use);
  return command;
}

export const everyGroup: OptionUse = { groups: helpGroups };

/** The global options `command` reads, in the order of their groups. */
export function usedGlobalOptions(command: Command): Option[] {
  const use = uses.get(command);
  const root = rootOf(command);
  if (use === undefined || root === command) return [];
  const picked = new Set(
    globals
      .filter((g) => use.groups?.includes(g.group) === true || use.options?.includes(g.key) === true)
      .map((g) => g.name),
  );
  const rank = (option: Option): number => helpGroups.findIndex((g) => groupHeadings[g] === option.helpGroupHeading);
  return root.options
    .filter((option) => !option.hidden && picked.has(option.attributeName()))
    .sort((a, b) => rank(a) - rank(b));
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return root;
}

/** The option for a global input or switch, under its group's heading. */
export function groupedOption(flags: string, description: string, group: HelpGroup): Option {
  return new Option(flags, description).helpGroup(groupHeadings[group]);
}

/**
 * Help that lists, after a command's own options, the global options it uses, grouped. Commander groups
 * the listed options by their heading (in the order the headings first appear).
 */
export const groupedHelp: Partial<Help> = {
  visibleOptions(this: Help, command: Command): Option[] {
    const own = Help.prototype.visibleOptions.call(this, command);
    // The top level lists commands; its fifty-odd global options are listed by the commands that read them.
    if (command.parent === null) return own.filter((option) => !headings.has(option.helpGroupHeading ?? ''));
    return [...own, ...usedGlobalOptions(command)];
  },
};

const headings = new Set<string>(Object.values(groupHeadings));

/** The command `names` lead to from `root` (`['storage', 'copy']`), or undefined. */
export function findCommand(root: Command, names: readonly string[]): Command | undefined {
  let command: Command | undefined = root;
  for (const name of names) command = command?.commands.find((c) => c.name() === name || c.aliases().includes(name));
  return command;
}
