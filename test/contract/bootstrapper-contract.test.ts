/**
 * The bootstrapper command lines against each version's flag set (DTR 2.5, 2.6 before and after 2.6.4,
 * 2.7, MSR 2.8 and 2.9): every docker command the steps plan for every procedure that version allows,
 * onto a volume and onto NFS, is accepted by the mock bootstrapper of that version, which refuses a flag
 * its version lacks as the real one does (bootstrapper-flag-sets.ts). The commands come from the steps'
 * own plans, which run() builds the same way, so no command line is written here.
 */
import { describe, expect, it } from 'vitest';
import type { DockerCommand } from '../../src/docker/dtr-commands.js';
import { allowedProcedures } from '../../src/dtr/procedures.js';
import { classifyVersion } from '../../src/dtr/versions.js';
import {
  bootstrapperCommands,
  parseBootstrapperArgs,
  type BootstrapperCommand,
} from '../../src/mock-dtr/bootstrapper-flags.js';
import { stepsFor } from '../../src/steps/index.js';
import type { PlanContext } from '../../src/steps/step.js';

const versions = ['2.5.14', '2.6.2', '2.6.14', '2.7.8', '2.8.4', '2.9.2'];
const targets = [
  { targetStorage: '/mnt/new' },
  { targetStorage: '/mnt/new', targetNfsUrl: 'nfs://nas.local/exports/dtr' },
];

/** The docker commands every step of `procedure` plans for these inputs. */
function planned(
  version: string,
  procedure: ReturnType<typeof allowedProcedures>[number],
  target: object,
): DockerCommand[] {
  const commands: DockerCommand[] = [];
  const ctx: PlanContext = {
    inputs: {
      ucpUrl: 'https://ucp.example.com',
      ucpUsername: 'admin',
      ucpPassword: 'pw',
      ucpInsecureTls: true,
      ucpNode: 'worker-1',
      dtrVersion: version,
      replicaId: '0123456789ab',
      sourceStorage: '/mnt/old',
      ...target,
    },
    stateDir: '/tmp/state',
    certificates: {},
    outputOf: <T>(id: string) =>
      (id === 'backup' ? { file: '/tmp/state/backup.tar', dtrHost: 'dtr.example.com' } : undefined) as T,
    savedBy: () => undefined,
    statusOf: () => 'pending',
    describeDocker: (command) => (commands.push(command), command.args.join(' ')),
  };
  for (const step of stepsFor(procedure, classifyVersion(version).family)) step.plan(ctx);
  return commands;
}

describe.each(versions)('the bootstrapper of DTR %s', (version) => {
  it('accepts every command line the steps plan, for every procedure allowed and both kinds of target', () => {
    const info = classifyVersion(version);
    const refused: string[] = [];
    let checked = 0;
    for (const procedure of allowedProcedures(info.family, version)) {
      for (const target of targets) {
        for (const command of planned(version, procedure, target).filter((c) => c.args[0] === 'run')) {
          const at = command.args.findIndex((arg) => bootstrapperCommands.includes(arg as BootstrapperCommand));
          const parsed = parseBootstrapperArgs(
            command.args[at] as BootstrapperCommand,
            command.args.slice(at + 1),
            { ...command.env },
            version,
          );
          checked += 1;
          if (!parsed.ok) refused.push(`${procedure}: ${command.args.join(' ')}: ${parsed.message}`);
        }
      }
    }
    expect(refused).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
