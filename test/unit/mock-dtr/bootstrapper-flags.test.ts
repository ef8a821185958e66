import { describe, expect, it } from 'vitest';
import { parseBootstrapperArgs } from '../../../src/mock-dtr/bootstrapper-flags.js';

const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const env = { UCP_PASSWORD: 'secret', UCP_CA: ca };
const ucp = ['--ucp-url', 'https://ucp.example.com', '--ucp-username', 'admin'];

describe('parseBootstrapperArgs', () => {
  it('takes flags in every Go form and options from the environment', () => {
    const parsed = parseBootstrapperArgs(
      'backup',
      ['-ucp-url=https://ucp:443', '--ucp-username', 'admin', '--existing-replica-id=0123456789ab'],
      env,
      '2.6.4',
    );
    expect(parsed).toMatchObject({
      ok: true,
      request: { ucpUrl: 'https://ucp:443', ucpPassword: 'secret', replicaId: '0123456789ab' },
    });
    const fromEnv = parseBootstrapperArgs(
      'destroy',
      ['--ucp-insecure-tls'],
      { UCP_URL: 'https://u', UCP_USERNAME: 'a', UCP_PASSWORD: 'p', DTR_DESTROY_REPLICA_ID: '0123456789ab' },
      '2.6.4',
    );
    expect(fromEnv.ok).toBe(true);
  });

  it('refuses unknown flags the way Go does', () => {
    expect(parseBootstrapperArgs('backup', [...ucp, '-x'], env, '2.6.4')).toEqual({
      ok: false,
      message: 'flag provided but not defined: -x',
      showUsage: true,
    });
    expect(parseBootstrapperArgs('backup', [...ucp, '--replica-id', '0123456789ab'], env, '2.6.4')).toMatchObject({
      message: 'flag provided but not defined: -replica-id',
    });
    expect(parseBootstrapperArgs('backup', [...ucp, '--existing-replica-id'], env, '2.6.4')).toMatchObject({
      message: 'flag needs an argument: -existing-replica-id',
    });
    expect(parseBootstrapperArgs('backup', [...ucp, 'stray'], env, '2.6.4')).toMatchObject({
      ok: false,
      showUsage: true,
    });
    expect(parseBootstrapperArgs('backup', [...ucp, '--ucp-insecure-tls=maybe'], env, '2.6.4')).toMatchObject({
      ok: false,
    });
  });

  it('names the missing required option', () => {
    const missing = (args: string[], e: Record<string, string>) => {
      const parsed = parseBootstrapperArgs('backup', args, e, '2.6.4');
      return parsed.ok ? 'accepted' : parsed.message;
    };
    const id = ['--existing-replica-id', '0123456789ab'];
    expect(missing(['--ucp-username', 'a', ...id], env)).toContain('--ucp-url');
    expect(missing(['--ucp-url', 'https://u', ...id], env)).toContain('--ucp-username');
    expect(missing([...ucp, ...id], { UCP_CA: ca })).toContain('UCP password');
    expect(missing([...ucp, ...id], { UCP_PASSWORD: 'p' })).toContain('--ucp-insecure-tls');
    expect(missing([...ucp], env)).toContain('--existing-replica-id');
    expect(missing([...ucp, '--existing-replica-id', 'XYZ'], env)).toContain('12 hexadecimal');
    expect(missing([...ucp, ...id], { UCP_PASSWORD: 'p', UCP_CA: 'not a pem' })).toContain('PEM');
  });

  it('parses the storage of restore and reconfigure', () => {
    const restore = (...storage: string[]) =>
      parseBootstrapperArgs('restore', [...ucp, '--replica-id', '0123456789ab', ...storage], env, '2.6.4');
    expect(restore('--dtr-storage-volume', '/mnt/new')).toMatchObject({
      request: { storage: { kind: 'path', path: '/mnt/new' } },
    });
    expect(restore('--dtr-storage-volume', 'dtr-new')).toMatchObject({
      request: { storage: { kind: 'volume', volume: 'dtr-new' } },
    });
    expect(restore('--nfs-storage-url', 'nfs://nas.local/exports/dtr')).toMatchObject({
      request: { storage: { kind: 'nfs', host: 'nas.local', path: '/exports/dtr', async: false } },
    });
    expect(restore('--dtr-use-default-storage')).toMatchObject({ request: { storage: { kind: 'default' } } });
    expect(restore()).toEqual({
      ok: false,
      message: 'Must explicitly set one of --dtr-use-default-storage, --dtr-storage-volume, or --nfs-storage-url',
      showUsage: false,
    });
    expect(restore('--nfs-storage-url', 'http://nas/x')).toMatchObject({ ok: false });
    expect(restore('--dtr-storage-volume', 'relative/path')).toMatchObject({ ok: false });
    expect(restore('--dtr-storage-volume', 'a1', '--dtr-use-default-storage')).toMatchObject({ ok: false });
  });

  it("refuses on restore the flags only MSR 2.8 and later have, with urfave/cli's error", () => {
    const restore = (version: string, ...flags: string[]) =>
      parseBootstrapperArgs('restore', [...ucp, '--replica-id', '0123456789ab', ...flags], env, version);
    const nfs = ['--nfs-storage-url', 'nfs://nas.local/exports/dtr'];
    for (const version of ['2.5.14', '2.6.14', '2.7.8']) {
      expect(restore(version, ...nfs, '--async-nfs')).toMatchObject({
        ok: false,
        message: 'flag provided but not defined: -async-nfs',
      });
      expect(restore(version, ...nfs, '--client-cert-auth-ca', ca)).toMatchObject({
        message: 'flag provided but not defined: -client-cert-auth-ca',
      });
    }
    for (const version of ['2.8.4', '2.9.2']) {
      expect(restore(version, ...nfs, '--async-nfs')).toMatchObject({
        ok: true,
        request: { storage: { async: true } },
      });
      expect(restore(version, ...nfs, '--client-cert-auth-ca', ca)).toMatchObject({ ok: true });
      expect(restore(version, '--async-nfs', '--dtr-storage-volume', 'a1')).toMatchObject({ ok: false });
    }
    expect(restore('2.9.2', ...nfs, '--nfs-options', 'rw,nfsvers=4')).toMatchObject({
      message: 'flag provided but not defined: -nfs-options',
    });
    const reconfigure = parseBootstrapperArgs(
      'reconfigure',
      [...ucp, '--existing-replica-id', '0123456789ab', ...nfs, '--async-nfs', '--nfs-options', 'rw,nfsvers=4,async'],
      env,
      '2.6.14',
    );
    expect(reconfigure).toMatchObject({ ok: true });
  });

  it('needs --replica-id on restore before 2.7 only, and names DTR by --dtr-external-url', () => {
    const args = [...ucp, '--dtr-use-default-storage', '--dtr-external-url', 'https://dtr.example.com'];
    expect(parseBootstrapperArgs('restore', args, env, '2.6.14')).toMatchObject({
      message: '--replica-id is required',
    });
    expect(parseBootstrapperArgs('restore', args, env, '2.7.8')).toMatchObject({
      ok: true,
      request: { replicaId: expect.stringMatching(/^[0-9a-f]{12}$/), externalUrl: 'https://dtr.example.com' },
    });
  });

  it('knows --storage-migrated from 2.6.4 on only', () => {
    const args = [
      ...ucp,
      '--existing-replica-id',
      '0123456789ab',
      '--nfs-storage-url',
      'nfs://n/x',
      '--storage-migrated',
    ];
    expect(parseBootstrapperArgs('reconfigure', args, env, '2.6.4')).toMatchObject({
      ok: true,
      request: { storageMigrated: true },
    });
    expect(parseBootstrapperArgs('reconfigure', args, env, '2.7.5')).toMatchObject({ ok: true });
    expect(parseBootstrapperArgs('reconfigure', args, env, '2.6.3')).toMatchObject({
      ok: false,
      message: 'flag provided but not defined: -storage-migrated',
    });
  });

  it('knows --reinitialize-storage from MSR 2.9 on only', () => {
    const args = [...ucp, '--existing-replica-id', '0123456789ab', '--reinitialize-storage'];
    expect(parseBootstrapperArgs('reconfigure', args, env, '2.9.1')).toMatchObject({
      ok: true,
      request: { reinitializeStorage: true },
    });
    expect(parseBootstrapperArgs('reconfigure', args, env, '2.8.2')).toMatchObject({
      ok: false,
      message: 'flag provided but not defined: -reinitialize-storage',
    });
  });
});
