/**
 * A rehearsal leaves report.html, and a real browser renders it: Debian's Chromium, headless, driven by
 * playwright-core. The page must show the backup's sha256, every step and the tag counts of the
 * inventories, and request nothing but itself. The rehearsal's --json stream is checked against the
 * schema on the way. A screenshot and a PDF print are kept under test/.output/report/ for a person.
 *
 * CI installs chromium (.ci/run): there this test fails without it. Elsewhere it is skipped, saying so.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TagInventory } from '../../src/inventory/tags.js';
import type { JournalData } from '../../src/runner/journal.js';
import { repoRoot } from '../helpers/cli.js';
import { expectValidStream } from '../helpers/event-schema.js';
import { longTestMs, runLong } from '../helpers/fault-checks.js';
import { stepOrder } from '../helpers/mock-migration.js';

const chromiumPath = '/usr/bin/chromium';
const outputDir = join(repoRoot, 'test', '.output', 'report');
const inCi = process.env['CI'] !== undefined;
const haveChromium = existsSync(chromiumPath);
if (!haveChromium && !inCi)
  console.warn(
    `report.test.ts skipped: no ${chromiumPath} here (apt-get install chromium; CI installs it and runs this)`,
  );

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

describe.skipIf(!haveChromium && !inCi)('the report of a rehearsal, in Chromium', () => {
  it(
    'shows the sha256, every step and the tag counts, and loads nothing from outside',
    async () => {
      const run = await runLong(['rehearse', '--yes', '--keep', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const result = expectValidStream(run.stdout).at(-1);
      const reportFile = String(result?.['report']);
      const stateDir = dirname(reportFile);
      const profile = await mkdtemp(join(tmpdir(), 'report-chromium-'));
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const own = pathToFileURL(reportFile).href;
        const requested: string[] = [];
        // Everything the page asks for is recorded; only the page itself is let through.
        await browser.route('**/*', (route) => {
          requested.push(route.request().url());
          return route.request().url() === own ? route.continue() : route.abort();
        });
        const page = await browser.newPage();
        await page.goto(own);
        const text = await page.locator('body').innerText();

        const journal = await readJson<JournalData>(join(stateDir, 'journal.json'));
        const backup = journal.steps['backup']?.data?.['backup'] as { sha256: string } | undefined;
        expect(backup?.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(await page.locator('[data-sha256]').innerText()).toBe(backup?.sha256);
        expect(text).toContain(backup?.sha256);
        for (const id of stepOrder) {
          const row = page.locator(`[data-step="${id}"]`);
          expect(await row.count()).toBe(1);
          expect(await row.innerText()).toContain(id);
        }
        expect(await page.locator('[data-outcome]').getAttribute('data-outcome')).toBe('complete');

        const before = await readJson<TagInventory>(join(stateDir, 'inventory-before.json'));
        const after = await readJson<TagInventory>(join(stateDir, 'inventory-after.json'));
        expect(await page.locator('[data-tags-before]').innerText()).toBe(String(before.tags.length));
        expect(await page.locator('[data-tags-after]').innerText()).toBe(String(after.tags.length));
        expect(await page.locator('[data-tags-lost]').innerText()).toBe('0');
        for (const repository of new Set(before.tags.map((t) => t.repository))) {
          const count = String(before.tags.filter((t) => t.repository === repository).length);
          const cells = await page.locator(`[data-repository="${repository}"] td`).allInnerTexts();
          expect(cells.slice(0, 3)).toEqual([repository, count, count]);
        }
        expect(requested).toEqual([own]);
        // Nor could it: no script, no stylesheet link, nothing with a source, no CSS url().
        expect(await page.locator('script, link, [src], [srcset]').count()).toBe(0);
        expect(await page.content()).not.toMatch(/url\(/);

        await mkdir(outputDir, { recursive: true });
        await page.screenshot({ path: join(outputDir, 'rehearsal-report.png'), fullPage: true });
        await page.emulateMedia({ media: 'print' });
        const pdf = await page.pdf({ path: join(outputDir, 'rehearsal-report.pdf'), format: 'A4' });
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      } finally {
        await browser.close();
        await rm(profile, { recursive: true, force: true });
        await rm(dirname(stateDir), { recursive: true, force: true });
      }
    },
    longTestMs,
  );
});
