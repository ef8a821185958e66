/**
 * The command line: commands, global options (generated from the input table, so every input has
 * exactly one flag) and help with examples. Options have no commander defaults: an unset flag stays
 * undefined, so the config file, the journal and the declared defaults can fill it in order.
 */
import { Argument, Command, Option } from 'commander';
import { z } from 'zod';
import { inputKeys, optionName, specOf } from '../config/inputs.js';
import type { StorageFlags } from './commands/storage.js';
import { completionScript, completionShells, type CompletionShell } from './completion.js';
import { commandExamples, rootExamples } from './help-examples.js';
import {
  everyGroup,
  findCommand,
  groupedHelp,
  groupedOption,
  helpGroups,
  sharedSwitches,
  usesOptions,
  type OptionUse,
} from './help.js';
import { rehearsalInputs } from './rehearsal-inputs.js';
import { toolVersion } from './version.js';

/**
 * Adds every non-secret input as a global option, plus the switches every command shares, group by group
 * (so the root help lists them in the order of the groups).
 */
function addGlobalOptions(program: Command): void {
  for (const group of helpGroups) {
    for (const key of inputKeys) {
      const spec = specOf(key);
      if (spec.secret === true || spec.group !== group) continue;
      const flag = spec.valueName === undefined ? spec.flag : `${spec.flag} ${spec.valueName}`;
      const env = spec.env === undefined ? '' : ` [env ${spec.env}]`;
      const fallback =
        spec.default === undefined || typeof spec.default === 'boolean' ? '' : ` (default ${String(spec.default)})`;
      const option = groupedOption(flag, `${spec.description}${fallback}${env}`, group);
      // Listed in --help and completed by the shell; the schema still validates the value (exit 2).
      if (spec.schema instanceof z.ZodEnum) option.argChoices = spec.schema.options.map(String);
      program.addOption(option);
      if (spec.negatable === true) program.addOption(new Option(`--no-${spec.flag.slice(2)}`).hideHelp());
    }
    for (const { flag, description, group: of } of Object.values(sharedSwitches))
      if (of === group) program.addOption(groupedOption(flag, description, of));
  }
}

export interface CommandHandlers {
  migrate(options: MigrateFlags): Promise<number>;
  status(): Promise<number>;
  rehearse(options: { keep: boolean; tls: boolean; dtrVersion?: string; replicas?: string }): Promise<number>;
  mockDtr(options: MockDtrFlags): Promise<number>;
  storage(action: 'copy' | 'verify' | 'shard-job', options: StorageFlags): Promise<number>;
  verify(options: { against?: string }): Promise<number>;
  report(): Promise<number>;
  rollback(options: { dryRun: boolean }): Promise<number>;
  /** Prints the completion script (made here, from the program itself). */
  completion(script: string): Promise<number>;
}

export interface MigrateFlags {
  readonly dryRun: boolean;
  /** `plan --out <file>`: save the plan. */
  readonly out?: string;
  /** `migrate --plan <file>`: apply that saved plan. */
  readonly plan?: string;
}

export interface MockDtrFlags {
  readonly port?: string;
  readonly tls?: boolean;
  readonly adminUser?: string;
  readonly adminToken?: string;
  readonly storageDir?: string;
  readonly jobDurationMs?: string;
  /** `--replicas <n>`: an HA cluster of n replicas on n nodes. */
  readonly replicas?: string;
  /** `--fault <spec>`, repeatable (see faultSpecHelp in mock-dtr/faults.ts). */
  readonly fault?: readonly string[];
}

const collect = (value: string, previous: readonly string[] | undefined): string[] => [...(previous ?? []), value];

/** What each command reads of the global options, and so what its `--help` lists (help.ts). */
const optionUses = {
  migrate: everyGroup,
  // A plan changes nothing: consents have no part in it (--yes takes the defaults, as in a script).
  plan: { groups: helpGroups.filter((g) => g !== 'consent'), options: ['yes'] },
  status: { groups: ['dtr', 'session', 'output'], options: ['apiTimeout'] },
  // A rollback after destroy runs the bootstrapper's restore behind the destroy confirmation.
  rollback: everyGroup,
  verify: { groups: ['dtr', 'session', 'output'], options: ['apiTimeout', 'pullCheck'] },
  // The state directory is found from the DTR URL, as for every command that reads it.
  report: { groups: ['session', 'output'], options: ['dtrUrl'] },
  rehearse: { groups: ['output'], options: [...rehearsalInputs, 'dtrVersion', 'yes'] },
  'mock-dtr': { groups: ['output'], options: ['dtrVersion'] },
  storage: { groups: ['output'] },
} as const satisfies Record<string, OptionUse>;

