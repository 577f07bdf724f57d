/** `file: {...}`: a file exists (and contains some text) in a running container or on this computer. */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import { PassThrough } from 'node:stream';
import type { CheckResult, FileCheck } from '../../model';
import { isNotFound, statusCodeOf } from '../../engine/errors';
import { readHostFile } from '../../hostFile';
import { CannotCheck, type EngineSnapshot } from '../snapshot';
import { BoundedSink, MAX_READ } from '../streams';
import { describeTextWant, textHolds } from '../pattern';
import { firstLine, matchPhrase, subject } from '../words';
import { type CheckKindSpec, subjects, textWantProblems } from './spec';

export const file: CheckKindSpec<FileCheck> = {
  describe(f) {
    const text = describeTextWant(f, 'one');
    if (f.container) {
      const match = matchPhrase(f.container);
      return text ? l10n.t('file {0} exists in a container {1} and {2}', f.path, match, text) : l10n.t('file {0} exists in a container {1}', f.path, match);
    }
    return text ? l10n.t('file {0} exists on this computer and {1}', f.path, text) : l10n.t('file {0} exists on this computer', f.path);
  },
  evaluate: evaluateFile,
  // A file changes without an engine event.
  needsPolling: () => true,
  subjects: (f) => subjects(f.container ? { container: f.container } : {}),
  lint: (f, at) => textWantProblems(f, [...at, 'file'], { contains: 'contains', matches: 'matches', required: false }),
};

async function evaluateFile(check: FileCheck, engine: EngineSnapshot): Promise<CheckResult> {
  if (!check.container) return hostFile(check);
  const match = check.container;
  return engine.judgeContainers(match, l10n.t('start one'), async (info) => {
    const who = subject(info, match);
    if (info.State !== 'running') {
      return { ok: false, reason: l10n.t('{0}, so {1} cannot be read in it', await engine.notRunning(info, match), check.path), progress: 0 };
    }
    const out = await execCat(info.Id, check.path, engine);
    if (out === undefined) return { ok: false, reason: l10n.t('{0} disappeared while being checked', who), progress: 0 };
    if (out.exitCode !== 0) {
      const missing = /no such file|not found|can't open/i.test(out.stderr);
      const reason = missing
        ? l10n.t('{0} does not exist in {1}', check.path, who)
        : /is a directory/i.test(out.stderr)
          ? l10n.t('{0} is a directory in {1}', check.path, who)
          : l10n.t('{0} cannot be read ({1}) in {2}', check.path, firstLine(out.stderr) || l10n.t('cat exited with {0}', out.exitCode), who);
      return { ok: false, reason, progress: 1 };
    }
    const held = textHolds(out.stdout, check);
    if (!held.ok) return { ok: false, reason: l10n.t('{0} in {1} {2}', check.path, who, describeTextWant(held.missing, 'oneLacks')), progress: 2 };
    const text = describeTextWant(check, 'one');
    return { ok: true, reason: text ? l10n.t('{0} exists in {1} and {2}', check.path, who, text) : l10n.t('{0} exists in {1}', check.path, who), progress: 3 };
  });
}

async function hostFile(check: FileCheck): Promise<CheckResult> {
  // Only regular files, bounded in size, time and parallel reads (see hostFile.ts).
  const read = await readHostFile(check.path, { maxBytes: MAX_READ });
  if (!read.ok) return { status: read.problem === 'timeout' || read.problem === 'error' ? 'error' : 'failed', reason: read.reason };
  const text = read.text;
  const held = textHolds(text, check);
  if (!held.ok) return { status: 'failed', reason: l10n.t('{0} exists but {1}', check.path, describeTextWant(held.missing, 'oneLacks')) };
  const wanted = describeTextWant(check, 'one');
  return { status: 'passed', reason: wanted ? l10n.t('{0} exists and {1}', check.path, wanted) : l10n.t('{0} exists', check.path) };
}

/** `cat PATH` inside a running container: stdout, stderr (demuxed, bounded) and the exit code. */
async function execCat(id: string, file: string, engine: EngineSnapshot): Promise<{ stdout: string; stderr: string; exitCode: number } | undefined> {
  const container = engine.ctx.docker.getContainer(id);
  let exec: Dockerode.Exec;
  try {
    exec = await engine.call((signal) => container.exec({ Cmd: ['cat', '--', file], AttachStdout: true, AttachStderr: true, abortSignal: signal }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (statusCodeOf(err) === 409) throw new CannotCheck(l10n.t('cannot read {0}: the container stopped while being checked', file));
    throw err;
  }
  const { stdout, stderr } = await engine.call(async (signal) => {
    const stream = await exec.start({ hijack: true, stdin: false, abortSignal: signal });
    return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const out = new BoundedSink();
      const errOut = new BoundedSink();
      const outStream = new PassThrough();
      const errStream = new PassThrough();
      outStream.on('data', (chunk: Buffer) => {
        if (!out.push(chunk)) stream.destroy();
      });
      errStream.on('data', (chunk: Buffer) => errOut.push(chunk));
      engine.ctx.docker.modem.demuxStream(stream, outStream, errStream);
      const onAbort = () => {
        stream.destroy();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        signal.removeEventListener('abort', onAbort);
        resolve({ stdout: out.text(), stderr: errOut.text() });
      };
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
    });
  });
  const inspected = await engine.call((signal) => exec.inspect({ abortSignal: signal }));
  // When the output was cut short the exec may still be running; its exit code is unknown but the file exists.
  const exitCode = typeof inspected.ExitCode === 'number' ? inspected.ExitCode : inspected.Running ? 0 : 1;
  return { stdout, stderr, exitCode };
}
