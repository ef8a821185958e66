/**
 * TLS of the DTR API, against the mock serving HTTPS with its own self-signed certificate: verified by
 * default (exit 4, with a hint naming --ca-cert), trusted with --ca-cert, and skipped only with
 * --insecure-tls, which works and says so.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import { jsonEvents } from '../helpers/cli.js';
import {
  expectCleanFailure,
  expectMigrated,
  finishArgs,
  longTestMs,
  runLong,
  tagsOf,
} from '../helpers/fault-checks.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

const insecureWarning = /TLS verification of the DTR API is off \(--insecure-tls\)/;

async function tlsFixture(ctx: TestContext): Promise<{ f: MigrationFixture; caFile: string; args: string[] }> {
  const f = await migrationFixture({ tls: true });
  ctx.onTestFinished(() => f.close());
  expect(f.mock.url).toMatch(/^https:/);
  const caFile = join(f.root, 'dtr-ca.pem');
  await writeFile(caFile, f.mock.caCertPem ?? '');
  // The bootstrapper gets the CA too, instead of --ucp-insecure-tls.
  const args = f.args.filter((arg) => arg !== '--ucp-insecure-tls');
  return { f, caFile, args: [...args, '--ucp-ca', caFile] };
}

describe.concurrent('TLS of the DTR API', { timeout: longTestMs }, () => {
  it('is verified by default: an unknown CA, or the wrong one, is refused with exit 4 naming --ca-cert', async (ctx) => {
    const { f, args } = await tlsFixture(ctx);
    const refused = await runLong(['migrate', ...args, '--yes'], { env: f.env });
    expectCleanFailure(
      refused,
      4,
      /the TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/,
      /→ .*--ca-cert <file>/,
    );
    expect(refused.stderr).not.toMatch(insecureWarning);

    const other = await startMockDtr({ tls: true });
    const wrongCa = join(f.root, 'other-ca.pem');
    await writeFile(wrongCa, other.caCertPem ?? '');
    await other.close();
    const wrong = await runLong(['plan', ...args, '--ca-cert', wrongCa], { env: f.env });
    expectCleanFailure(wrong, 4, /is not trusted/, /→ .*--ca-cert/);

    const garbage = join(f.root, 'not-a-pem.txt');
    await writeFile(garbage, 'this is not a certificate\n');
    const notPem = await runLong(['plan', ...args, '--ca-cert', garbage], { env: f.env });
    expect([2, 4]).toContain(notPem.code);
    expect(notPem.stderr).toMatch(/→ .*--ca-cert/);
    expect(notPem.stderr).not.toMatch(/\n\s+at /);
    // Nothing was touched: no request beyond the handshakes changed anything.
    expect(f.mock.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(f.mock.state.installed).toBe(true);
  });

  it("--ca-cert trusts the mock's CA: a whole migration over HTTPS, without a warning", async (ctx) => {
    const { f, caFile, args } = await tlsFixture(ctx);
    const tags = tagsOf(f.mock);
    const run = await runLong(['migrate', ...args, '--ca-cert', caFile, ...(await finishArgs(f)), '--json'], {
      env: f.env,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(insecureWarning);
    await expectMigrated(f, tags);
  });

  it('--insecure-tls works, and warns that verification is off', async (ctx) => {
    const { f, args } = await tlsFixture(ctx);
    const tags = tagsOf(f.mock);
    const run = await runLong(['migrate', ...args, '--insecure-tls', ...(await finishArgs(f)), '--json'], {
      env: f.env,
    });
    expect(run.code, run.stderr).toBe(0);
    const notice = jsonEvents(run.stdout).find(
      (e) => e['event'] === 'notice' && e['level'] === 'warn' && insecureWarning.test(String(e['text'])),
    );
    expect(notice?.['text']).toMatch(/use --ca-cert/);
    await expectMigrated(f, tags);
    const plan = await runLong(['plan', ...args, '--insecure-tls'], { env: f.env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(insecureWarning);
  });
});
