import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configKeys, inputKeys, inputSpecs, optionName, specOf } from '../../../src/config/inputs.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { InputResolver } from '../../../src/config/resolve.js';
import type { Io } from '../../../src/runner/io.js';
import { isMigrateError } from '../../../src/errors.js';

const scriptIo: Io = {
  interactive: false,
  emit: () => undefined,
  ask: () => Promise.reject(new Error('no questions in scripts')),
};

async function configFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('the input table', () => {
  it('gives every non-secret input a flag whose option name is the config key', () => {
    for (const key of inputKeys) {
      if (specOf(key).secret === true) continue;
      expect(optionName(key), key).toBe(key);
    }
  });

  it('keeps secrets out of the config file and off flag values', () => {
    expect(configKeys).not.toContain('dtrToken');
    expect(configKeys).not.toContain('ucpPassword');
    expect(configKeys).not.toContain('confirmDestroy');
    expect(configKeys).not.toContain('acceptTagLoss');
    expect('valueName' in inputSpecs.dtrToken).toBe(false);
  });
});

describe('config files', () => {
  it('reads YAML and JSON with the same keys', async () => {
    const yaml = await loadConfigFile(
      await configFile('c.yaml', 'dtrUrl: https://dtr.example.com/\nreplicaId: 0123456789ab\ncopyConcurrency: 4\n'),
    );
    expect(yaml).toEqual({ dtrUrl: 'https://dtr.example.com', replicaId: '0123456789ab', copyConcurrency: 4 });
    const json = await loadConfigFile(await configFile('c.json', '{"username":"admin","insecureTls":true}'));
    expect(json).toEqual({ username: 'admin', insecureTls: true });
  });

  it('lists every problem: unknown keys, secrets, wrong types', async () => {
    const file = await configFile('bad.yaml', 'dtrUrl: 42\nreplicaId: xyz\ntoken: s3cret-value\nflavour: vanilla\n');
    const error = await loadConfigFile(file).catch((e: unknown) => e);
    expect(isMigrateError(error) && error.code).toBe('CONFIG_INVALID');
    const message = (error as Error).message;
    expect(message).toContain('dtrUrl');
    expect(message).toContain('replicaId');
    expect(message).toContain('token, flavour');
    expect(message).toContain('never in a file');
    expect(message).not.toContain('s3cret-value');
  });

  it('names a missing file and a syntax error', async () => {
    const missing = await loadConfigFile('/nonexistent/dtr.yaml').catch((e: unknown) => e);
    expect(isMigrateError(missing) && missing.code).toBe('CONFIG_UNREADABLE');
    const broken = await loadConfigFile(await configFile('b.json', '{"dtrUrl": ')).catch((e: unknown) => e);
    expect(isMigrateError(broken) && broken.code).toBe('CONFIG_INVALID');
  });
});

describe('input resolution', () => {
  const resolver = (over: Partial<ConstructorParameters<typeof InputResolver>[0]> = {}): InputResolver =>
    new InputResolver({ flags: {}, env: {}, config: {}, journal: {}, ...over }, scriptIo);

  it('takes a consent (destroy confirmation, accepted tag loss) from this run only, never from or into the journal', () => {
    const later = resolver({ journal: { confirmDestroy: '0123456789ab', acceptTagLoss: true, username: 'j' } });
    expect(later.peek('confirmDestroy')).toBeUndefined();
    expect(later.peek('acceptTagLoss')).toBe(false);
    expect(later.peek('username')).toBe('j');
    const now = resolver({ flags: { confirmDestroy: '0123456789ab', acceptTagLoss: true, username: 'f' } });
    now.checkGiven();
    expect(now.peek('confirmDestroy')).toBe('0123456789ab');
    expect(now.journalable()).toEqual(expect.objectContaining({ username: 'f' }));
    expect(now.journalable()).not.toHaveProperty('confirmDestroy');
    expect(now.journalable()).not.toHaveProperty('acceptTagLoss');
  });

  it('names where a bad value came from, as the operator would look for it', () => {
    const messageOf = (over: Partial<ConstructorParameters<typeof InputResolver>[0]>): string => {
      try {
        resolver(over).peek('jobTimeout');
      } catch (error) {
        return isMigrateError(error) ? error.message : String(error);
      }
      return 'no error';
    };
    expect(messageOf({ flags: { jobTimeout: 'soon' } })).toMatch(/^--job-timeout "soon" must be a number/);
    expect(messageOf({ config: { jobTimeout: 'soon' } })).toMatch(/^jobTimeout in the config file "soon"/);
    expect(messageOf({ journal: { jobTimeout: -1 } })).toMatch(
      /^--job-timeout \(kept in the journal of an earlier run\) "-1" must be above 0/,
    );
  });

  it('prefers flag over environment over config over journal over default', () => {
    expect(
      resolver({ flags: { username: 'f' }, env: { DTR_USERNAME: 'e' }, config: { username: 'c' } }).peek('username'),
    ).toBe('f');
    expect(resolver({ env: { DTR_USERNAME: 'e' }, config: { username: 'c' } }).peek('username')).toBe('e');
    expect(resolver({ config: { username: 'c' }, journal: { username: 'j' } }).peek('username')).toBe('c');
    expect(resolver({ journal: { username: 'j' } }).peek('username')).toBe('j');
    expect(resolver().peek('dockerBin')).toBe('docker');
  });

  it('reads secrets only from the environment or stdin, never a config file', () => {
    expect(resolver({ config: { dtrToken: 'x' } }).peek('dtrToken')).toBeUndefined();
    expect(resolver({ env: { DTR_TOKEN: 'tok' } }).peek('dtrToken')).toBe('tok');
  });

  it('names the flag of a missing input in a script (exit 3)', async () => {
    const error = await resolver()
      .require('dtrUrl')
      .catch((e: unknown) => e);
    expect(isMigrateError(error) && error.exitCode).toBe(3);
    expect((error as { hint: string }).hint).toContain('--dtr-url');
  });

  it('refuses a flag that contradicts the journal of the migration under way', () => {
    const r = resolver({ flags: { targetStorage: '/mnt/b' }, journal: { targetStorage: '/mnt/a' } });
    expect(() => r.peek('targetStorage')).toThrow(/journal says/);
  });

  it('never echoes a secret that fails validation', () => {
    const r = resolver({ env: { DTR_TOKEN: '' } });
    expect(r.peek('dtrToken')).toBeUndefined();
  });
});
