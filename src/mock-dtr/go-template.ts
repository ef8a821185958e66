/**
 * The subset of docker's `--format` Go templates the stand-in understands: `{{.A.B}}`, `{{json .A.B}}`
 * and `{{json .}}`, applied to the inspect JSON. A missing key gives `<no value>` (or `null` under json),
 * as Go templates do on docker's map-based inspect output.
 */

function goString(value: unknown): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `map[${entries.map(([k, v]) => `${k}:${goString(v)}`).join(' ')}]`;
  }
  return String(value);
}

/** A renderer for `format`, or undefined when the format is outside the subset. */
export function compileFormat(format: string): ((value: unknown) => string) | undefined {
  const match = /^\{\{\s*(json\s+)?\.((?:[A-Za-z_]\w*)(?:\.[A-Za-z_]\w*)*)?\s*\}\}$/.exec(format.trim());
  if (match === null) return undefined;
  const path = match[2] === undefined ? [] : match[2].split('.');
  const asJson = match[1] !== undefined;
  return (value) => {
    let current = value;
    for (const key of path)
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
    return asJson ? JSON.stringify(current ?? null) : goString(current);
  };
}
