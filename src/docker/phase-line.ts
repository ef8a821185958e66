/**
 * The bootstrapper's current phase, from the latest line it logged: what a long destroy, restore,
 * reconfigure or join shows beside its spinner. The bootstrapper logs with logrus, as
 * `time="..." level=info msg="..."`, or `INFO[0012] ...` when its output is a terminal, or as JSON;
 * the message is what the operator reads. Secrets are masked before a line gets here (docker.ts) and
 * again by the runner before it is shown.
 */

const longest = 160;

// Terminal colour and cursor codes a container may write.
// eslint-disable-next-line no-control-regex
const escapes = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The readable part of a bootstrapper log line, or undefined for a line that says nothing. */
export function phaseOf(line: string): string | undefined {
  const plain = line.replace(escapes, '').trim();
  if (plain === '') return undefined;
  const { level, message } = parsed(plain);
  const text = message.trim();
  if (text === '') return undefined;
  const shown = level === undefined || /^info$/i.test(level) ? text : `${level.toLowerCase()}: ${text}`;
  return shown.length > longest ? `${shown.slice(0, longest - 1)}…` : shown;
}

function parsed(line: string): { level?: string; message: string } {
  if (line.startsWith('{')) {
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (typeof entry.msg === 'string')
        return { ...(typeof entry.level === 'string' ? { level: entry.level } : {}), message: entry.msg };
    } catch {
      // Not JSON after all: shown as it is.
    }
  }
  const msg = /(?:^|\s)msg=("(?:[^"\\]|\\.)*"|\S+)/.exec(line)?.[1];
  if (msg !== undefined) {
    const level = /(?:^|\s)level=(\w+)/.exec(line)?.[1];
    const message = msg.startsWith('"') ? msg.slice(1, -1).replace(/\\(.)/g, '$1') : msg;
    return { ...(level === undefined ? {} : { level }), message };
  }
  const terminal = /^(INFO|WARN|WARNING|ERRO|ERROR|FATA|DEBU)\[[^\]]*\]\s*(.*)$/.exec(line);
  if (terminal !== null) return { level: terminal[1] ?? 'INFO', message: terminal[2] ?? '' };
  return { message: line };
}
