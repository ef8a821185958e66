/**
 * `status` as a real process, from another working directory than the migrate before it: without
 * --state-dir both find this DTR's migration in the user's state directory. What status says of a
 * journal DTR contradicts is in test/integration/status-evidence.test.ts.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('status', () => {
  it("finds this DTR's migration from any folder, in the user's state directory, without --state-dir", async () => {
    f = await migrationFixture();
    const home = await mkdtemp(join(tmpdir(), 'state-home-'));
    const [here, there] = [join(home, 'here'), join(home, 'there')];
    await Promise.all([mkdir(here), mkdir(there)]);
    const env = { ...f.env, XDG_STATE_HOME: join(home, 'state') };
    const at = f.args.indexOf('--state-dir');
    const args = [...f.args.slice(0, at), ...f.args.slice(at + 2)];
    const first = await runCli(['migrate', ...args, '--yes'], { env, cwd: here });
    expect(first.code, first.stderr).toBe(6);
    const status = await runCli(['status', '--dtr-url', f.mock.url], { env, cwd: there });
    const dir = join(home, 'state', 'dtr-migrate', new URL(f.mock.url).host.replace(':', '_'));
    expect(status.stdout).toContain(`Migration in ${dir}`);
    expect(status.stdout).toContain('Next: Destroy and restore DTR on the new storage');
    await rm(home, { recursive: true, force: true });
  });
});
