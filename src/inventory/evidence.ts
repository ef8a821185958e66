/**
 * The after-check, in one place for the steps and the `verify` command: the inventory now against the
 * one taken before (every tag present, same digest), then the pull check through `/v2/`, summed up in
 * the one line an operator wants: "1,234 tags in 210 repositories: all present, same digests, 5,678
 * blobs checked".
 */
import type { DtrClient } from '../api/client.js';
import { RegistryClient } from '../api/registry.js';
import type { HttpOptions } from '../api/http.js';
import { formatCount } from '../util/format.js';
import { pullCheck, type PullCheckMode, type PullCheckResult } from './pull-check.js';
import { compareInventories, takeInventory, type InventoryComparison, type TagInventory } from './tags.js';

export interface Evidence {
  readonly ok: boolean;
  readonly now: TagInventory;
  readonly comparison: InventoryComparison | undefined;
  readonly pull: PullCheckResult | undefined;
  /** The one-line verdict. */
  readonly summary: string;
  /** Every problem, one per line, for the log and --json. */
  readonly problems: readonly string[];
}

export interface EvidenceOptions {
  readonly api: DtrClient;
  readonly connection: HttpOptions;
  readonly before: TagInventory | undefined;
  readonly pullCheck: PullCheckMode;
  /** `repository:tag` of tags known to be incomplete before (accepted at the gate): compared, not pulled. */
  readonly notPullable?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly progress?: (text: string) => void;
}

export async function gatherEvidence(options: EvidenceOptions): Promise<Evidence> {
  const progress = options.progress ?? (() => undefined);
  const now = await takeInventory(options.api, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onProgress: (r, t) => progress(`inventory: ${formatCount(r)} repositories, ${formatCount(t)} tags`),
  });
  const comparison = options.before === undefined ? undefined : compareInventories(options.before, now);
  const problems: string[] = [];
  for (const e of comparison?.missing ?? []) problems.push(`lost: ${e.repository}:${e.tag} (${e.digest})`);
  for (const e of comparison?.changed ?? []) problems.push(`changed: ${e.repository}:${e.tag} ${e.digest} -> ${e.now}`);
  let pull: PullCheckResult | undefined;
  if (options.pullCheck !== 'none') {
    const registry = new RegistryClient(options.connection);
    try {
      // The tags that should be there (those of the inventory before, when there is one), less those already
      // lost, and those already incomplete before the migration.
      const lost = new Set([
        ...(comparison?.missing ?? []).map((e) => `${e.repository}:${e.tag}`),
        ...(options.notPullable ?? []),
      ]);
      pull = await pullCheck(
        registry,
        (options.before ?? now).tags.filter((t) => !lost.has(`${t.repository}:${t.tag}`)),
        {
          mode: options.pullCheck,
          onProgress: (tags, blobs) =>
            progress(`pull check (${options.pullCheck}): ${formatCount(tags)} tags, ${formatCount(blobs)} blobs`),
        },
      );
    } finally {
      await registry.close();
    }
    for (const p of pull.problems) problems.push(`not pullable: ${p.repository}:${p.tag} (${p.digest}): ${p.problem}`);
  }
  const base = options.before ?? now;
  const tagPart = `${formatCount(base.tags.length)} tags in ${formatCount(base.repositories)} repositories`;
  const presence =
    comparison === undefined
      ? 'listed'
      : comparison.ok
        ? 'all present, same digests'
        : `${comparison.missing.length} lost, ${comparison.changed.length} changed`;
  const pullPart =
    pull === undefined
      ? 'no pull check'
      : pull.ok
        ? `${formatCount(pull.blobsChecked)} blobs checked${pull.blobsFetched > 0 ? ` (${formatCount(pull.blobsFetched)} fetched and hashed)` : ''}`
        : `${pull.problems.length} pull problem(s)`;
  return {
    ok: problems.length === 0,
    now,
    comparison,
    pull,
    summary: `${tagPart}: ${presence}, ${pullPart}`,
    problems,
  };
}
