/**
 * The steps on a time line, as inline SVG: one bar per step from its start to its end (the last attempt
 * of each), coloured by its state, with the span DTR was unavailable or read-only shaded behind them.
 */
import { formatDuration } from '../util/format.js';
import { esc, when } from './html.js';
import type { ReportStep, TimeWindow } from './model.js';

const width = 960;
const labelWidth = 300;
const rowHeight = 26;
const top = 28;
const plotWidth = width - labelWidth - 90;

const colours: Record<string, string> = {
  verified: '#13743a',
  failed: '#b42318',
  interrupted: '#a15c07',
  running: '#2f6fb3',
  pending: '#9aa3af',
};

interface Span {
  readonly from: number;
  readonly to: number;
}

function spanOf(step: ReportStep, now: number): Span | undefined {
  const { startedAt, endedAt } = step.record;
  if (startedAt === undefined) return undefined;
  const from = Date.parse(startedAt);
  return { from, to: endedAt === undefined ? now : Math.max(from, Date.parse(endedAt)) };
}

export function timelineSvg(
  steps: readonly ReportStep[],
  windows: ReadonlyArray<{ readonly window: TimeWindow; readonly label: string; readonly colour: string }>,
  now: number,
): string {
  const spans = steps.map((step) => spanOf(step, now));
  const known = spans.filter((s): s is Span => s !== undefined);
  if (known.length === 0) return '<p class="muted">No step has started yet.</p>';
  const start = Math.min(...known.map((s) => s.from));
  const end = Math.max(start + 1, ...known.map((s) => s.to));
  const x = (t: number): number => labelWidth + ((t - start) / (end - start)) * plotWidth;
  const height = top + steps.length * rowHeight + 34;
  const parts: string[] = [];
  windows.forEach(({ window, label, colour }, i) => {
    const from = x(Math.max(start, Date.parse(window.from)));
    const to = x(window.to === undefined ? end : Math.min(end, Date.parse(window.to)));
    parts.push(
      `<rect x="${from.toFixed(1)}" y="${top - 6}" width="${Math.max(2, to - from).toFixed(1)}" height="${steps.length * rowHeight + 6}" fill="${colour}" opacity="0.16"/>`,
      `<text x="${from.toFixed(1)}" y="${12 + i * 12}" font-size="11" fill="${colour}">${esc(label)}</text>`,
    );
  });
  steps.forEach((step, i) => {
    const y = top + i * rowHeight;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" font-size="12" text-anchor="end" fill="#1c2230">${i + 1}. ${esc(step.title)}</text>`,
    );
    const span = spans[i];
    if (span === undefined) {
      parts.push(`<text x="${labelWidth}" y="${y + 15}" font-size="11" fill="#596273">not started</text>`);
      return;
    }
    const from = x(span.from);
    const barWidth = Math.max(2, x(span.to) - from);
    const took = step.record.durationMs ?? span.to - span.from;
    parts.push(
      `<rect x="${from.toFixed(1)}" y="${y + 4}" width="${barWidth.toFixed(1)}" height="${rowHeight - 10}" rx="2" fill="${colours[step.record.status] ?? '#9aa3af'}"><title>${esc(step.title)}: ${esc(step.record.status)}, ${esc(formatDuration(took))}</title></rect>`,
      `<text x="${(from + barWidth + 5).toFixed(1)}" y="${y + 15}" font-size="11" fill="#596273">${esc(formatDuration(took))}</text>`,
    );
  });
  const axis = top + steps.length * rowHeight + 6;
  parts.push(
    `<line x1="${labelWidth}" y1="${axis}" x2="${labelWidth + plotWidth}" y2="${axis}" stroke="#d8dce2"/>`,
    `<text x="${labelWidth}" y="${axis + 16}" font-size="11" fill="#596273">${when(new Date(start).toISOString())}</text>`,
    `<text x="${labelWidth + plotWidth}" y="${axis + 16}" font-size="11" text-anchor="end" fill="#596273">${when(new Date(end).toISOString())} (${esc(formatDuration(end - start))} in all)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Timeline of the steps">\n${parts.join('\n')}\n</svg>`;
}
