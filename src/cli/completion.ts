/**
 * `meseta completion bash|zsh`: prints a shell completion script built from the verbs and
 * flags registered on the program, so it never falls behind them. It completes verbs,
 * sub-verbs (`config use-context`, `rollout status`), each verb's flags and the global ones,
 * the resource word (every kind `get` reads; apps and agents for `describe`; apps for the other
 * verbs), App names, also after `--app` (by asking `meseta get apps -o name` in the namespace on
 * the line), and agent names. zsh uses the same script through bashcompinit.
 */
import type { Command, Option } from 'commander';
import { UsageError } from '../errors.ts';

const resourceVerbs = ['get', 'describe', 'delete', 'scale', 'label', 'annotate'];

function flagsOf(command: Command): string[] {
  return command.options.flatMap((o: Option) => [o.short, o.long].filter((f): f is string => !!f));
}

/** The bash completion script for `program`. Pure. */
export function bashCompletion(program: Command): string {
  const global = flagsOf(program).join(' ');
  const verbs = program.commands.map((c) => c.name());
  const cases = program.commands
    .map((command) => {
      const subs = command.commands.map((c) => c.name());
      const subCases = command.commands
        .map((sub) => `          ${sub.name()}) flags="${flagsOf(sub).join(' ')}" ;;`)
        .join('\n');
      const body = subs.length
        ? [
            `      if [[ -z "$sub" ]]; then words="${subs.join(' ')}"; fi`,
            '      case "$sub" in',
            subCases,
            '      esac',
          ].join('\n')
        : `      flags="${flagsOf(command).join(' ')}"`;
      return `    ${command.name()})\n${body}\n      ;;`;
    })
    .join('\n');
  return `# meseta bash completion. Load with: source <(meseta completion bash)
__meseta_apps() {
  local ns=()
  [[ -n "$1" ]] && ns=(-n "$1")
  meseta get apps -o name "\${ns[@]}" 2>/dev/null | sed 's|^[^/]*/||'
}

__meseta_agents() {
  meseta get agents -o name 2>/dev/null | sed 's|^[^/]*/||'
}

__meseta_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local verb="" sub="" resource="" namespace="" i word
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      -n|--namespace) namespace="\${COMP_WORDS[i+1]}"; ((i++)); continue ;;
      --config|--context|--etcd|--prefix|-o|--output|-l|--selector|-f|--filename|--timeout|--instances|--current-instances|--dry-run|--applyset|--app|--for) ((i++)); continue ;;
      -*) continue ;;
    esac
    if [[ -z "$verb" ]]; then verb="$word"
    elif [[ -z "$sub" && -z "$resource" ]]; then sub="$word"; resource="$word"
    fi
  done
  local words="" flags=""
  case "$verb" in
    "") words="${verbs.join(' ')}" ;;
${cases}
  esac
  case " ${resourceVerbs.join(' ')} " in
    *" $verb "*)
      if [[ -z "$resource" && "$verb" == get ]]; then words="apps app instances revisions events agents"
      elif [[ -z "$resource" && "$verb" == describe ]]; then words="apps app agent"
      elif [[ -z "$resource" ]]; then words="apps app"
      elif [[ "$resource" == app || "$resource" == apps ]]; then words="$(__meseta_apps "$namespace")"
      elif [[ "$resource" == agent || "$resource" == agents ]]; then words="$(__meseta_agents)"
      fi ;;
  esac
  [[ "$prev" == --app ]] && words="$(__meseta_apps "$namespace")"
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags ${global}" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -F __meseta_complete meseta
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef meseta
# meseta zsh completion. Load with: source <(meseta completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split('\n').slice(1).join('\n')}`;
}

export function register(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      '\nExamples:\n  meseta completion bash > /etc/bash_completion.d/meseta\n  source <(meseta completion bash)\n  meseta completion zsh > "${fpath[1]}/_meseta"',
    )
    .action((shell: string) => {
      if (shell === 'bash') process.stdout.write(bashCompletion(program));
      else if (shell === 'zsh') process.stdout.write(zshCompletion(program));
      else throw new UsageError(`completion: shell must be bash or zsh (got "${shell}")`);
    });
}
