/**
 * Every command's --help, read in-process from commander's helpInformation(): it lists its own options
 * and every global option it reads, each under the heading of its group (from the input table), with an
 * example; `help storage copy` prints that subcommand's help through main().
 */
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { inputKeys, specOf } from '../../../src/config/inputs.js';
import { groupHeadings, sharedSwitches, usedGlobalOptions } from '../../../src/cli/help.js';
import { buildProgram, type CommandHandlers } from '../../../src/cli/program.js';
import { mainInProcess } from '../../helpers/main-in-process.js';

const never = async (): Promise<number> => {
  throw new Error('help must not run a command');
};
const handlers: CommandHandlers = {
  migrate: never,
  status: never,
  rehearse: never,
  mockDtr: never,
  storage: never,
  verify: never,
  report: never,
  rollback: never,
  completion: never,
};

function program(): Command {
  return buildProgram(handlers, () => undefined);
}

function commandsUnder(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((sub) => {
    const here = [...path, sub.name()];
    return [{ path: here.join(' '), command: sub }, ...commandsUnder(sub, here)];
  });
}

/** The heading each listed flag appears under, from the help text as printed. */
function sectionsOf(help: string): Map<string, string> {
  const found = new Map<string, string>();
  let heading = '';
  for (const line of help.split('\n')) {
    if (/^\S.*:$/.test(line)) heading = line;
    const flag = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line)?.[1];
    if (flag !== undefined) found.set(flag, heading);
  }
  return found;
}

const longOf = (option: Option): string => option.long ?? option.flags;
const nonSecretFlags = inputKeys.filter((key) => specOf(key).secret !== true).map((key) => specOf(key).flag);
const switchFlags = Object.values(sharedSwitches).map((s) => s.flag.split(' ')[0] ?? s.flag);

describe('--help of every command', () => {
  const root = program();
  const all = commandsUnder(root);

  it('walks every command there is', () => {
    expect(all.map((c) => c.path)).toEqual(
      expect.arrayContaining(['migrate', 'plan', 'status', 'verify', 'rehearse', 'storage copy', 'storage verify']),
    );
  });

  it.each(all.map((c) => [c.path, c.command] as const))(
    '%s lists its own options and those it reads, grouped',
    (_, command) => {
      const help = command.helpInformation();
      const sections = sectionsOf(help);
      for (const option of command.options.filter((o) => !o.hidden)) expect(sections.has(longOf(option))).toBe(true);
      for (const option of usedGlobalOptions(command)) {
        // Under the heading of its group, as the input table (or the switch table) names it.
        expect(sections.get(longOf(option))).toBe(option.helpGroupHeading);
      }
      // Every flag listed is one the command accepts: its own or a global one.
      for (const flag of sections.keys())
        expect([...command.options, ...root.options].some((o) => o.long === flag) || flag === '--help').toBe(true);
    },
  );

  it.each(all.filter((c) => c.path !== 'storage').map((c) => [c.path, c.command] as const))(
    '%s shows an example',
    (_, command) => {
      expect(command.helpInformation() + helpAfter(command)).toMatch(/\$ .*(dtr-migrate|source)/);
    },
  );

  it('each input is listed under its group by the commands that read that group', () => {
    const migrate = sectionsOf(helpText(root, 'migrate'));
    for (const key of inputKeys) {
      const spec = specOf(key);
      if (spec.secret === true) continue;
      expect(migrate.get(spec.flag)).toBe(groupHeadings[spec.group]);
    }
    for (const { flag, group } of Object.values(sharedSwitches))
      expect(migrate.get(flag.split(' ')[0] ?? flag)).toBe(groupHeadings[group]);
  });

  it('migrate lists every input and switch; plan all but the consents of a run', () => {
    const migrate = sectionsOf(helpText(root, 'migrate'));
    expect([...nonSecretFlags, ...switchFlags, '--dry-run'].filter((f) => !migrate.has(f))).toEqual([]);
    const plan = sectionsOf(helpText(root, 'plan'));
    expect(plan.has('--source-storage') && plan.has('--ucp-url') && plan.has('--job-timeout')).toBe(true);
    expect(plan.has('--confirm-destroy')).toBe(false);
  });

  it('verify shows --pull-check, rehearse --yes and --json, storage copy no DTR option', () => {
    const verify = sectionsOf(helpText(root, 'verify'));
    expect(verify.get('--pull-check')).toBe(groupHeadings.procedure);
    expect(verify.get('--dtr-url')).toBe(groupHeadings.dtr);
    expect(verify.has('--source-storage')).toBe(false);
    const rehearse = sectionsOf(helpText(root, 'rehearse'));
    expect(rehearse.get('--yes')).toBe(groupHeadings.consent);
    expect(rehearse.get('--json')).toBe(groupHeadings.output);
    expect(rehearse.has('--dtr-url')).toBe(false);
    const copy = sectionsOf(helpText(root, 'storage', 'copy'));
    expect(copy.has('--from') && copy.has('--json')).toBe(true);
    expect(copy.has('--dtr-url')).toBe(false);
  });

  it('every global option is listed by some command', () => {
    const listed = new Set(all.flatMap(({ command }) => usedGlobalOptions(command).map(longOf)));
    expect(root.options.filter((o) => !o.hidden && !listed.has(longOf(o)) && o.long !== '--version')).toEqual([]);
  });
});

describe('dtr-migrate help <command...>', () => {
  it('prints the help of a subcommand', async () => {
    const { code, out } = await mainInProcess(['help', 'storage', 'copy']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: dtr-migrate storage copy [options]');
    expect(out).toContain('--checksum');
    expect(out).toContain('$ dtr-migrate storage copy --from /mnt/old-nfs --to /mnt/new-nfs --dry-run');
  });

  it('refuses an unknown command with a usage error', async () => {
    const { code, err } = await mainInProcess(['help', 'storage', 'nope']);
    expect(code).toBe(2);
    expect(err).toContain('unknown command: storage nope');
  });
});

function helpText(root: Command, ...names: string[]): string {
  let command = root;
  for (const name of names) command = command.commands.find((c) => c.name() === name) ?? command;
  return command.helpInformation();
}

/** The text added after the help (the examples), as commander prints it on --help. */
function helpAfter(command: Command): string {
  let text = '';
  const sink = command.configureOutput();
  command.configureOutput({ ...sink, writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.exitOverride();
  try {
    command.outputHelp();
  } finally {
    command.configureOutput(sink);
  }
  return text;
}
