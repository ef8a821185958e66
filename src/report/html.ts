/**
 * The page around the sections: one self-contained HTML file. Its styles are inline and its pictures
 * inline SVG; it has no script, and its Content-Security-Policy forbids fetching anything, so it opens
 * the same from an air-gapped laptop as from the server, and prints legibly (see the print rules).
 */

/** Text made safe to place in HTML, as content or as an attribute value. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A journal time as people read it: "2026-05-04 13:02:11 UTC" (the journal keeps the milliseconds). */
export function when(iso: string | undefined): string {
  return iso === undefined ? '' : esc(iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'));
}

/** A table: `head` cells as given, each row's cells already HTML (escape values with esc). */
export function table(head: readonly string[], rows: readonly string[][], attributes = ''): string {
  const header = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.join('')}</tr>`).join('\n');
  return `<table${attributes}><thead><tr>${header}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A label → value list (values already HTML). */
export function facts(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `<dl>${pairs.map(([term, value]) => `<dt>${esc(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

const css = `
:root { --ok: #13743a; --bad: #b42318; --warn: #a15c07; --muted: #596273; --line: #d8dce2; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2230; margin: 0 auto;
  max-width: 1040px; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.sub, .muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em;
  overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; padding: .3rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.diff td { background: #fdeceb; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.2rem; margin: .4rem 0 1rem; }
dt { color: var(--muted); }
dd { margin: 0; }
ul { margin: .2rem 0 .6rem; padding-left: 1.2rem; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 700; }
.warn { color: var(--warn); font-weight: 600; }
.verdict { border: 2px solid; border-radius: 8px; padding: .7rem 1rem; margin: 1rem 0; font-size: 1.05rem; }
.verdict.ok { border-color: var(--ok); background: #e9f6ee; }
.verdict.bad { border-color: var(--bad); background: #fdeceb; }
.verdict.warn { border-color: var(--warn); background: #fdf3e3; }
.cards { display: flex; flex-wrap: wrap; gap: .8rem; margin: .6rem 0 1rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .9rem; min-width: 9rem; }
.card .n { display: block; font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; }
  tr, .card, .verdict, svg, dl { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
