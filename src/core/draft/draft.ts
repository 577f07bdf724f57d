/**
 * A lab drafted from a recording (recording.ts): one step per command, with the checks that
 * what really happened on the engine suggests. The draft is a lab file's content (the schema's
 * types) and its YAML text; the author writes the instructions. No `vscode` import.
 *
 * - A container: by the name the command gave it (never a name the engine made up: then by its
 *   image and command), running or exited with its exit code; its published ports (and an HTTP
 *   check when the port answered), its mounts (source, destination, read-only) and the names of
 *   the variables the command set (never their values).
 * - Images and tags it made, volumes it created; what it removed (`rm`, `rmi`, `volume rm`) as
 *   absent; containers it started or stopped, in their new state.
 * - A command that changed nothing gets a step without a check; a failed one that changed
 *   nothing is left out (and listed at the top); removals are marked destructive and -it
 *   commands interactive, as the lint requires.
 * - The recording folder and the home folder become ${workspaceFolder} and ${userHome}.
 */
import { Document } from 'yaml';
import type * as Schema from '../labs/schema.generated';
import { changesState, createdNames, dockerCalls, isDestructive, needsTerminal, parseRun } from '../labs/dockerCommands';
import { escapeRegExp, maskSecrets } from '../text';
import type { RecordedCommand, RecordedContainer } from './recording';

type RawLab = Schema.ContainerLabsLab;
type RawStep = Schema.Step;
type RawCheck = Schema.Check;
type Match = Schema.ContainerMatch;

export interface DraftOptions {
  id: string;
  title: string;
  /** The folder the recording ran in: `${workspaceFolder}` in the draft. */
  folder: string;
  /** Also the folder's real path, when a link leads to it. */
  folderReal?: string;
  /** The home folder: `${userHome}` in the draft. */
  home: string;
  /** When the recording began (for the summary). */
  recordedAt?: Date;
}

export interface LabDraft {
  lab: RawLab;
  yaml: string;
  /** Commands left out of the draft, with why (also at the top of the YAML). */
  leftOut: string[];
}

/** Text with the recording folder and home as placeholders, and `${NAME}` shell variables written `$NAME` (lab files reserve `${...}`). */
export function withPlaceholders(text: string, opts: Pick<DraftOptions, 'folder' | 'folderReal' | 'home'>): string {
  const shellVars = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}(?![A-Za-z0-9_])/g, (_m, name: string) => `$${name}`);
  const pairs: Array<[string, string]> = [];
  for (const folder of new Set([opts.folder, opts.folderReal].filter((f): f is string => f !== undefined && f.length > 1))) pairs.push([folder, '${workspaceFolder}']);
  if (opts.home.length > 1) pairs.push([opts.home, '${userHome}']);
  // Longest first: the folder is often inside the home folder.
  pairs.sort((a, b) => b[0].length - a[0].length);
  let out = shellVars;
  for (const [from, to] of pairs) {
    out = out.replace(new RegExp(`${escapeRegExp(from.replace(/\/+$/, ''))}(?=/|$|[^A-Za-z0-9._-])`, 'g'), to);
  }
  return out;
}

