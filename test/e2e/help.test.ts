/**
 * The built CLI's own documentation: --version, --help with examples and the exit-code table, and the
 * storage commands' help with their examples. Each is read from a real subprocess.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/cli.js';

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('dtr-migrate help and version', () => {
  it('prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(packageVersion);
  });

  it('documents every command, examples and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of [
      'migrate',
      'plan',
      'status',
      'rollback',
      'verify',
      'rehearse',
      'mock-dtr',
      'storage',
      'completion',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(run.stdout).toContain('$ dtr-migrate rehearse --yes');
    expect(run.stdout).toMatch(/Exit codes: 0 done .* 1 a step or its check failed/);
    expect(run.stdout).toContain('129 stopped by SIGHUP, 130 by SIGINT or SIGTERM');
  });

  it('gives the storage commands examples of their own', async () => {
    const copy = await runCli(['storage', 'copy', '--help']);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toContain('$ dtr-migrate storage copy --from /mnt/old-nfs --to /mnt/new-nfs --dry-run');
    expect(copy.stdout).toContain('--to s3:dtr-bucket/registry');
    expect(copy.stdout).toMatch(/--checksum/);
    const verify = await runCli(['storage', 'verify', '--help']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('$ dtr-migrate storage verify --from /mnt/old-nfs --to /mnt/new-nfs');
    expect(verify.stdout).not.toContain('--dry-run');
  });
});
