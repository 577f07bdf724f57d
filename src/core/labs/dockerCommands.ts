/**
 * Reads the docker invocations out of a lab command's shell text, for the loader's lint:
 * which commands change Docker state (the step needs a check), which remove things (they
 * must be marked destructive) and which need a terminal (`-it`).
 *
 * This is a reader of ordinary one-liners, not a shell: it splits on `;`, `&&`, `||`, `|`,
 * `&`, newlines and `$(...)`, honours quotes and backslashes, and skips `sudo`, `env` and
 * `NAME=value` prefixes.
 */

export interface DockerCall {
  /** Canonical verb: `run`, `rm`, `rmi`, `volume rm`, `system prune`, `compose up`... */
  verb: string;
  /** The arguments after the verb, unquoted. */
  args: string[];
}

/** Splits shell text into simple commands, each a list of unquoted words. */
export function simpleCommands(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1] ?? '';
    if (c === '\\') {
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? text.length : close;
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i += 1;
      inWord = true;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i += 1;
        word += text[i] ?? '';
        i += 1;
      }
      i += 1;
      continue;
    }
    if (c === '#' && !inWord) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '$' && next === '(') {
      endCommand();
      i += 2;
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || c === '\n' || c === '(' || c === ')' || c === '`') {
      endCommand();
      i += 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i += 1;
      continue;
    }
    word += c;
    inWord = true;
    i += 1;
  }
  endCommand();
  return commands;
}

