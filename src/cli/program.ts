/**
 * The command line: commands, global options (generated from the input table, so every input has
 * exactly one flag) and help with examples. Options have no commander defaults: an unset flag stays
 * undefined, so the config file, the journal and the declared defaults can fill it in order.
 */
import { Argument, Command, Option } from 'commander';
import { inputKeys, optionName, specOf } from '../config/inputs.js';
import { ExitCode } from '../errors.js';
import type { StorageFlags } from './commands/storage.js';
import { completionScript, completionShells, type CompletionShell } from './completion.js';
import { toolVersion } from './version.js';

const examples = `
Examples:
  # Rehearse a whole migration against the built-in mock DTR (nothing real is touched)
  $ dtr-migrate rehearse --yes

  # See exactly what a migration would do, secrets masked
  $ DTR_TOKEN=... dtr-migrate plan --dtr-url https://dtr.example.com --username admin \\
      --ucp-url https://ucp.example.com --ucp-username admin --dtr-version 2.6.4 \\
      --source-storage /mnt/old-nfs --target-storage /mnt/new-nfs --target-nfs-url nfs://new-nfs/dtr

  # Migrate from a script (config file holds the non-secret inputs)
  $ DTR_TOKEN=... UCP_PASSWORD=... dtr-migrate migrate --config migrate.yaml \\
      --yes --confirm-destroy 0123456789ab --json

  # Copy the storage ahead of the maintenance window (re-runs copy only what changed)
  $ dtr-migrate storage copy --from /mnt/old-nfs --to /mnt/new-nfs

  # Where does the migration stand?
  $ dtr-migrate status

Secrets: the DTR token comes from DTR_TOKEN (or stdin with --password-stdin), the UCP password from
UCP_PASSWORD; neither is ever accepted as a flag value, written to the journal or logged.

Exit codes: ${ExitCode.ok} done · ${ExitCode.stepFailed} a step or its check failed · ${ExitCode.usage} bad usage or config ·
  ${ExitCode.inputRequired} input required but not interactive · ${ExitCode.dtrUnreachable} DTR unreachable or credentials refused ·
  ${ExitCode.stateLocked} state directory locked or journal unusable · ${ExitCode.aborted} not confirmed ·
  ${ExitCode.hangup} stopped by SIGHUP, ${ExitCode.interrupted} by SIGINT or SIGTERM (resume by running again)
`;

const storageExamples = {
  copy: `
Examples:
  # What a copy would do: files and bytes still to copy; nothing written
  $ dtr-migrate storage copy --from /mnt/old-nfs --to /mnt/new-nfs --dry-run

  # Copy ahead of the maintenance window, then again inside it (only the difference is copied)
  $ dtr-migrate storage copy --from /mnt/old-nfs --to /mnt/new-nfs

  # To an object store through rclone (configure the remote first with: rclone config)
  $ dtr-migrate storage copy --from /var/lib/docker/volumes/dtr-registry-0123/_data --to s3:dtr-bucket/registry

Exit 0 only when the target is complete and verified (--dry-run only counts, and exits 0); every
problem is listed by path (--json: all of them).
`,
  verify: `
Examples:
  $ dtr-migrate storage verify --from /mnt/old-nfs --to /mnt/new-nfs
  $ dtr-migrate storage verify --from /mnt/old-nfs --to /mnt/new-nfs --json | tail -1

Exit 0 only when nothing is missing, no size differs, every blob hashes to its digest and every link resolves
(or dangles in the source as well: listed apart). Files only the target holds are listed, and do not fail it.
The source must be a registry storage root (docker/registry/v2/repositories and blobs) unless --any-tree.
`,
  'shard-job': `
Examples:
  # Four Swarm nodes (UCP) that mount both storages share one copy; then prove the whole from one host
  $ dtr-migrate storage shard-job --swarm --shards 4 --from /mnt/old-nfs --to s3:dtr-bucket/registry | sh
  $ dtr-migrate storage verify --from /mnt/old-nfs --to s3:dtr-bucket/registry

  $ dtr-migrate storage shard-job --kubernetes --shards 8 --from /mnt/old-nfs --to /mnt/new-nfs | kubectl apply -f -
`,
} as const;

/** Adds every non-secret input as a global option, plus the switches every command shares. */
function addGlobalOptions(program: Command): void {
  for (const key of inputKeys) {
    const spec = specOf(key);
    if (spec.secret === true) continue;
    const flag = spec.valueName === undefined ? spec.flag : `${spec.flag} ${spec.valueName}`;
    const env = spec.env === undefined ? '' : ` [env ${spec.env}]`;
    const fallback =
      spec.default === undefined || typeof spec.default === 'boolean' ? '' : ` (default ${String(spec.default)})`;
    program.addOption(new Option(flag, `${spec.description}${fallback}${env}`));
    if (spec.negatable === true) program.addOption(new Option(`--no-${spec.flag.slice(2)}`).hideHelp());
  }
  program
    .option('--password-stdin', 'read the DTR token or password from stdin instead of DTR_TOKEN')
    .option('--config <file>', 'JSON or YAML file with any of the inputs above (camelCase keys)')
    .option(
      '--state-dir <dir>',
      'journal, backups and log file (default $XDG_STATE_HOME/dtr-migrate/<dtr-host>, else ~/.local/state/dtr-migrate/<dtr-host>)',
    )
    .option(
      '--yes',
      'answer yes to confirmations and take the defaults (procedure best-practice, GC schedule put back); destroy also needs --confirm-destroy',
    )
    .option('--non-interactive', 'never ask: every input must come from flags, environment or --config')
    .option('--take-over-lock', 'take over the lock of a dtr-migrate run that no longer runs')
    .option('--json', 'newline-delimited JSON events on stdout; the last line is the result')
    .option('--no-color', 'no colours (also NO_COLOR=1)')
    .option('--debug', 'show stack traces and extra detail on errors');
}

