/**
 * The tag inventory: every repository and tag with its manifest digest, read through the DTR API with
 * its pagination. Taken before anything changes and again afterwards; the two must agree, or a tag
 * was lost. Repositories are listed with bounded concurrency, so 100,000 tags take neither unbounded
 * memory nor unbounded connections.
 */
import { z } from 'zod';
import type { DtrClient } from '../api/client.js';
import type { Repository } from '../api/schemas.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isNotRegularFile, readRegularFile } from '../util/regular-file.js';
import { MigrateError } from '../errors.js';

const entrySchema = z.object({ repository: z.string(), tag: z.string(), digest: z.string() });
export type InventoryEntry = z.infer<typeof entrySchema>;

export const inventorySchema = z.object({
  version: z.literal(1),
  takenAt: z.string(),
  dtrUrl: z.string(),
  repositories: z.number().int().nonnegative(),
  tags: z.array(entrySchema),
});
export type TagInventory = z.infer<typeof inventorySchema>;

export const inventoryFileName = 'inventory-before.json';
/** The inventory the after-check took, kept beside the one from before for the report and auditors. */
export const inventoryAfterFileName = 'inventory-after.json';

export interface InventoryOptions {
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (repositories: number, tags: number) => void;
}

export async function takeInventory(api: DtrClient, options: InventoryOptions = {}): Promise<TagInventory> {
  const tags: InventoryEntry[] = [];
  let repositories = 0;
  const queue: Repository[] = [];
  const source = api.repositories();
  let exhausted = false;
  // Workers pull repositories from the paged listing as they go: at most `concurrency` tag listings run at once.
  const next = async (): Promise<Repository | undefined> => {
    if (queue.length > 0) return queue.shift();
    if (exhausted) return undefined;
    const item = await source.next();
    if (item.done === true) {
      exhausted = true;
      return undefined;
    }
    return item.value;
  };
  const worker = async (): Promise<void> => {
    for (let repo = await next(); repo !== undefined; repo = await next()) {
      if (options.signal?.aborted === true) throw new MigrateError('INTERRUPTED', 'the inventory was interrupted');
      const name = `${repo.namespace}/${repo.name}`;
      for await (const tag of api.tags(repo.namespace, repo.name))
        tags.push({ repository: name, tag: tag.name, digest: tag.digest });
      repositories += 1;
      options.onProgress?.(repositories, tags.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  tags.sort((a, b) =>
    a.repository === b.repository ? a.tag.localeCompare(b.tag) : a.repository.localeCompare(b.repository),
  );
  return { version: 1, takenAt: new Date().toISOString(), dtrUrl: api.url, repositories, tags };
}

export interface InventoryComparison {
  readonly ok: boolean;
  readonly missing: readonly InventoryEntry[];
  readonly changed: ReadonlyArray<InventoryEntry & { readonly now: string }>;
}

/** Every tag of `before` must be in `after` with the same digest; tags added since are fine. */
export function compareInventories(before: TagInventory, after: TagInventory): InventoryComparison {
  const now = new Map(after.tags.map((t) => [`${t.repository}:${t.tag}`, t.digest]));
  const missing: InventoryEntry[] = [];
  const changed: Array<InventoryEntry & { now: string }> = [];
  for (const entry of before.tags) {
    const digest = now.get(`${entry.repository}:${entry.tag}`);
    if (digest === undefined) missing.push(entry);
    else if (digest !== entry.digest) changed.push({ ...entry, now: digest });
  }
  return { ok: missing.length === 0 && changed.length === 0, missing, changed };
}

export async function writeInventory(file: string, inventory: TagInventory): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(inventory)}\n`);
}

export async function readInventory(file: string): Promise<TagInventory> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readRegularFile(file));
  } catch (error) {
    const why = isNotRegularFile(error) ? error.message : `${file} is missing or not JSON`;
    throw new MigrateError('USAGE', `the inventory ${why}`, {
      hint: 'Pass --against with an inventory.json written by dtr-migrate.',
    });
  }
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success)
    throw new MigrateError('USAGE', `the inventory ${file} is not one dtr-migrate wrote`, {
      hint: 'Pass --against with an inventory.json written by dtr-migrate.',
    });
  return parsed.data;
}
