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

// ---------------------------------------------------------------------------------------------
// What a docker call creates, read from its parsed arguments (never from a substring of the
// text): the resource ledger takes a thing for the lab's only when a lab command names it here.

/** Long options of `run`/`create` that take no value (every other long option takes one). */
const RUN_SHORT_LONG: Record<string, string> = {
  d: 'detach', i: 'interactive', t: 'tty', P: 'publish-all', q: 'quiet',
  a: 'attach', c: 'cpu-shares', e: 'env', h: 'hostname', l: 'label', m: 'memory', p: 'publish', u: 'user', v: 'volume', w: 'workdir',
};

/** One option of a parsed call, by its long name without dashes (`-v x` -> `{ flag: 'volume', value: 'x' }`). */
export interface CallOption {
  flag: string;
  value?: string;
}

export interface ParsedArgs {
  options: CallOption[];
  /** The words after the options. */
  positionals: string[];
}

interface OptionSpec {
  /** Short letters and the long name they stand for. */
  short: Record<string, string>;
  /** Whether a long option (without dashes) takes a value. */
  takesValue: (long: string) => boolean;
  /** Options stop at the first positional (`run IMAGE ARGS...`): the rest belongs to the container. */
  stopAtPositional: boolean;
}

function parseWithSpec(args: readonly string[], spec: OptionSpec): ParsedArgs {
  const options: CallOption[] = [];
  const positionals: string[] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i] ?? '';
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (spec.stopAtPositional) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(a);
      i += 1;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const flag = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) {
        options.push({ flag, value: a.slice(eq + 1) });
        i += 1;
      } else if (spec.takesValue(flag)) {
        options.push({ flag, value: args[i + 1] ?? '' });
        i += 2;
      } else {
        options.push({ flag });
        i += 1;
      }
      continue;
    }
    // A cluster of short letters: `-dit`, `-dp 80:80`, `-p80:80`, `-v/data`.
    const letters = a.slice(1);
    let consumedNext = false;
    for (let k = 0; k < letters.length; k++) {
      const letter = letters[k] ?? '';
      const flag = spec.short[letter] ?? letter;
      if (!spec.takesValue(flag)) {
        options.push({ flag });
        continue;
      }
      const rest = letters.slice(k + 1);
      if (rest) {
        options.push({ flag, value: rest.startsWith('=') ? rest.slice(1) : rest });
      } else {
        options.push({ flag, value: args[i + 1] ?? '' });
        consumedNext = true;
      }
      break;
    }
    i += consumedNext ? 2 : 1;
  }
  return { options, positionals };
}

const RUN_SPEC: OptionSpec = {
  short: RUN_SHORT_LONG,
  takesValue: (long) => !RUN_BOOLEAN_LONG.has(`--${long}`) && !['detach', 'interactive', 'tty', 'publish-all', 'quiet', 'sig-proxy'].includes(long),
  stopAtPositional: true,
};

function specOf(values: readonly string[], short: Record<string, string> = {}): OptionSpec {
  const set = new Set(values);
  return { short, takesValue: (long) => set.has(long), stopAtPositional: false };
}

const VOLUME_CREATE_SPEC = specOf(['driver', 'label', 'opt', 'name', 'availability', 'group', 'limit-bytes', 'required-bytes', 'scope', 'secret', 'sharing', 'topology-preferred', 'topology-required', 'type'], { d: 'driver', o: 'opt' });
const NETWORK_CREATE_SPEC = specOf(['aux-address', 'config-from', 'driver', 'gateway', 'ip-range', 'ipam-driver', 'ipam-opt', 'label', 'opt', 'scope', 'subnet'], { d: 'driver', o: 'opt' });
const BUILD_SPEC = specOf(
  ['add-host', 'allow', 'annotation', 'attest', 'build-arg', 'build-context', 'builder', 'cache-from', 'cache-to', 'call', 'cgroup-parent', 'cpu-period', 'cpu-quota', 'cpu-shares', 'cpuset-cpus', 'cpuset-mems', 'file', 'iidfile', 'isolation', 'label', 'memory', 'memory-swap', 'metadata-file', 'network', 'output', 'platform', 'progress', 'provenance', 'sbom', 'secret', 'security-opt', 'shm-size', 'ssh', 'tag', 'target', 'ulimit'],
  { t: 'tag', f: 'file', m: 'memory', c: 'cpu-shares', o: 'output' },
);
const PULL_SPEC = specOf(['platform'], { a: 'all-tags', q: 'quiet' });
const COMMIT_SPEC = specOf(['author', 'change', 'message'], { a: 'author', c: 'change', m: 'message', p: 'pause' });
const IMPORT_SPEC = specOf(['change', 'message', 'platform'], { c: 'change', m: 'message' });
const TAG_SPEC = specOf([]);

/** `docker run`/`create` read: its options, the image, and the container's command. */
export interface RunCall {
  options: CallOption[];
  image: string;
  /** The words after the image (the container's command); empty for the image's own. */
  command: string[];
  /** `--name`, when given. */
  name?: string;
}