const WRAPPERS = new Set(['sudo', 'env', 'command', 'exec', 'time', 'nohup']);
/** docker's global options that take a value. */
const GLOBAL_WITH_VALUE = new Set(['-H', '--host', '-c', '--context', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']);
const MANAGEMENT = new Set(['container', 'image', 'volume', 'network', 'system', 'builder', 'buildx', 'compose', 'plugin', 'context', 'trust', 'manifest', 'swarm', 'service', 'stack', 'node', 'secret', 'config']);

/** `docker container X` and `docker image X` mean the same as these top-level verbs. */
const ALIASES: Record<string, string> = {
  'container run': 'run',
  'container create': 'create',
  'container start': 'start',
  'container stop': 'stop',
  'container restart': 'restart',
  'container kill': 'kill',
  'container rm': 'rm',
  'container remove': 'rm',
  'container pause': 'pause',
  'container unpause': 'unpause',
  'container rename': 'rename',
  'container update': 'update',
  'container commit': 'commit',
  'container exec': 'exec',
  'container attach': 'attach',
  'container ls': 'ps',
  'container list': 'ps',
  'container logs': 'logs',
  'container inspect': 'inspect',
  'image rm': 'rmi',
  'image remove': 'rmi',
  'image pull': 'pull',
  'image push': 'push',
  'image tag': 'tag',
  'image build': 'build',
  'image load': 'load',
  'image import': 'import',
  'image ls': 'images',
  'image list': 'images',
  'buildx build': 'build',
  'builder build': 'build',
  'volume remove': 'volume rm',
  'network remove': 'network rm',
};

/** The docker invocations in a command's shell text, in order. */
export function dockerCalls(text: string): DockerCall[] {
  const calls: DockerCall[] = [];
  for (const words of simpleCommands(text)) {
    let i = 0;
    // Skip NAME=value prefixes and wrappers such as sudo (with their dash options).
    while (i < words.length) {
      const w = words[i] ?? '';
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) i += 1;
      else if (WRAPPERS.has(w)) {
        i += 1;
        while ((words[i] ?? '').startsWith('-')) i += 1;
      } else break;
    }
    const program = words[i] ?? '';
    if (program !== 'docker' && !program.endsWith('/docker')) continue;
    i += 1;
    while (i < words.length && (words[i] ?? '').startsWith('-')) {
      const option = words[i] ?? '';
      i += GLOBAL_WITH_VALUE.has(option) ? 2 : 1;
    }
    let verb = words[i] ?? '';
    i += 1;
    if (verb === '') continue;
    if (MANAGEMENT.has(verb) && i < words.length) {
      verb = `${verb} ${words[i] ?? ''}`;
      i += 1;
    }
    calls.push({ verb: ALIASES[verb] ?? verb, args: words.slice(i) });
  }
  return calls;
}

const STATE_CHANGING = new Set([
  'run', 'create', 'start', 'stop', 'restart', 'kill', 'rm', 'rmi', 'pull', 'push', 'tag', 'build',
  'commit', 'load', 'import', 'pause', 'unpause', 'rename', 'update',
  'volume create', 'volume rm', 'volume prune',
  'network create', 'network rm', 'network prune', 'network connect', 'network disconnect',
  'container prune', 'image prune', 'system prune', 'builder prune', 'buildx prune',
  'compose up', 'compose down', 'compose start', 'compose stop', 'compose restart', 'compose rm',
  'compose run', 'compose create', 'compose pull', 'compose push', 'compose build', 'compose kill',
  'compose pause', 'compose unpause',
]);

/** Changes what the engine holds (containers, images, volumes, networks). */
export function changesState(call: DockerCall): boolean {
  return STATE_CHANGING.has(call.verb) && !asksForHelp(call);
}

/** `docker run --help` prints the usage and changes nothing (a later `--help` is the container's). */
function asksForHelp(call: DockerCall): boolean {
  return leadingOptions(call.args).includes('--help');
}

function hasShortFlag(args: string[], flag: string, long: string): boolean {
  return args.some((a) => a === long || a.startsWith(`${long}=`) || (/^-[A-Za-z]+$/.test(a) && a.includes(flag)));
}

/** Removes things: `rm -f`, `rmi`, `image rm`, `volume rm`, any `prune`. */
export function isDestructive(call: DockerCall): boolean {
  if (asksForHelp(call)) return false;
  if (call.verb === 'rmi' || call.verb === 'volume rm' || call.verb.endsWith(' prune')) return true;
  return call.verb === 'rm' && hasShortFlag(call.args, 'f', '--force');
}

/** Short flags of `run`/`exec` that take no value; a cluster may only end in one that does. */
const RUN_BOOLEAN_SHORT = new Set(['d', 'i', 't', 'P', 'q']);
const RUN_BOOLEAN_LONG = new Set([
  '--rm', '--detach', '--interactive', '--tty', '--privileged', '--init', '--read-only', '--publish-all',
  '--no-healthcheck', '--oom-kill-disable', '--disable-content-trust', '--help', '--quiet',
]);

/** The options of `run`/`exec` before the image or container name. */
function leadingOptions(args: string[]): string[] {
  return scanOptions(args).options;
}

/**
 * The image of `docker run`/`docker create` and the command words after it (empty: the
 * image's own command); undefined for other verbs or when no image is given.
 */
export function runTarget(call: DockerCall): { image: string; command: string[] } | undefined {
  if (call.verb !== 'run' && call.verb !== 'create') return undefined;
  let at = scanOptions(call.args).end;
  if (call.args[at] === '--') at += 1;
  const image = call.args[at];
  return image ? { image, command: call.args.slice(at + 1) } : undefined;
}

/** The leading options of `run`/`exec`/`create` and where they end. */
function scanOptions(args: string[]): { options: string[]; end: number } {
  const options: string[] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i] ?? '';
    if (a === '--' || !a.startsWith('-') || a === '-') break;
    options.push(a);
    if (a.startsWith('--')) {
      i += a.includes('=') || RUN_BOOLEAN_LONG.has(a) ? 1 : 2;
      continue;
    }
    // A short cluster: once a letter takes a value, the rest (or the next word) is that value.
    const letters = a.slice(1);
    const valueAt = [...letters].findIndex((l) => !RUN_BOOLEAN_SHORT.has(l));
    i += valueAt >= 0 && valueAt === letters.length - 1 ? 2 : 1;
  }
  return { options, end: i };
}

function shortFlags(options: string[]): Set<string> {
  const flags = new Set<string>();
  for (const o of options) {
    if (o.startsWith('--')) continue;
    for (const l of o.slice(1)) {
      flags.add(l);
      if (!RUN_BOOLEAN_SHORT.has(l)) break;
    }
  }
  return flags;
}

/** Needs a TTY and a person: `run -it`, `exec -it`, `attach`, `start -ai`. */
export function needsTerminal(call: DockerCall): boolean {
  if (call.verb === 'attach') return true;
  if (call.verb === 'start') {
    const attach = hasShortFlag(call.args, 'a', '--attach');
    return attach && hasShortFlag(call.args, 'i', '--interactive');
  }
  if (call.verb !== 'run' && call.verb !== 'exec') return false;
  const options = leadingOptions(call.args);
  const flags = shortFlags(options);
  // Detached (`-dit`): the container gets its TTY, but nothing is attached to this terminal.
  if (flags.has('d') || options.includes('--detach')) return false;
  const interactive = flags.has('i') || options.includes('--interactive');
  const tty = flags.has('t') || options.includes('--tty');
  return interactive && tty;
}

/** How a call reads in a message: `docker run -it`, `docker rmi`. */
export function describeCall(call: DockerCall, flag?: string): string {
  return `docker ${call.verb}${flag ? ` ${flag}` : ''}`;
}
