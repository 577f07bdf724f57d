/** `logs: {...}`: a container's logs (stdout and stderr) contain some text and/or match a pattern. */
import type { CheckResult, LogsCheck } from '../../model';
import { isNotFound } from '../../engine/errors';
import type { EngineSnapshot } from '../snapshot';
import { demuxBuffer } from '../streams';
import { describeTextWant, textHolds } from '../pattern';
import { lastLine, matchPhrase, subject } from '../words';
import { type CheckKindSpec, subjects, textWantProblems } from './spec';

/** How many of the last log lines are read. */
const LOG_TAIL = 2000;

export const logs: CheckKindSpec<LogsCheck> = {
  describe: (l) => `the logs of a container ${matchPhrase(l.container)} ${describeTextWant(l)}`,
  evaluate: evaluateLogs,
  // A container prints without an engine event.
  needsPolling: () => true,
  subjects: (l) => subjects({ container: l.container }),
  lint: (l, at) => textWantProblems(l, [...at, 'logs'], { contains: 'contains', matches: 'matches', required: true }),
};

function evaluateLogs(check: LogsCheck, engine: EngineSnapshot): Promise<CheckResult> {
  return engine.judgeContainers(check.container, 'run one', async (info) => {
    const who = subject(info, check.container);
    let raw: Buffer;
    try {
      raw = await engine.call((signal) =>
        engine.ctx.docker.getContainer(info.Id).logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL, abortSignal: signal }),
      );
    } catch (err) {
      if (isNotFound(err)) return { ok: false, reason: `${who} disappeared while being checked`, progress: 0 };
      throw err;
    }
    const text = demuxBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const held = textHolds(text, check);
    if (held.ok) {
      return { ok: true, reason: `the logs of ${who} ${describeTextWant(check)}${held.found !== undefined ? ` ("${held.found}")` : ''}`, progress: 2 };
    }
    const state = info.State === 'running' ? '' : ` (it is ${info.State})`;
    const empty = text.trim() ? `; its last line is "${lastLine(text)}"` : '; it has printed nothing yet';
    return { ok: false, reason: `the logs of ${who}${state} do not ${held.missing}${empty}`, progress: 1 };
  });
}
