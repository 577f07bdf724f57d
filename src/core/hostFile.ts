/**
 * Reading a file on the host for a check, safely: the path comes from a lab file (untrusted)
 * and the read runs in the extension host, whose thread pool every extension shares.
 *
 * - `lstat` first: only a regular file is read; a link, a FIFO, a socket or a device is refused
 *   with a reason (a FIFO would block a pool thread until someone writes to it).
 * - opened with O_NONBLOCK and O_NOFOLLOW, then checked again with `fstat` (a file swapped for a
 *   FIFO or a link between the two looks is refused too).
 * - at most `MAX_HOST_READ_BYTES` are read; each read has a deadline;
 * - at most `MAX_PARALLEL_HOST_READS` reads run at once in the whole process: a slot is held
 *   until the read really ends, so reads that hang can never take more than those threads.
 * No `vscode` import.
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import * as l10n from '@vscode/l10n';
import { formatSeconds } from './engine/errors';
import { errorMessage } from './text';

export const MAX_HOST_READ_BYTES = 1024 * 1024;
export const MAX_PARALLEL_HOST_READS = 2;
export const HOST_READ_DEADLINE_MS = 2000;

export type HostRead =
  | { ok: true; text: string; truncated: boolean }
  | { ok: false; problem: 'missing' | 'not-a-file' | 'denied' | 'timeout' | 'error'; reason: string };

/** What a file is, in words, when it is not a regular file. */
function kindOf(info: { isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isDirectory()) return l10n.t('a directory');
  if (info.isSymbolicLink()) return symbolicLink();
  if (info.isFIFO()) return l10n.t('a named pipe (FIFO)');
  if (info.isSocket()) return l10n.t('a socket');
  if (info.isCharacterDevice() || info.isBlockDevice()) return l10n.t('a device');
  return l10n.t('not a regular file');
}

/** A link, in words: `lstat` sees one, and opening one with O_NOFOLLOW is refused. */
function symbolicLink(): string {
  return l10n.t('a symbolic link (checks read regular files only)');
}

/** The reasons of a read that did not happen, shared by the two looks at the file. */
function missing(file: string): HostRead {
  return { ok: false, problem: 'missing', reason: l10n.t('{0} does not exist on this computer', file) };
}

function denied(file: string): HostRead {
  return { ok: false, problem: 'denied', reason: l10n.t('{0} exists but cannot be read (permission denied)', file) };
}

function notAFile(file: string, kind: string): HostRead {
  return { ok: false, problem: 'not-a-file', reason: l10n.t('{0} is {1}, not a file', file, kind) };
}

function failed(file: string, error: unknown): HostRead {
  return { ok: false, problem: 'error', reason: l10n.t('cannot read {0}: {1}', file, errorMessage(error)) };
}

let running = 0;
const waiting: Array<() => void> = [];

function release(): void {
  running -= 1;
  waiting.shift()?.();
}

/** Takes a read slot, or gives up at `deadline` (then the caller reports a timeout). */
function acquire(deadline: number): Promise<boolean> {
  if (running < MAX_PARALLEL_HOST_READS) {
    running += 1;
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const take = (): void => {
      clearTimeout(timer);
      running += 1;
      resolve(true);
    };
    const timer = setTimeout(() => {
      const i = waiting.indexOf(take);
      if (i >= 0) waiting.splice(i, 1);
      resolve(false);
    }, Math.max(0, deadline - Date.now()));
    waiting.push(take);
  });
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code?: unknown }).code) : '';
}

async function readRegular(file: string, maxBytes: number): Promise<HostRead> {
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return missing(file);
    if (code === 'EACCES') return denied(file);
    return failed(file, error);
  }
  if (!info.isFile()) return notAFile(file, kindOf(info));
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ELOOP') return notAFile(file, symbolicLink());
    if (code === 'ENOENT') return missing(file);
    if (code === 'EACCES') return denied(file);
    return failed(file, error);
  }
  try {
    const now = await handle.stat();
    if (!now.isFile()) return notAFile(file, kindOf(now));
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(1, now.size + 1)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const truncated = bytesRead > maxBytes;
    return { ok: true, text: buffer.subarray(0, Math.min(bytesRead, maxBytes)).toString('utf8'), truncated };
  } finally {
    await handle.close();
  }
}

/**
 * Reads up to `maxBytes` of a regular file on the host, within `timeoutMs`, never more than
 * `MAX_PARALLEL_HOST_READS` at once. Never throws.
 */
export async function readHostFile(file: string, opts: { maxBytes?: number; timeoutMs?: number } = {}): Promise<HostRead> {
  const timeoutMs = opts.timeoutMs ?? HOST_READ_DEADLINE_MS;
  const deadline = Date.now() + timeoutMs;
  const timeout: HostRead = { ok: false, problem: 'timeout', reason: l10n.t('reading {0} took longer than {1}; it was given up', file, formatSeconds(timeoutMs)) };
  if (!(await acquire(deadline))) return timeout;
  const read = readRegular(file, opts.maxBytes ?? MAX_HOST_READ_BYTES).catch((error: unknown): HostRead => failed(file, error));
  // The slot is given back when the read really ends, not when we stop waiting for it.
  read.then(release, release);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<HostRead>((resolve) => {
    timer = setTimeout(() => resolve(timeout), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}
