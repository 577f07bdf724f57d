/**
 * The words of check descriptions and reasons: how a container, a match, an exit code or a
 * start error is named for people, in the language `l10n.t` speaks. Shared by `describe.ts`
 * and the kinds. No engine call.
 *
 * The fragments here go into whole-sentence templates of the kinds. In Spanish, `subject` has
 * no article (`contenedor "x"`), so that each sentence puts the one its grammar needs (`el
 * {0}`, `del {0}`); `matchPhrase` is said without agreement (`con el nombre "x"`), so it fits
 * after one container or several.
 */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import type { ContainerMatch } from '../model';

/** What the usual exit codes mean; read when asked, in the language of that moment. */
const EXIT_MEANINGS: Record<number, () => string> = {
  1: () => l10n.t('the program reported an error'),
  2: () => l10n.t('misuse of a shell command'),
  125: () => l10n.t('docker itself failed to run the container'),
  126: () => l10n.t('the command could not be executed'),
  127: () => l10n.t('command not found'),
  130: () => l10n.t('stopped with Ctrl+C'),
  137: () => l10n.t('killed: docker kill, docker stop after the grace period, or out of memory'),
  139: () => l10n.t('segmentation fault'),
  143: () => l10n.t('stopped by SIGTERM, e.g. docker stop'),
};

export function exitCodeMeaning(code: number): string | undefined {
  return EXIT_MEANINGS[code]?.();
}

export function exitText(code: number, oomKilled = false): string {
  if (code === 137 && oomKilled) return l10n.t('code 137 (killed: out of memory)');
  const meaning = exitCodeMeaning(code);
  return meaning ? l10n.t('code {0} ({1})', code, meaning) : l10n.t('code {0}', code);
}

export function exitCodeFromStatus(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

export function containerName(info: Dockerode.ContainerInfo): string {
  const first = info.Names.find((n) => n.split('/').length === 2) ?? info.Names[0] ?? info.Id.slice(0, 12);
  return first.replace(/^\//, '');
}

/** Which containers a check is about, after "a container": `named "web" from nginx`. */
export function matchPhrase(m: ContainerMatch): string {
  const parts: string[] = [];
  if (m.name) parts.push(l10n.t('named "{0}"', m.name));
  if (m.image) parts.push(l10n.t('from {0}', m.image));
  if (m.label) parts.push(l10n.t('labelled {0}', m.label));
  if (m.commandContains) parts.push(l10n.t('running a command with "{0}"', m.commandContains));
  return parts.length ? parts.join(' ') : l10n.t('(any)');
}

/** What a description adds when only containers made during the step count, or nothing. */
export function sinceNote(m: ContainerMatch): string {
  return (m.since ?? 'step') === 'step' ? l10n.t(', created since this step opened') : '';
}

export function quoteName(name: string): string {
  return `"${name}"`;
}

/** How reasons name a container: `alpine (container "x")` when the check named an image. */
export function subject(info: Dockerode.ContainerInfo, m: ContainerMatch): string {
  const name = quoteName(containerName(info));
  if (m.image && !m.name) return l10n.t('{0} (container {1})', m.image, name);
  return l10n.t('container {0}', name);
}

/** Items joined left to right by a two-item template (`'{0}; and {1}'`); '' when there are none. */
export function joinWith(items: readonly string[], pair: (first: string, next: string) => string): string {
  return items.length === 0 ? '' : items.reduce((first, next) => pair(first, next));
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
  if (allocated) return l10n.t('host port {0} is already used by another container', allocated[1]);
  const inUse = /listen (?:tcp|udp)[46]? [^ ]*?:(\d+): bind: address already in use/.exec(error);
  if (inUse) return l10n.t('host port {0} is already in use by another program on the host', inUse[1]);
  const notFound = /exec: "([^"]+)": executable file not found/.exec(error);
  if (notFound) return l10n.t('the command "{0}" was not found in the image', notFound[1]);
  const permission = /exec: "([^"]+)": permission denied/.exec(error);
  if (permission) return l10n.t('"{0}" is not executable', permission[1]);
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
