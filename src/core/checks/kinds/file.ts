/** `file: {...}`: a file exists (and contains some text) in a running container or on this computer. */
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
    const where = f.container ? `in a container ${matchPhrase(f.container)}` : 'on this computer';
    return `file ${f.path} exists ${where}${wanted(f)}`;
  },
  evaluate: evaluateFile,
  // A file changes without an engine event.
  needsPolling: () => true,
  subjects: (f) => subjects(f.container ? { container: f.container } : {}),
  lint: (f, at) => textWantProblems(f, [...at, 'file'], { contains: 'contains', matches: 'matches', required: false }),
};

/** " and contains ..." / " and matches ...", or nothing when only existence is checked. */
function wanted(f: FileCheck): string {
  const text = describeTextWant(f, { contains: 'contains', matches: 'matches' });
  return text ? ` and ${text}` : '';
}

async function evaluateFile(check: FileCheck, engine: EngineSnapshot): Promise<CheckResult> {
  if (!check.container) return hostFile(check);
  const match = check.container;
  return engine.judgeContainers(match, 'start one', async (info) => {
    const who = subject(info, match);
    if (info.State !== 'running') {
      return { ok: false, reason: `${await engine.notRunning(info, match)}, so ${check.path} cannot be read in it`, progress: 0 };
    }
    const out = await execCat(info.Id, check.path, engine);
    if (out === undefined) return { ok: false, reason: `${who} disappeared while being checked`, progress: 0 };
    if (out.exitCode !== 0) {
      const missing = /no such file|not found|can't open/i.test(out.stderr);
      const why = missing ? 'does not exist' : /is a directory/i.test(out.stderr) ? 'is a directory' : `cannot be read (${firstLine(out.stderr) || `cat exited with ${out.exitCode}`})`;
      return { ok: false, reason: `${check.path} ${why} in ${who}`, progress: 1 };
    }
    const held = textHolds(out.stdout, check);
    if (!held.ok) return { ok: false, reason: `${check.path} in ${who} does not ${held.missing}`, progress: 2 };
    return { ok: true, reason: `${check.path} exists in ${who}${wanted(check)}`, progress: 3 };
  });
}

async function hostFile(check: FileCheck): Promise<CheckResult> {
  // Only regular files, bounded in size, time and parallel reads (see hostFile.ts).
  const read = await readHostFile(check.path, { maxBytes: MAX_READ });
  if (!read.ok) return { status: read.problem === 'timeout' || read.problem === 'error' ? 'error' : 'failed', reason: read.reason };
  const text = read.text;
  const held = textHolds(text, check);
  if (!held.ok) return { status: 'failed', reason: `${check.path} exists but does not ${held.missing}` };
  return { status: 'passed', reason: `${check.path} exists${wanted(check)}` };
}

/** `cat PATH` inside a running container: stdout, stderr (demuxed, bounded) and the exit code. */
async function execCat(id: string, file: string, engine: EngineSnapshot): Promise<{ stdout: string; stderr: string; exitCode: number } | undefined> {
  const container = engine.ctx.docker.getContainer(id);
  let exec: Dockerode.Exec;
  try {
    exec = await engine.call((signal) => container.exec({ Cmd: ['cat', '--', file], AttachStdout: true, AttachStderr: true, abortSignal: signal }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (statusCodeOf(err) === 409) throw new CannotCheck(`cannot read ${file}: the container stopped while being checked`);
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
