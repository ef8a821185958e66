/**
 * Colours, symbols and layout for what a person reads. Colour is on only when the stream is a
 * terminal and neither NO_COLOR, TERM=dumb nor --no-color says otherwise; without it no escape code
 * is ever written (chalk at level 0 returns its input untouched).
 *
 * Layout: text is broken at spaces to fit a width, so paths and digests are never cut in two. Only on
 * a terminal (a width is given) is a word wider than a whole line shortened, in the middle, with "…";
 * redirected output and logs keep every line whole, so they stay greppable and copyable.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Style {
  readonly color: boolean;
  readonly chalk: ChalkInstance;
  readonly ok: string;
  readonly fail: string;
  readonly warn: string;
  readonly next: string;
  readonly locked: string;
  readonly skip: string;
}

export function colorWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag || (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') || env['TERM'] === 'dumb') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

export function makeStyle(color: boolean): Style {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return {
    color,
    chalk,
    ok: chalk.green('✔'),
    fail: chalk.red('✖'),
    warn: chalk.yellow('!'),
    next: chalk.cyan('▸'),
    locked: chalk.dim('○'),
    skip: chalk.dim('↷'),
  };
}

/** The widest a terminal line is drawn: wider screens gain nothing but long eye movements. */
export const maxWidth = 100;

/** The width to lay out for on a terminal stream, or undefined (no wrapping) elsewhere. */
export function screenWidth(stream: NodeJS.WriteStream): number | undefined {
  if (stream.isTTY !== true) return undefined;
  const columns = stream.columns;
  return Math.min(columns !== undefined && columns > 0 ? columns : 80, maxWidth);
}

// SGR sequences only: they are all chalk writes.
// eslint-disable-next-line no-control-regex
const sgr = /\x1b\[[0-9;]*m/g;
// eslint-disable-next-line no-control-regex
const leadingSgr = /^(?:\x1b\[[0-9;]*m)*/;

export function stripAnsi(text: string): string {
  return text.replace(sgr, '');
}

/** Columns a string takes (every character we print is one column wide). */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}

/**
 * Shortens a word to `room` columns: a digest keeps its head (enough to recognise it), anything else
 * (a path) keeps its start and its end, where the file name is.
 */
export function shorten(word: string, room: number): string {
  const plain = [...stripAnsi(word)];
  if (plain.length <= room) return word;
  // Colour codes are kept around the shortened text, so a style opened or closed in this word still is.
  const lead = leadingSgr.exec(word)?.[0] ?? '';
  const rest = word.slice(lead.length).match(sgr)?.join('') ?? '';
  const joined = plain.join('');
  let short: string;
  if (room < 2) short = plain.slice(0, Math.max(room, 0)).join('');
  else if (/^(sha256[:\u00a0])?[0-9a-f]{40,}[,;:)]?$/.test(joined)) short = `${plain.slice(0, room - 1).join('')}…`;
  else {
    const head = Math.ceil((room - 1) / 3);
    short = `${plain.slice(0, head).join('')}…${plain.slice(plain.length - (room - 1 - head)).join('')}`;
  }
  return `${lead}${short}${rest}`;
}

/**
 * `first` then `text`, broken at spaces into lines of at most `width` columns, lines after the first
 * starting with `indent`. Without a width the text stays on one line. A word wider than a line is
 * shortened only with `shortenWords` (on a screen); on a stream that may be a file it stays whole.
 */
export function wrap(
  first: string,
  text: string,
  indent: string,
  width: number | undefined,
  shortenWords = true,
): string[] {
  if (width === undefined) return [`${first}${text}`];
  // A digest stays on the line of its label ("sha256 <hex>"), so it reads as one thing.
  const words = text.replace(/\bsha256 (?=[0-9a-f]{12})/g, 'sha256\u00a0').split(' ');
  const lines: string[] = [];
  let line = first;
  let used = visibleLength(first);
  let empty = true;
  for (const raw of words) {
    if (raw === '') continue;
    // A word that does not fit goes to the next line whole; only there, if it is wider than a whole
    // line, is it shortened.
    if (!empty && used + 1 + visibleLength(raw) > width) {
      lines.push(line);
      line = indent;
      used = visibleLength(indent);
      empty = true;
    }
    const word = shortenWords && empty ? shorten(raw, width - used) : raw;
    line += empty ? word : ` ${word}`;
    used += visibleLength(word) + (empty ? 0 : 1);
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => l.replace(/\u00a0/g, ' '));
}

export interface BoxSection {
  readonly title: string;
  readonly lines: ReadonlyArray<{ readonly mark: string; readonly text: string }>;
}

/**
 * A box drawn with a left border and rules only, so no line has to be padded to a right edge: it stays
 * a box with any line length, in a file as on a screen.
 */
export function box(
  sections: readonly BoxSection[],
  footer: readonly string[],
  style: Style,
  width: number | undefined,
): string[] {
  const ruleWidth = Math.min(width ?? 80, 80);
  const bar = style.chalk.dim('│');
  const rule = (left: string, title: string): string =>
    title === ''
      ? style.chalk.dim(`${left}${'─'.repeat(ruleWidth - 1)}`)
      : `${style.chalk.dim(`${left}─ `)}${title} ${style.chalk.dim('─'.repeat(Math.max(3, ruleWidth - 4 - visibleLength(title))))}`;
  const out: string[] = [];
  sections.forEach((section, i) => {
    out.push(rule(i === 0 ? '┌' : '├', section.title));
    for (const { mark, text } of section.lines) out.push(...wrap(`${bar} ${mark} `, text, `${bar}   `, width));
  });
  if (footer.length > 0) {
    out.push(rule('├', ''));
    for (const line of footer) out.push(...wrap(`${bar} `, line, `${bar} `, width));
  }
  out.push(rule('└', ''));
  return out;
}