/** A command, with what it reads of the global options and its examples. */
function command(parent: Command, name: keyof typeof optionUses, examples: string): Command {
  return usesOptions(parent.command(name), optionUses[name]).addHelpText('after', examples);
}

export function buildProgram(handlers: CommandHandlers, setExit: (code: number) => void): Command {
  const program = new Command('dtr-migrate')
    .description(
      'Switch a Docker Trusted Registry to a new storage backend without losing an image: each step acts, is checked, and only then unlocks the next.',
    )
    // Set before the subcommands are added, so they inherit them: a usage mistake anywhere exits 2, and
    // every command's help lists the global options it reads.
    .exitOverride()
    .configureHelp(groupedHelp)
    // `help storage copy` must reach the subcommand: commander's own help command stops at `storage`.
    .helpCommand(false)
    .version(toolVersion, '-V, --version')
    .showHelpAfterError('(run dtr-migrate --help for usage)')
    .addHelpText('after', rootExamples);
  addGlobalOptions(program);

  command(program, 'migrate', commandExamples.migrate)
    .description(
      'run the migration wizard (interactive in a terminal; flags, env and --config in scripts); resumes where it stopped',
    )
    .option('--dry-run', "print each step's plan (HTTP calls, docker commands) and change nothing")
    .option(
      '--plan <plan.json>',
      'apply exactly this saved plan (from plan --out): refused before any change if DTR or the storage changed since',
    )
    .action(async (options: { dryRun?: boolean; plan?: string }) =>
      setExit(
        await handlers.migrate({
          dryRun: options.dryRun === true,
          ...(options.plan === undefined ? {} : { plan: options.plan }),
        }),
      ),
    );

  command(program, 'plan', commandExamples.plan)
    .description(
      'print the steps with the exact HTTP calls and docker commands they would make, and estimates of the copy and the window; changes nothing',
    )
    .option('--out <plan.json>', 'save the plan, to apply it later with migrate --plan (every input must be known)')
    .action(async (options: { out?: string }) =>
      setExit(await handlers.migrate({ dryRun: true, ...(options.out === undefined ? {} : { out: options.out }) })),
    );

  command(program, 'status', commandExamples.status)
    .description(
      'what the journal says: each step, its state, when, and what comes next; complete only once DTR confirms it',
    )
    .action(async () => setExit(await handlers.status()));

  command(program, 'rollback', commandExamples.rollback)
    .description(
      'back out of the migration: before destroy, put back the GC schedule and read-only mode; after it, restore DTR from the backup onto the old storage (confirmed as destroy is)',
    )
    .option('--dry-run', "print the rollback's plan and change nothing")
    .action(async (options: { dryRun?: boolean }) =>
      setExit(await handlers.rollback({ dryRun: options.dryRun === true })),
    );

  command(program, 'verify', commandExamples.verify)
    .description(
      'prove the state of a registry any day: every tag of an inventory present with the same digest, every manifest and blob pullable',
    )
    .option('--against <inventory.json>', 'the inventory taken before the migration (default: the one in --state-dir)')
    .action(async (options: { against?: string }) => setExit(await handlers.verify(options)));

  command(program, 'report', commandExamples.report)
    .description(
      'write <state-dir>/report.html again from the journal and the inventories: a self-contained page for auditors (DTR is not contacted)',
    )
    .action(async () => setExit(await handlers.report()));

  command(program, 'rehearse', commandExamples.rehearse)
    .description('a whole migration against a built-in mock DTR with sample images, in a temporary directory')
    .option('--keep', 'keep the temporary directory (storage, journal, backup, log) afterwards')
    .option('--tls', 'serve the mock over HTTPS with a self-signed certificate (trusted with --ca-cert)')
    .option('--replicas <n>', 'rehearse on an HA cluster of n replicas, each on its own node (default 1)')
    .action(async (options: { keep?: boolean; tls?: boolean; replicas?: string }, command: Command) =>
      setExit(
        await handlers.rehearse({
          keep: options.keep === true,
          tls: options.tls === true,
          ...versionFlag(command),
          ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
        }),
      ),
    );

  command(program, 'mock-dtr', commandExamples['mock-dtr'])
    .description('serve the mock DTR in the foreground for your own CI smoke runs (Ctrl-C stops it)')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--tls', 'HTTPS with a generated self-signed certificate')
    .option('--admin-user <name>', 'admin user name (default admin)')
    .option('--admin-token <token>', 'admin token for this throw-away mock (default: random)')
    .option('--storage-dir <dir>', 'storage folder the mock serves (default: a temporary one with sample images)')
    .option('--job-duration-ms <ms>', 'how long mock jobs take')
    .option('--replicas <n>', 'an HA cluster of n replicas, each on its own node (default 1)')
    .option(
      '--fault <spec>',
      'make the mock fail, repeatable: backup=exit|truncate|slow, destroy=fail|half, restore=fail, join=fail|half, job=errored|canceled|never, http=<status>|reset|cut|malformed|slow,path=<path>; add ,times=<n> (default: until the mock stops; http and slow: once)',
      collect,
    )
    .action(async (options: MockDtrFlags) => setExit(await handlers.mockDtr(options)));

  addStorageCommands(
    usesOptions(
      program
        .command('storage')
        .description('copy or verify registry storage on its own (e.g. ahead of the maintenance window)'),
      optionUses.storage,
    ),
    handlers,
    setExit,
  );

  program
    .command('completion')
    .description('print a completion script for bash or zsh (commands, subcommands and options)')
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(completionShells))
    // Subcommands made before main() calls program.exitOverride() do not inherit it: without this an
    // unknown shell would exit 1 from inside commander instead of 2 through main().
    .exitOverride()
    .addHelpText('after', commandExamples.completion)
    .action(async (shell: CompletionShell) => setExit(await handlers.completion(completionScript(program, shell))));

  program
    .command('help')
    .description('show the help of a command, subcommands too (help storage copy)')
    .argument('[command...]', 'the command, e.g. storage copy')
    .addHelpText('after', commandExamples.help)
    .action((names: string[]) => {
      const target = findCommand(program, names);
      if (target === undefined) program.error(`unknown command: ${names.join(' ')}`, { exitCode: 2 });
      // As `<command> --help` prints it, the examples after the options included.
      else target.outputHelp();
    });

  return program;
}