function matchOf(c: RecordedContainer): Match {
  if (c.name !== undefined) return { name: c.name };
  const match: Match = { image: c.image };
  // The engine shows a word with a space or quote in quotes (`sh -c 'exit 3'`): the words before the first such one.
  const plain: string[] = [];
  for (const word of c.command) {
    if (word === '' || /[\s'"\\]/.test(word)) break;
    plain.push(word);
  }
  if (plain.length > 0) match.commandContains = plain.join(' ');
  return match;
}

function containerChecks(c: RecordedContainer, opts: DraftOptions): RawCheck[] {
  const match = matchOf(c);
  if (c.state === undefined) {
    // Gone already (--rm): what stays is the image it ran.
    return [{ image: { ref: c.image } }];
  }
  const checks: RawCheck[] = [];
  const body: NonNullable<RawCheck['container']> = { ...match };
  if (c.state === 'exited' && c.exitCode !== undefined && c.exitCode >= 0 && c.exitCode <= 255) body.exitCode = c.exitCode;
  else body.state = c.state;
  checks.push({ container: body });
  for (const p of c.ports) {
    const port: NonNullable<RawCheck['port']> = { container: { ...match }, containerPort: p.containerPort };
    if (p.protocol === 'udp') port.protocol = 'udp';
    if (p.hostPort !== undefined) port.hostPort = p.hostPort;
    checks.push({ port });
    if (p.httpStatus !== undefined) checks.push({ http: { container: { ...match }, containerPort: p.containerPort, status: p.httpStatus } });
  }
  for (const m of c.mounts) {
    const mount: NonNullable<RawCheck['mount']> = { container: { ...match }, type: m.type, destination: m.destination, readOnly: m.readOnly };
    if (m.source !== undefined) mount.source = m.type === 'bind' ? withPlaceholders(m.source, opts) : m.source;
    checks.push({ mount });
  }
  for (const name of c.envNames) checks.push({ env: { container: { ...match }, name } });
  for (const name of c.networks) checks.push({ network: { name, container: { ...match } } });
  return checks;
}

function checksOf(cmd: RecordedCommand, opts: DraftOptions): RawCheck[] {
  const checks: RawCheck[] = [];
  for (const c of cmd.containers) checks.push(...containerChecks(c, opts));
  for (const ch of cmd.changed) {
    const body: NonNullable<RawCheck['container']> = { name: ch.name, since: 'any' };
    if (ch.state === 'exited' && ch.exitCode !== undefined) body.exitCode = ch.exitCode;
    else body.state = ch.state;
    checks.push({ container: body });
  }
  for (const ref of cmd.images) checks.push({ image: { ref } });
  for (const name of cmd.volumes) checks.push({ volume: { name } });
  for (const name of cmd.networks) checks.push({ network: { name } });
  for (const name of cmd.removed.containers) checks.push({ containerAbsent: { name, since: 'any' } });
  for (const ref of cmd.removed.images) checks.push({ imageAbsent: { ref } });
  for (const name of cmd.removed.volumes) checks.push({ volumeAbsent: { name } });
  for (const name of cmd.removed.networks) checks.push({ networkAbsent: { name } });
  // A run that made a container the recording could not see any more (--rm): its image stays.
  if (cmd.containers.length === 0 && cmd.exitCode === 0) {
    for (const call of dockerCalls(cmd.text)) {
      const run = call.verb === 'run' ? parseRun(call.args) : undefined;
      if (run && !checks.some((c) => c.image?.ref === run.image)) checks.push({ image: { ref: run.image } });
    }
  }
  return checks;
}

function titleOf(cmd: RecordedCommand): string {
  const call = dockerCalls(cmd.text)[0];
  if (!call) return `Run ${short(cmd.text)}`;
  const made = createdNames(call);
  const words = call.args.filter((a) => !a.startsWith('-'));
  switch (call.verb) {
    case 'run':
    case 'create': {
      const run = parseRun(call.args);
      if (!run) break;
      return `${call.verb === 'run' ? 'Run' : 'Create'} a ${run.image} container${run.name ? ` named ${run.name}` : ''}`;
    }
    case 'tag':
      return made.images[0] ? `Tag an image as ${made.images[0]}` : 'Tag an image';
    case 'volume create':
      return `Create the volume ${made.volumes[0] ?? ''}`.trim();
    case 'network create':
      return `Create the network ${made.networks[0] ?? ''}`.trim();
    case 'rm':
      return `Remove ${words.join(', ')}`;
    case 'rmi':
      return `Remove the image ${words.join(', ')}`;
    default:
      break;
  }
  return `Run ${short(cmd.text)}`;
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57).trimEnd()}...` : one;
}

function slug(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return s || 'step';
}

/** The draft of a lab from what the recording saw. */
export function draftLab(commands: readonly RecordedCommand[], opts: DraftOptions): LabDraft {
  const leftOut: string[] = [];
  const steps: RawStep[] = [];
  const made = new Set<string>();
  const used: string[] = [];
  for (const cmd of commands) {
    const text = withPlaceholders(cmd.text.trim(), opts);
    if (!text) continue;
    const checks = checksOf(cmd, opts);
    const calls = dockerCalls(cmd.text);
    const failed = cmd.exitCode !== undefined && cmd.exitCode !== 0;
    if (checks.length === 0 && failed) {
      leftOut.push(`${short(text)} (exit code ${cmd.exitCode ?? '?'}, changed nothing)`);
      continue;
    }
    for (const ref of cmd.images) made.add(ref);
    for (const ref of cmd.usedImages) if (!used.includes(ref)) used.push(ref);
    const title = titleOf(cmd);
    // What it does and where it is: `run-2`, `volume-create-3` (unique by its number).
    const id = `${slug(calls[0]?.verb ?? cmd.text.trim().split(/\s+/)[0] ?? 'step').slice(0, 40)}-${steps.length + 1}`;
    const exit = cmd.exitCode === undefined ? 'its exit code was not reported' : `it exited with ${cmd.exitCode}`;
    const step: RawStep = {
      id,
      title,
      instructions: `Write what the student does here, and why. (Recorded: \`${maskSecrets(text).replace(/`/g, "'")}\`; ${exit}.)`,
    };
    const destructive = calls.some(isDestructive);
    const interactive = calls.some(needsTerminal);
    // A command that ended otherwise than 0 is expected to (the runner fails a step whose command ends otherwise).
    const expectsExit = failed && cmd.exitCode !== undefined && cmd.exitCode <= 255 ? { exitCode: cmd.exitCode } : {};
    const marks = { ...(destructive ? { destructive: true } : {}), ...(interactive ? { interactive: true } : {}), ...expectsExit };
    const command: Schema.Command = Object.keys(marks).length > 0 ? { run: text, ...marks } : text;
    const stateChange = calls.some(changesState);
    if (checks.length === 0 && stateChange) {
      // A step that changes Docker state needs a check, and the recording saw nothing to check.
      leftOut.push(`${short(text)} (it changes Docker state, but the recording saw no change to check; add its step by hand)`);
      continue;
    }
    step.commands = [command];
    if (checks.length === 1 && checks[0]) step.check = checks[0];
    else if (checks.length > 1) step.check = { all: checks };
    steps.push(step);
  }
  if (steps.length === 0) {
    steps.push({ id: 'first-step', title: 'First step', instructions: 'The recording had no command to draft from: write the steps by hand.' });
  }
  const images = used.filter((ref) => !made.has(ref) && !ref.includes('${'));
  const day = (opts.recordedAt ?? new Date()).toISOString().slice(0, 10);
  const lab: RawLab = {
    id: opts.id,
    title: opts.title,
    summary: `Drafted from a recording on ${day}: say in a sentence or two what the student will do.`,
    minutes: Math.max(5, steps.length * 3),
    ...(images.length > 0 ? { images } : {}),
    steps,
  };
  const doc = new Document(lab);
  const header = [
    ' Drafted by "Container Labs: Record a Lab". Write each step\'s instructions, check the',
    ' proposed checks, then run: npx container-labs validate && npx container-labs test',
  ];
  if (leftOut.length > 0) header.push(' Left out of the draft:', ...leftOut.map((l) => `   - ${l}`));
  doc.commentBefore = header.join('\n');
  return { lab, yaml: doc.toString({ lineWidth: 0 }), leftOut };
}