/** Parses the arguments of `docker run` / `docker create`; undefined when no image is given. */
export function parseRun(args: readonly string[]): RunCall | undefined {
  const { options, positionals } = parseWithSpec(args, RUN_SPEC);
  const image = positionals[0];
  if (image === undefined || image === '') return undefined;
  const run: RunCall = { options, image, command: positionals.slice(1) };
  const name = lastValue(options, 'name');
  if (name !== undefined && name !== '') run.name = name;
  return run;
}

/** The value of the last occurrence of an option (Docker's flags keep the last one). */
export function lastValue(options: readonly CallOption[], flag: string): string | undefined {
  let value: string | undefined;
  for (const o of options) if (o.flag === flag) value = o.value;
  return value;
}

/** Every value of a repeatable option, in order. */
export function allValues(options: readonly CallOption[], flag: string): string[] {
  return options.filter((o) => o.flag === flag && o.value !== undefined).map((o) => o.value ?? '');
}

/** Whether a boolean option is set (`-t`, `--tty`, `--tty=true`). */
export function hasFlag(options: readonly CallOption[], flag: string): boolean {
  const found = options.filter((o) => o.flag === flag);
  const last = found[found.length - 1];
  return last !== undefined && (last.value === undefined || last.value === 'true' || last.value === '1');
}

/** A name the engine accepts for a volume (`docker volume create`'s rule). */
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/;

/** The named volume a `-v`/`--volume` spec mounts (`data:/d:ro` -> `data`); none for a bind mount or an anonymous volume. */
export function volumeOfSpec(spec: string): string | undefined {
  const colon = spec.indexOf(':');
  if (colon <= 0) return undefined;
  const source = spec.slice(0, colon);
  return VOLUME_NAME.test(source) ? source : undefined;
}

/** The named volume a `--mount` spec mounts (`type=volume,source=data,target=/d`). */
export function volumeOfMount(spec: string): string | undefined {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    fields.set((eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(), eq < 0 ? '' : part.slice(eq + 1).trim());
  }
  const type = fields.get('type') ?? 'volume';
  const source = fields.get('source') ?? fields.get('src');
  return type === 'volume' && source !== undefined && VOLUME_NAME.test(source) ? source : undefined;
}

/** What a docker call may create, by the exact names its arguments give. */
export interface CreatedNames {
  containers: string[];
  volumes: string[];
  networks: string[];
  /** Image references as written (the caller normalises them). */
  images: string[];
}

export function emptyNames(): CreatedNames {
  return { containers: [], volumes: [], networks: [], images: [] };
}

/**
 * The containers, volumes, networks and image references a call creates when they do not
 * exist yet, read from its parsed arguments: `run/create --name X`, `-v X:/d`, `--mount
 * source=X`, `volume create X`, `network create X`, `tag SRC X`, `build -t X`, `pull X`,
 * `commit C X`, `import F X`. A name a call merely uses (`--network X`, `rm X`) is not here;
 * neither is what `load` or `compose` make (their names are not in the arguments).
 */
export function createdNames(call: DockerCall): CreatedNames {
  const out = emptyNames();
  switch (call.verb) {
    case 'run':
    case 'create': {
      const run = parseRun(call.args);
      if (!run) break;
      if (run.name) out.containers.push(run.name);
      for (const spec of allValues(run.options, 'volume')) {
        const v = volumeOfSpec(spec);
        if (v) out.volumes.push(v);
      }
      for (const spec of allValues(run.options, 'mount')) {
        const v = volumeOfMount(spec);
        if (v) out.volumes.push(v);
      }
      break;
    }
    case 'volume create': {
      const { options, positionals } = parseWithSpec(call.args, VOLUME_CREATE_SPEC);
      const name = positionals[0] ?? lastValue(options, 'name');
      if (name) out.volumes.push(name);
      break;
    }
    case 'network create': {
      const { positionals } = parseWithSpec(call.args, NETWORK_CREATE_SPEC);
      if (positionals[0]) out.networks.push(positionals[0]);
      break;
    }
    case 'tag': {
      const { positionals } = parseWithSpec(call.args, TAG_SPEC);
      if (positionals.length === 2 && positionals[1]) out.images.push(positionals[1]);
      break;
    }
    case 'build':
      out.images.push(...allValues(parseWithSpec(call.args, BUILD_SPEC).options, 'tag').filter(Boolean));
      break;
    case 'pull': {
      const { positionals } = parseWithSpec(call.args, PULL_SPEC);
      if (positionals[0]) out.images.push(positionals[0]);
      break;
    }
    case 'commit': {
      const { positionals } = parseWithSpec(call.args, COMMIT_SPEC);
      if (positionals[1]) out.images.push(positionals[1]);
      break;
    }
    case 'import': {
      const { positionals } = parseWithSpec(call.args, IMPORT_SPEC);
      if (positionals[1]) out.images.push(positionals[1]);
      break;
    }
    default:
      break;
  }
  return out;
}

/** Whether two calls are the same command: the same verb and the same arguments, word for word. */
export function sameCall(a: DockerCall, b: DockerCall): boolean {
  return a.verb === b.verb && a.args.length === b.args.length && a.args.every((x, i) => x === b.args[i]);
}