function addStorageCommands(storage: Command, handlers: CommandHandlers, setExit: (code: number) => void): void {
  for (const action of ['copy', 'verify'] as const) {
    const command = usesOptions(storage.command(action), optionUses.storage)
      .description(
        action === 'copy'
          ? 'copy a registry storage to another (a re-run copies only what is missing or differs), then verify all of it'
          : 'check that the target holds every source file, every blob matches its digest, every link resolves',
      )
      .requiredOption(
        '--from <location>',
        'the current storage: a mounted path, or an rclone remote such as s3:bucket/prefix',
      )
      .requiredOption('--to <location>', 'the new storage: a mounted path, or an rclone remote')
      .option('--concurrency <n>', 'threads that hash, on the cores (default: one per core)')
      .option(
        '--io-concurrency <n>',
        'files in flight at once on storage slow to answer (NFS, object stores; default 16)',
      )
      .option(
        '--to-driver <driver>',
        'layout of the target: s3, azure, gcs, swift, filesystem (default: from the remote)',
      )
      .option('--shard <K/N>', "this host's part of a copy shared by N hosts (default: $DTR_MIGRATE_SHARD, else all)")
      .option('--include-uploads', 'include _uploads (incomplete uploads)')
      .option('--rclone-bin <path>', 'rclone, for object stores (default: rclone on the PATH)')
      .option('--rehash', 'hash every blob, also those unchanged since an earlier verify of this target')
      .option(
        '--any-tree',
        'accept a source that is not a registry storage (no docker/registry/v2/{repositories,blobs})',
      );
    if (action === 'copy') {
      command
        .option('--checksum', 'decide what is already copied by digest, not size and mtime')
        .option('--dry-run', 'count what would be copied; write nothing');
    }
    command.addHelpText('after', commandExamples[`storage ${action}`]);
    command.action(async (options: StorageFlags) => setExit(await handlers.storage(action, options)));
  }
  usesOptions(storage.command('shard-job'), optionUses.storage)
    .description('print a Docker Swarm replicated-job or a Kubernetes Indexed Job that runs storage copy on N hosts')
    .option('--swarm', 'a `docker service create --mode replicated-job` command (the task slot gives each its shard)')
    .option('--kubernetes', 'an Indexed Job manifest (the completion index gives each its shard)')
    .requiredOption('--shards <n>', 'how many hosts share the copy')
    .requiredOption('--from <location>', 'the current storage, as each host sees it')
    .requiredOption('--to <location>', 'the new storage, as each host sees it')
    .option('--to-driver <driver>', 'layout of the target (as for storage copy)')
    .option('--io-concurrency <n>', 'files in flight per host (as for storage copy)')
    .option('--image <image>', 'an image with dtr-migrate and rclone', `dtr-migrate:${toolVersion}`)
    .addHelpText('after', commandExamples['storage shard-job'])
    .action(async (options: StorageFlags) => setExit(await handlers.storage('shard-job', options)));
}

function versionFlag(command: Command): { dtrVersion?: string } {
  const value = command.optsWithGlobals()[optionName('dtrVersion')] as string | undefined;
  return value === undefined ? {} : { dtrVersion: value };
}
