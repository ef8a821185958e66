/**
 * The inventories before and after, side by side per repository: how many tags each had, and which
 * were lost or now point at another digest (tags added since are counted, but lose nothing).
 */
import { compareInventories, type InventoryEntry, type TagInventory } from '../inventory/tags.js';

export interface RepositoryRow {
  readonly repository: string;
  readonly before: number;
  readonly after: number;
  readonly missing: readonly InventoryEntry[];
  readonly changed: ReadonlyArray<InventoryEntry & { readonly now: string }>;
  readonly added: number;
}

export interface InventoryDiff {
  readonly rows: readonly RepositoryRow[];
  readonly missing: number;
  readonly changed: number;
  readonly added: number;
}

/** Items grouped by repository, in one pass (an inventory may hold 100,000 tags in 10,000 repositories). */
function byRepository<T extends { readonly repository: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.repository);
    if (group === undefined) groups.set(item.repository, [item]);
    else group.push(item);
  }
  return groups;
}

export function diffInventories(before: TagInventory, after: TagInventory): InventoryDiff {
  const comparison = compareInventories(before, after);
  const had = new Set(before.tags.map((t) => `${t.repository}:${t.tag}`));
  const beforeTags = byRepository(before.tags);
  const afterTags = byRepository(after.tags);
  const missing = byRepository(comparison.missing);
  const changed = byRepository(comparison.changed);
  const names = [...new Set([...beforeTags.keys(), ...afterTags.keys()])].sort((a, b) => a.localeCompare(b));
  const rows = names.map((repository) => ({
    repository,
    before: beforeTags.get(repository)?.length ?? 0,
    after: afterTags.get(repository)?.length ?? 0,
    missing: missing.get(repository) ?? [],
    changed: changed.get(repository) ?? [],
    added: (afterTags.get(repository) ?? []).filter((t) => !had.has(`${t.repository}:${t.tag}`)).length,
  }));
  return {
    rows,
    missing: comparison.missing.length,
    changed: comparison.changed.length,
    added: rows.reduce((sum, row) => sum + row.added, 0),
  };
}
