/**
 * A config file means exactly one thing: a key given twice (JSON takes the last one silently) and a YAML
 * tag such as `!!js/function` (which yaml can only warn about, on stderr) are refused cleanly (issue 12).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-strict-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('a config file', () => {
  it('refuses a key given twice in JSON, naming it, as in YAML', async () => {
    const json = await file(
      'm.json',
      '{"sourceStorage": "/mnt/old", "targetStorage": "/mnt/new", "sourceStorage": "/mnt/x"}',
    );
    await expect(loadConfigFile(json)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('sourceStorage'),
    });
    const yaml = await file('m.yaml', 'sourceStorage: /mnt/old\nsourceStorage: /mnt/x\n');
    await expect(loadConfigFile(yaml)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a YAML tag it cannot resolve, without printing a warning', async () => {
    const warnings = vi.spyOn(process, 'emitWarning');
    const yaml = await file('m.yaml', 'sourceStorage: !!js/function "function () { return 1 }"\n');
    await expect(loadConfigFile(yaml)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('js/function'),
    });
    expect(warnings).not.toHaveBeenCalled();
  });

  it('still reads a plain JSON and YAML file', async () => {
    expect(await loadConfigFile(await file('ok.json', '{"sourceStorage": "/mnt/old"}'))).toEqual({
      sourceStorage: '/mnt/old',
    });
    expect(await loadConfigFile(await file('ok.yaml', 'sourceStorage: /mnt/old\n'))).toEqual({
      sourceStorage: '/mnt/old',
    });
  });
});
