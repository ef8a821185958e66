/**
 * The examples under each command's `--help`: what to type against a real DTR (dtr.example.com, its
 * UCP at ucp.example.com, the old storage mounted at /mnt/old-nfs and the new one at /mnt/new-nfs).
 */
import { ExitCode } from '../errors.js';

/** The inputs every example against a real DTR repeats, as a config file would hold them. */
const connection = `--dtr-url https://dtr.example.com --username admin`;
const bootstrapper = `--ucp-url https://ucp.example.com --ucp-username admin --dtr-version 2.6.4`;
const storages = `--source-storage /mnt/old-nfs --target-storage /mnt/new-nfs --target-nfs-url nfs://new-nfs/dtr`;

const secrets = `
Secrets: the DTR token comes from DTR_TOKEN (or stdin with --password-stdin), the UCP password from
UCP_PASSWORD; neither is ever accepted as a flag value, written to the journal or logged.`;

export const rootExamples = `
Each command's --help (or dtr-migrate help <command>) lists the options it reads, grouped: DTR,
bootstrapper, storage, procedure and checks, patience, consents, inputs and state, output.

Examples:
  # Rehearse a whole migration against the built-in mock DTR (nothing real is touched)
  $ dtr-migrate rehearse --yes

  # See exactly what a migration would do, secrets masked
  $ DTR_TOKEN=... dtr-migrate plan ${connection} \\
      ${bootstrapper} \\
      ${storages}

  # Migrate from a script (config file holds the non-secret inputs)
  $ DTR_TOKEN=... UCP_PASSWORD=... dtr-migrate migrate --config migrate.yaml \\
      --yes --confirm-destroy 0123456789ab --json

  # Copy the storage ahead of the maintenance window (re-runs copy only what changed)
  $ dtr-migrate storage copy --from /mnt/old-nfs --to /mnt/new-nfs

  # Where does the migration stand?
  $ dtr-migrate status

  # The options of one command, grouped
  $ dtr-migrate help storage copy
${secrets}

Exit codes: ${ExitCode.ok} done · ${ExitCode.stepFailed} a step or its check failed · ${ExitCode.usage} bad usage or config ·
  ${ExitCode.inputRequired} input required but not interactive · ${ExitCode.dtrUnreachable} DTR unreachable or credentials refused ·
  ${ExitCode.stateLocked} state directory locked or journal unusable · ${ExitCode.aborted} not confirmed ·
  ${ExitCode.hangup} stopped by SIGHUP, ${ExitCode.interrupted} by SIGINT or SIGTERM (resume by running again)
`;

export const commandExamples = {
  migrate: `
Examples:
  # The wizard, in a terminal on the DTR node: asks for whatever is missing
  $ dtr-migrate migrate

  # A script: everything given, destroy confirmed for this replica only
  $ DTR_TOKEN=... UCP_PASSWORD=... dtr-migrate migrate ${connection} \\
      ${bootstrapper} \\
      ${storages} \\
      --yes --confirm-destroy 0123456789ab

  # The same inputs from a file (camelCase keys: dtrUrl, sourceStorage, ...); consents stay on the command line
  $ DTR_TOKEN=... UCP_PASSWORD=... dtr-migrate migrate --config migrate.yaml --yes --confirm-destroy 0123456789ab
${secrets}
`,
  plan: `
Examples:
  $ DTR_TOKEN=... dtr-migrate plan ${connection} \\
      ${bootstrapper} \\
      ${storages}
  $ DTR_TOKEN=... dtr-migrate plan --config migrate.yaml --procedure read-only --json
${secrets}
`,
  status: `
Examples:
  $ dtr-migrate status --dtr-url https://dtr.example.com      # the state directory of that DTR
  $ dtr-migrate status --state-dir /var/lib/dtr-migrate --json | tail -1

While a run is under way, status names the step it is at and the process (pid, host) running it.
Once every step is verified it asks DTR (DTR_TOKEN) before calling the migration complete.
`,
  rollback: `
Examples:
  # What would a rollback do now? (also in: dtr-migrate status)
  $ dtr-migrate rollback --dry-run --state-dir /var/lib/dtr-migrate

  # From a script, after a destroy: the same confirmation as the migration's destroy
  $ DTR_TOKEN=... UCP_PASSWORD=... dtr-migrate rollback --yes --confirm-destroy 0123456789ab
`,
  verify: `
Examples:
  # After the migration: every tag of the inventory taken before it, and every blob pullable
  $ DTR_TOKEN=... dtr-migrate verify ${connection} --pull-check sample

  # Any day, against an inventory kept elsewhere
  $ DTR_TOKEN=... dtr-migrate verify ${connection} --against inventory-before.json --pull-check full --json
`,
  report: `
Examples:
  $ dtr-migrate report --dtr-url https://dtr.example.com
  $ dtr-migrate report --state-dir ./copy-of-the-state-dir
`,
  rehearse: `
Examples:
  $ dtr-migrate rehearse --yes                          # the whole migration, unattended
  $ dtr-migrate rehearse --yes --json --dtr-version 2.7.6 --procedure read-only
  $ dtr-migrate rehearse --keep --tls                   # the wizard over HTTPS; keep the directory

Nothing real is touched: the DTR, its storage and docker are the built-in mock's.
`,
  'mock-dtr': `
Examples:
  $ dtr-migrate mock-dtr --port 8443 --tls --dtr-version 2.7.6
  $ dtr-migrate mock-dtr --json --fault backup=slow --fault job=errored,times=1
`,
  'storage copy': `
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
  'storage verify': `
Examples:
  $ dtr-migrate storage verify --from /mnt/old-nfs --to /mnt/new-nfs
  $ dtr-migrate storage verify --from /mnt/old-nfs --to /mnt/new-nfs --json | tail -1

Exit 0 only when nothing is missing, no size differs, every blob hashes to its digest and every link resolves
(or dangles in the source as well: listed apart). Files only the target holds are listed, and do not fail it.
The source must be a registry storage root (docker/registry/v2/repositories and blobs) unless --any-tree.
`,
  'storage shard-job': `
Examples:
  # Four Swarm nodes (UCP) that mount both storages share one copy; then prove the whole from one host
  $ dtr-migrate storage shard-job --swarm --shards 4 --from /mnt/old-nfs --to s3:dtr-bucket/registry | sh
  $ dtr-migrate storage verify --from /mnt/old-nfs --to s3:dtr-bucket/registry

  $ dtr-migrate storage shard-job --kubernetes --shards 8 --from /mnt/old-nfs --to /mnt/new-nfs | kubectl apply -f -
`,
  completion: `
Load it in this shell:
  $ source <(dtr-migrate completion bash)
  $ source <(dtr-migrate completion zsh)     # after compinit
`,
  help: `
Examples:
  $ dtr-migrate help migrate
  $ dtr-migrate help storage copy
`,
} as const;
