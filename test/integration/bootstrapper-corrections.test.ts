/**
 * What the CLI references, launchpad and DTR's KB correct about the bootstrapper (shared/reference/
 * dtr-api.md, section 11), each in a migration run in this process against the mock DTR and its docker
 * stand-in: the image per product and from the running containers, the restore's --dtr-external-url and
 * --ucp-node, the backup's documented layout and version, the NFS workaround of DTR 2.6.0 to 2.6.3, and
 * what is left to do after a restore.
 */
import { describe, expect, it } from 'vitest';
import { createTar } from '../../src/backup/tar.js';
import { summaryLines } from '../../src/cli/summary.js';
import { makeStyle } from '../../src/cli/style.js';
import { afterRestore } from '../../src/dtr/facts.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { confirmed, migrateInProcess } from '../helpers/in-process.js';
import { fixturesClosedAfterEach } from '../helpers/mock-migration.js';

const fixture = fixturesClosedAfterEach();

/** The docker commands a dry run plans, as shown. */
function plannedDocker(run: Awaited<ReturnType<typeof migrateInProcess>>): string[] {
  return run.io.events.flatMap((e) =>
    e.event === 'step-plan' ? e.actions.flatMap((a) => (a.kind === 'docker' ? [a.command] : [])) : [],
  );
}

describe('the bootstrapper image', () => {
  it("is MSR's own on MSR 2.8, and the summary says what is left after the restore", async () => {
    const f = await fixture({ version: '2.8.4' });
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(run.error?.message).toBeUndefined();
    for (const command of ['backup', 'destroy', 'restore'])
      expect(docker.commands(new RegExp(` mirantis/dtr:2\\.8\\.4 ${command} `))).toHaveLength(1);
    expect(run.result?.afterwards).toEqual(afterRestore);
    const summary = summaryLines(run.result!, makeStyle(false), undefined, 200).join('\n');
    expect(summary).toContain('Still to do:');
    expect(summary).toContain('vulnerability database');
  });

  it('comes from the repository the DTR containers run from (a mirror), unless --bootstrapper-image says', async () => {
    const f = await fixture({ imageRepository: 'registry.example.com:5000/mirror' });
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(run.error?.message).toBeUndefined();
    expect(docker.commands(/ registry\.example\.com:5000\/mirror\/dtr:2\.6\.4 restore /)).toHaveLength(1);
    const g = await fixture();
    const planned = await migrateInProcess(g, {
      yes: true,
      dryRun: true,
      flags: { bootstrapperImage: 'registry.example.com/team/dtr' },
    });
    expect(plannedDocker(planned).filter((c) => c.includes(' registry.example.com/team/dtr:2.6.4 '))).toHaveLength(3);
  });
});

describe('the restore', () => {
  it("names DTR's own address and its replica's node, so that single sign-on with UCP comes back", async () => {
    const f = await fixture();
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(run.error?.message).toBeUndefined();
    const [restore] = docker.commands(/ restore /);
    expect(restore).toContain(`--dtr-external-url https://${new URL(f.mock.url).host}`);
    expect(restore).toContain('--ucp-node ucp-node-1');
    expect(f.mock.state.settings['sso']).toBe(true);
  });

  it('refuses a backup that is not laid out as DTR lays out one of the running version', async () => {
    const f = await fixture();
    const otherVersion = createTar([{ name: 'dtr-backup-v2.6.3/rethink/tags/0', content: Buffer.from('[]') }]);
    const docker = new FakeDocker([{ when: / backup /, answer: { stdout: otherVersion } }]);
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(run.error?.code).toBe('BACKUP_INVALID');
    expect(run.error?.message).toMatch(/taken by DTR 2\.6\.3, but the running DTR is 2\.6\.4/);
  });
});

describe('an NFS target', () => {
  const nfsUrl = 'nfs://nas.example.com/exports/dtr';

  it('is given to DTR 2.6.0 to 2.6.3 as an NFS-backed docker volume, as the URL would wipe the tags', async () => {
    const f = await fixture({ version: '2.6.2' });
    f.mock.state.nfsExports['nas.example.com:/exports/dtr'] = f.target;
    const plan = await migrateInProcess(f, { yes: true, dryRun: true, flags: { targetNfsUrl: nfsUrl } });
    expect(plannedDocker(plan)).toContain(
      'docker volume create --driver local --opt type=nfs --opt o=addr=nas.example.com,rw --opt device=:/exports/dtr registry-nfs-storage',
    );
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), targetNfsUrl: nfsUrl }, docker });
    expect(run.error?.message).toBeUndefined();
    const [restore] = docker.commands(/ restore /);
    expect(restore).toContain('--dtr-storage-volume registry-nfs-storage');
    expect(restore).not.toContain('--nfs-storage-url');
    expect(f.mock.state.repositories.flatMap((r) => r.tags).length).toBeGreaterThan(0);
  });

  it('is named by its URL from 2.6.4 on', async () => {
    const f = await fixture();
    const plan = await migrateInProcess(f, { yes: true, dryRun: true, flags: { targetNfsUrl: nfsUrl } });
    expect(plannedDocker(plan).some((c) => c.includes(`--nfs-storage-url ${nfsUrl}`))).toBe(true);
    expect(plannedDocker(plan).some((c) => c.includes('volume create'))).toBe(false);
  });
});
