/**
 * The words of check descriptions and reasons: how a container, a match, an exit code or a
 * start error is named for people. Shared by `describe.ts` and the kinds. No engine call.
 */
import type Dockerode from 'dockerode';
import type { ContainerMatch } from '../model';

const EXIT_MEANINGS: Record<number, string> = {
  1: 'the program reported an error',
  2: 'misuse of a shell command',
  125: 'docker itself failed to run the container',
  126: 'the command could not be executed',
  127: 'command not found',
  130: 'stopped with Ctrl+C',
  137: 'killed: docker kill, docker stop after the grace period, or out of memory',
  139: 'segmentation fault',
  143: 'stopped by SIGTERM, e.g. docker stop',
};

export function exitCodeMeaning(code: number): string | undefined {
  return EXIT_MEANINGS[code];
}

export function exitText(code: number, oomKilled = false): string {
  if (code === 137 && oomKilled) return 'code 137 (killed: out of memory)';
  const meaning = exitCodeMeaning(code);
  return meaning ? `code ${code} (${meaning})` : `code ${code}`;
}

export function exitCodeFromStatus(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

export function containerName(info: Dockerode.ContainerInfo): string {
  const first = info.Names.find((n) => n.split('/').length === 2) ?? info.Names[0] ?? info.Id.slice(0, 12);
  return first.replace(/^\//, '');
}

export function matchPhrase(m: ContainerMatch): string {
  const parts: string[] = [];
  if (m.name) parts.push(`named "${m.name}"`);
  if (m.image) parts.push(`from ${m.image}`);
  if (m.label) parts.push(`labelled ${m.label}`);
  if (m.commandContains) parts.push(`running a command with "${m.commandContains}"`);
  return parts.length ? parts.join(' ') : '(any)';
}

export function sinceNote(m: ContainerMatch): string {
  return (m.since ?? 'step') === 'step' ? ', created since this step opened' : '';
}

export function quoteName(name: string): string {
  return `"${name}"`;
}

/** How reasons name a container: `alpine (container "x")` when the check named an image. */
export function subject(info: Dockerode.ContainerInfo, m: ContainerMatch): string {
  const name = quoteName(containerName(info));
  if (m.image && !m.name) return `${m.image} (container ${name})`;
  return `container ${name}`;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function isSecretName(name: string): boolean {
  return /pass|secret|token|key/i.test(name);
}

export function shown(name: string, value: string): string {
  return isSecretName(name) ? `"${'*'.repeat(Math.min(value.length, 8))}"` : `"${value}"`;
}

export function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Make the engine's start errors readable (port taken, missing executable). */
export function explainStartError(error: string): string {
  const allocated = /Bind for [^ ]*?:(\d+) failed: port is already allocated/.exec(error);
  if (allocated) return `host port ${allocated[1]} is already used by another container`;
  const inUse = /listen (?:tcp|udp)[46]? [^ ]*?:(\d+): bind: address already in use/.exec(error);
  if (inUse) return `host port ${inUse[1]} is already in use by another program on the host`;
  const notFound = /exec: "([^"]+)": executable file not found/.exec(error);
  if (notFound) return `the command "${notFound[1]}" was not found in the image`;
  const permission = /exec: "([^"]+)": permission denied/.exec(error);
  if (permission) return `"${permission[1]}" is not executable`;
  return firstLine(error);
}


export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  const line = (lines[lines.length - 1] ?? '').trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

export function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
}
