/**
 * Reads a `--config` file (JSON or YAML). Its keys are the non-secret inputs of inputs.ts; anything
 * else (a typo, a secret) is refused with every problem listed as "key: message".
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MigrateError } from '../errors.js';
import { configKeys, specOf, type InputKey } from './inputs.js';

const secretKeyHint = /token|password|secret/i;

/** The config file's strict schema, derived from the input table. */
export const configFileSchema = z
  .object(Object.fromEntries(configKeys.map((key) => [key, specOf(key).schema.optional()])) as Record<InputKey, z.ZodOptional<z.ZodType<unknown>>>)
  .strict();

export type ConfigFile = Partial<Record<InputKey, unknown>>;

export async function loadConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new MigrateError('CONFIG_UNREADABLE', `the config file ${file} ${reason}`, { hint: 'Check the path given to --config.' });
  }
  let raw: unknown;
  try {
    raw = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : 'syntax error';
    throw new MigrateError('CONFIG_INVALID', `the config file ${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${detail}`, {
      hint: 'Fix the syntax, or check it with `dtr-migrate plan --config <file>`.',
    });
  }
  if (raw === null || raw === undefined) return {};
  const parsed = configFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data as ConfigFile;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      const secret = keys.some((k) => secretKeyHint.test(k));
      return `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}${secret ? ' (secrets belong in DTR_TOKEN / UCP_PASSWORD, never in a file)' : ''}`;
    }
    return `${issue.path.join('.') || '(top level)'}: ${issue.message}`;
  });
  throw new MigrateError('CONFIG_INVALID', `the config file ${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.join('; ')}`, {
    hint: `Valid keys: ${configKeys.join(', ')}.`,
  });
}
