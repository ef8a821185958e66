/**
 * Shell completion for bash and zsh, generated from the commander program itself (its commands,
 * options and argument choices, as help shows them), so it cannot drift from what the CLI accepts.
 *
 * Both scripts work the same way: walk the words typed so far, skipping options and the values of
 * options that take one, to find the (sub)command being completed; then offer its subcommands and
 * options (a command's own and its parents', since commander accepts parent options after a
 * subcommand). After an option that takes a value: its choices if it has some, else file names.
 */
import type { Command, Option } from 'commander';

export const completionShells = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof completionShells)[number];

interface Word {
  readonly word: string;
  readonly description: string;
}

interface Level {
  /** Subcommand names from the root, space separated ('' for the program itself). */
  readonly path: string;
  readonly commands: readonly Word[];
  readonly options: readonly Word[];
}

interface Model {
  readonly name: string;
  readonly levels: readonly Level[];
  /** Every flag that takes a value, with its choices when it has a fixed set. */
  readonly valueFlags: ReadonlyMap<string, readonly string[] | undefined>;
}

const flagsOf = (option: Option): string[] => [option.short, option.long].filter((f): f is string => f !== undefined);

/** Declared choices (an input whose schema is an enum gets them), or the ones its value name lists (`<a|b>`). */
function choicesOf(option: Option): readonly string[] | undefined {
  if (option.argChoices !== undefined) return option.argChoices;
  const listed = /<([\w.-]+(?:\|[\w.-]+)+)>/.exec(option.flags)?.[1];
  return listed?.split('|');
}

function model(program: Command): Model {
  const levels: Level[] = [];
  const valueFlags = new Map<string, readonly string[] | undefined>();
  const visit = (command: Command, path: string, inherited: readonly Word[]): void => {
    const help = command.createHelp();
    const own: Word[] = [];
    for (const option of help.visibleOptions(command)) {
      for (const flag of flagsOf(option)) {
        own.push({ word: flag, description: option.description });
        if (option.required || option.optional) valueFlags.set(flag, choicesOf(option));
      }
    }
    const seen = new Set(own.map((w) => w.word));
    const options = [...own, ...inherited.filter((w) => !seen.has(w.word))];
    const children = help.visibleCommands(command);
    const choices = command.registeredArguments.flatMap((a) =>
      (a.argChoices ?? []).map((c) => ({ word: c, description: a.description })),
    );
    const commands = [
      ...children.flatMap((c) => [c.name(), ...c.aliases()].map((word) => ({ word, description: c.description() }))),
      ...choices,
    ];
    levels.push({ path, commands, options });
    // Help and version belong to the program; the rest of its options are accepted after any subcommand.
    const passed = options.filter((w) => !['-h', '--help', '-V', '--version'].includes(w.word));
    for (const child of command.commands) {
      if (children.includes(child)) visit(child, path === '' ? child.name() : `${path} ${child.name()}`, passed);
    }
  };
  visit(program, '', []);
  return { name: program.name(), levels, valueFlags };
}

const functionName = (name: string): string => `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
/** Single-quoted for both shells ('it'\''s'). */
const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
const words = (list: readonly Word[]): string => list.map((w) => w.word).join(' ');

/** `parent:child` patterns that extend the command path, for the `case` that walks the words. */
function transitions(m: Model): string {
  return m.levels.flatMap((level) => level.commands.map((c) => quote(`${level.path}:${c.word}`))).join('|');
}

function bash(m: Model): string {
  const fn = functionName(m.name);
  const takesValue = ` ${[...m.valueFlags.keys()].join(' ')} `;
  const choiceCases = [...m.valueFlags]
    .filter(([, choices]) => choices !== undefined)
    .map(
      ([flag, choices]) => `      ${flag}) COMPREPLY=($(compgen -W ${quote((choices ?? []).join(' '))} -- "$cur")) ;;`,
    );
  const levelCases = m.levels.map(
    (l) => `    ${quote(l.path)}) candidates=${quote(`${words(l.commands)} ${words(l.options)}`.trim())} ;;`,
  );
  return `# bash completion for ${m.name}, generated from its commands and options (${m.name} completion bash).
# Load it in this shell:  source <(${m.name} completion bash)
# Or for every shell:     ${m.name} completion bash > ~/.local/share/bash-completion/completions/${m.name}
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path='' word i candidates=''
  local takes_value=${quote(takesValue)}
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ $takes_value == *" $word "* ]]; then ((i++)); continue; fi
    case "$path:$word" in
      ${transitions(m)}) path=\${path:+$path }$word ;;
    esac
  done
  COMPREPLY=()
  if [[ $takes_value == *" $prev "* ]]; then
    # A value: its choices, else nothing here, so bash's default (file names) applies.
    case "$prev" in
${choiceCases.map((c) => `${c}\n`).join('')}      *) ;;
    esac
    return 0
  fi
  case "$path" in
${levelCases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
}
complete -o default -F ${fn} ${m.name}
`;
}

function zshWords(list: readonly Word[]): string {
  return list
    .map((w) =>
      quote(
        `${w.word.replace(/:/g, '\\:')}:${w.description.length > 70 ? `${w.description.slice(0, 69)}…` : w.description}`,
      ),
    )
    .join(' ');
}

function zsh(m: Model): string {
  const fn = functionName(m.name);
  const choiceCases = [...m.valueFlags]
    .filter(([, choices]) => choices !== undefined)
    .map(([flag, choices]) => `      (${flag}) compadd -- ${(choices ?? []).map(quote).join(' ')} ;;`);
  const levelCases = m.levels.map(
    (l) => `    (${quote(l.path)}) cmds=(${zshWords(l.commands)}); opts=(${zshWords(l.options)}) ;;`,
  );
  return `#compdef ${m.name}
# zsh completion for ${m.name}, generated from its commands and options (${m.name} completion zsh).
# Load it in this shell (after compinit):  source <(${m.name} completion zsh)
# Or for every shell: save it as _${m.name} in a directory of $fpath.
${fn}() {
  local cmdpath='' word prev i
  local -a takes_value cmds opts
  takes_value=(${[...m.valueFlags.keys()].join(' ')})
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    if (( \${takes_value[(Ie)$word]} )); then (( i++ )); continue; fi
    case "$cmdpath:$word" in
      (${transitions(m)}) cmdpath=\${cmdpath:+$cmdpath }$word ;;
    esac
  done
  prev=\${words[CURRENT-1]}
  if (( \${takes_value[(Ie)$prev]} )); then
    case $prev in
${choiceCases.map((c) => `${c}\n`).join('')}      (*) _files ;;
    esac
    return
  fi
  case "$cmdpath" in
${levelCases.join('\n')}
  esac
  _describe -t commands command cmds
  _describe -t options option opts
}
if [[ "$funcstack[1]" == "_${m.name}" ]]; then ${fn} "$@"; else compdef ${fn} ${m.name}; fi
`;
}

export function completionScript(program: Command, shell: CompletionShell): string {
  const m = model(program);
  return shell === 'bash' ? bash(m) : zsh(m);
}
