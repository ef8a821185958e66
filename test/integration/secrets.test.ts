/**
 * Secrets: with a known DTR token and UCP password, a whole migration, its plan, its status, and failed
 * runs (also with --debug) must show neither, anywhere: stdout, stderr, the --json events, every file
 * of the state directory, the argv of every docker process (a wrapper records them). The journal, the
 * log, the inventory and the backup are owner-only. `rehearse` with the secrets set leaks neither.
 * Through the CLI's entry point in this process (cli-in-process.ts); the docker wrappers are real
 * processes. The real CLI's own output and state directory are checked in test/e2e/migrate.test.ts.
 */
import { chmod, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setBootstrapperFaults } from '../../src/mock-dtr/faults.js';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import { jsonEvents, type CliRun } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { finishArgs, longTestMs, pullCheckArgs } from '../helpers/fault-checks.js';
import { migrationFixture, secrets } from '../helpers/mock-migration.js';

/** Every file below `dir`, as text (binary files too: a secret would show in them as well). */
async function filesText(dir: string): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, String(name));
    if ((await stat(path)).isFile()) out.push([path, await readFile(path, 'latin1')]);
  }
  return out;
}

/** The secret, and the forms it could take on the way out (HTTP basic auth, base64). */
function forms(username: string, secret: string): string[] {
  return [secret, Buffer.from(`${username}:${secret}`).toString('base64'), Buffer.from(secret).toString('base64')];
}

function leaks(where: Array<[string, string]>, needles: readonly string[]): string[] {
  return where.flatMap(([name, text]) =>
    needles.filter((n) => text.includes(n)).map((n) => `${name} holds ${n.slice(0, 6)}…`),
  );
}

const output = (label: string, run: CliRun): Array<[string, string]> => [
  [`${label} stdout`, run.stdout],
  [`${label} stderr`, run.stderr],
];

describe.concurrent('secrets never leave their variables', { timeout: longTestMs }, () => {
  it('a whole migration, its plan, status and failed runs: zero occurrences; owner-only files', async (ctx) => {
    const f = await migrationFixture();
    ctx.onTestFinished(() => f.close());
    const argvLog = join(f.root, 'docker-argv.log');
    const wrapper = join(f.root, 'docker-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${f.mock.dockerBin}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const args = ['migrate', ...f.args, '--docker-bin', wrapper, ...(await finishArgs(f))];
    const seen: Array<[string, string]> = [];

    const plan = await runCliInProcess(['plan', ...f.args, '--docker-bin', wrapper], { env: f.env });
    const planJson = await runCliInProcess(['plan', ...f.args, '--docker-bin', wrapper, '--json'], { env: f.env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout + plan.stderr).toContain('UCP_PASSWORD=****');
    const wrongToken = 'wrong-SECRET-token-5c1e';
    const refused = await runCliInProcess(args, { env: { ...f.env, DTR_TOKEN: wrongToken } });
    expect(refused.code).toBe(4);
    expect(refused.stdout + refused.stderr).not.toContain(wrongToken);
    setBootstrapperFaults(f.mock.state, { backup: 'exit' });
    const failed = await runCliInProcess([...args, '--debug'], { env: f.env });
    const failedJson = await runCliInProcess([...args, '--json'], { env: f.env });
    expect(failed.code).toBe(1);
    expect(failedJson.code).toBe(1);
    expect(jsonEvents(failedJson.stdout).at(-1)).toMatchObject({
      event: 'result',
      ok: false,
      error: { code: 'DOCKER_FAILED' },
    });
    setBootstrapperFaults(f.mock.state, undefined);
    // A bootstrapper that prints the password it was given in its error: quoted in the message, masked.
    const chatty = join(f.root, 'docker-chatty.sh');
    await writeFile(
      chatty,
      `#!/bin/sh\ncase " $* " in *" backup "*) echo "login failed with password $UCP_PASSWORD" >&2; exit 1;; esac\nexec '${f.mock.dockerBin}' "$@"\n`,
    );
    await chmod(chatty, 0o755);
    const quoted = await runCliInProcess(
      ['migrate', ...f.args, '--docker-bin', chatty, ...(await finishArgs(f)), '--debug'],
      {
        env: f.env,
      },
    );
    const quotedJson = await runCliInProcess(
      ['migrate', ...f.args, '--docker-bin', chatty, ...(await finishArgs(f)), '--json'],
      { env: f.env },
    );
    expect(quoted.code).toBe(1);
    expect(quoted.stderr).toContain('login failed with password ****');
    seen.push(...output('bootstrapper quoting the password', quoted), ...output('the same, --json', quotedJson));
    const done = await runCliInProcess([...args, '--json'], { env: f.env });
    expect(done.code, done.stderr).toBe(0);
    const status = await runCliInProcess(['status', '--state-dir', f.stateDir]);
    const statusJson = await runCliInProcess(['status', '--state-dir', f.stateDir, '--json']);
    seen.push(
      ...output('plan', plan),
      ...output('plan --json', planJson),
      ...output('refused', refused),
      ...output('failed --debug', failed),
    );
    seen.push(
      ...output('failed --json', failedJson),
      ...output('migrate --json', done),
      ...output('status', status),
      ...output('status --json', statusJson),
    );
    seen.push(...(await filesText(f.stateDir)), [argvLog, await readFile(argvLog, 'utf8')]);

    const needles = [...forms('admin', secrets.token), ...forms('ucpadmin', secrets.ucpPassword)];
    expect(leaks(seen, needles)).toEqual([]);
    // The wrapper did see every docker command: the password goes by name only.
    const argv = await readFile(argvLog, 'utf8');
    expect(argv).toMatch(/ backup /);
    expect(argv).toMatch(/ destroy /);
    expect(argv).toMatch(/ restore /);
    expect(argv).toContain('-e UCP_PASSWORD docker/dtr');

    const names = await readdir(f.stateDir);
    const ownerOnly = [
      'journal.json',
      'dtr-migrate.log',
      'inventory-before.json',
      'inventory-after.json',
      'report.html',
      ...names.filter((n) => /^backup-.*\.tar$/.test(n)),
    ];
    expect(ownerOnly.filter((n) => n.startsWith('backup-'))).toHaveLength(1);
    for (const name of ownerOnly)
      expect({ name, mode: (await stat(join(f.stateDir, name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
    expect((await stat(f.stateDir)).mode & 0o077).toBe(0);
  });

  it('rehearse with DTR_TOKEN and UCP_PASSWORD set leaks neither', async () => {
    const token = 'rehearse-SECRET-token-8f2d';
    const password = 'rehearse-SECRET-ucp-31aa';
    const probe = await startMockDtr();
    const pull = await pullCheckArgs(probe);
    await probe.close();
    const run = await runCliInProcess(['rehearse', '--yes', '--keep', '--json', ...pull], {
      env: { DTR_TOKEN: token, UCP_PASSWORD: password },
    });
    const kept = /Kept the rehearsal directory: (\S+)/.exec(run.stderr)?.[1];
    try {
      expect(run.code, run.stderr).toBe(0);
      expect(jsonEvents(run.stdout).at(-1)).toMatchObject({ event: 'result', ok: true });
      expect(kept).toBeDefined();
      const seen = [...output('rehearse', run), ...(await filesText(kept ?? ''))];
      expect(leaks(seen, [...forms('admin', token), ...forms('admin', password)])).toEqual([]);
    } finally {
      if (kept !== undefined) await rm(kept, { recursive: true, force: true });
    }
  });
});