export interface CommandHandlers {
  migrate(options: { dryRun: boolean }): Promise<number>;
  status(): Promise<number>;
  rehearse(options: { keep: boolean; tls: boolean; dtrVersion?: string; replicas?: string }): Promise<number>;
  mockDtr(options: MockDtrFlags): Promise<number>;
  storage(action: 'copy' | 'verify' | 'shard-job', options: StorageFlags): Promise<number>;
  verify(options: { against?: string }): Promise<number>;
  report(): Promise<number>;
  /** Prints the completion script (made here, from the program itself). */
  completion(script: string): Promise<number>;
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

export function buildProgram(handlers: CommandHandlers, setExit: (code: number) => void): Command {
  const program = new Command('dtr-migrate')
    .description(
      'Switch a Docker Trusted Registry to a new storage backend without losing an image: each step acts, is checked, and only then unlocks the next.',
    )
    // Set before the subcommands are added, so they inherit it and a usage mistake anywhere exits 2.
    .exitOverride()
    .version(toolVersion, '-V, --version')
    .showHelpAfterError('(run dtr-migrate --help for usage)')
    .addHelpText('after', examples);
  addGlobalOptions(program);

  program
    .command('migrate')
    .description(
      'run the migration wizard (interactive in a terminal; flags, env and --config in scripts); resumes where it stopped',
    )
    .option('--dry-run', "print each step's plan (HTTP calls, docker commands) and change nothing")
    .action(async (options: { dryRun?: boolean }) =>
      setExit(await handlers.migrate({ dryRun: options.dryRun === true })),
    );

  program
    .command('plan')
    .description('print the steps with the exact HTTP calls and docker commands they would make; changes nothing')
    .action(async () => setExit(await handlers.migrate({ dryRun: true })));

  program
    .command('status')
    .description(
      'what the journal says: each step, its state, when, and what comes next; complete only once DTR confirms it',
    )
    .action(async () => setExit(await handlers.status()));

  program
    .command('verify')
    .description(
      'prove the state of a registry any day: every tag of an inventory present with the same digest, every manifest and blob pullable',
    )
    .option('--against <inventory.json>', 'the inventory taken before the migration (default: the one in --state-dir)')
    .action(async (options: { against?: string }) => setExit(await handlers.verify(options)));

  program
    .command('report')
    .description(
      'write <state-dir>/report.html again from the journal and the inventories: a self-contained page for auditors (DTR is not contacted)',
    )
    .action(async () => setExit(await handlers.report()));

  program
    .command('rehearse')
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

  program
    .command('mock-dtr')
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

  const storage = program
    .command('storage')
    .description('copy or verify registry storage on its own (e.g. ahead of the maintenance window)');
  for (const action of ['copy', 'verify'] as const) {
    const command = storage
      .command(action)
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
    command.addHelpText('after', storageExamples[action]);
    command.action(async (options: StorageFlags) => setExit(await handlers.storage(action, options)));
  }
  storage
    .command('shard-job')
    .description('print a Docker Swarm replicated-job or a Kubernetes Indexed Job that runs storage copy on N hosts')
    .option('--swarm', 'a `docker service create --mode replicated-job` command (the task slot gives each its shard)')
    .option('--kubernetes', 'an Indexed Job manifest (the completion index gives each its shard)')
    .requiredOption('--shards <n>', 'how many hosts share the copy')
    .requiredOption('--from <location>', 'the current storage, as each host sees it')
    .requiredOption('--to <location>', 'the new storage, as each host sees it')
    .option('--to-driver <driver>', 'layout of the target (as for storage copy)')
    .option('--io-concurrency <n>', 'files in flight per host (as for storage copy)')
    .option('--image <image>', 'an image with dtr-migrate and rclone', `dtr-migrate:${toolVersion}`)
    .addHelpText('after', storageExamples['shard-job'])
    .action(async (options: StorageFlags) => setExit(await handlers.storage('shard-job', options)));

  program
    .command('completion')
    .description('print a completion script for bash or zsh (commands, subcommands and options)')
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(completionShells))
    // Subcommands made before main() calls program.exitOverride() do not inherit it: without this an
    // unknown shell would exit 1 from inside commander instead of 2 through main().
    .exitOverride()
    .addHelpText(
      'after',
      '\nLoad it in this shell:\n  $ source <(dtr-migrate completion bash)\n  $ source <(dtr-migrate completion zsh)     # after compinit',
    )
    .action(async (shell: CompletionShell) => setExit(await handlers.completion(completionScript(program, shell))));

  return program;
}

function versionFlag(command: Command): { dtrVersion?: string } {
  const value = command.optsWithGlobals()[optionName('dtrVersion')] as string | undefined;
  return value === undefined ? {} : { dtrVersion: value };
}
