/** The schemas of input values (inputs.ts): what each kind of value must look like, and the message when not. */
import { z } from 'zod';

export const httpUrl = z
  .string()
  .url('must be a URL such as https://dtr.example.com')
  .refine((value) => /^https?:\/\//.test(value), 'must start with https:// or http://')
  // It would be kept in the journal and shown in messages: credentials have their own inputs.
  .refine(
    (value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''),
    'must not hold a user name or password: give the user with its own flag and the secret in its variable',
  )
  .transform((value) => value.replace(/\/+$/, ''));
export const version = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version such as 2.6.4');
export const path = z.string().min(1, 'must be a path');
/** DTR's crons have a seconds field: six fields, e.g. `0 0 1 * * 6` (dtr-api.md section 11). */
export const gcSchedule = z
  .string()
  .refine(
    (value) => value === 'none' || value.trim().split(/\s+/).length === 6,
    "must be a cron with seconds, such as '0 0 1 * * 6', or none",
  );
export const nfsUrl = z.string().regex(/^nfs:\/\/[^/\s]+\/\S*$/, 'must look like nfs://<host>/<path>');
export const positiveInt = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .positive('must be above 0');
export const count = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more');
/** Node's timers cannot wait longer than 2^31 ms; an hour is far beyond any sane API answer anyway. */
export const timeoutSeconds = positiveInt.max(3600, 'must be 3600 (one hour) or less');
export const flagBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** An image repository with at least one `/` (a registry host may carry a port), and no tag or digest. */
export const imageRepository = z
  .string()
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/,
    'must be an image repository without a tag, such as registry.example.com/mirantis/dtr (the tag is always the running version)',
  );
