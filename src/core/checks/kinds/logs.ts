/** `logs: {...}`: a container's logs (stdout and stderr) contain some text and/or match a pattern. */
import * as l10n from '@vscode/l10n';
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
  describe: (l) => l10n.t('the logs of a container {0} {1}', matchPhrase(l.container), describeTextWant(l, 'many')),
  evaluate: evaluateLogs,
  // A container prints without an engine event.
  needsPolling: () => true,
  subjects: (l) => subjects({ container: l.container }),
  lint: (l, at) => textWantProblems(l, [...at, 'logs'], { contains: 'contains', matches: 'matches', required: true }),
};

function evaluateLogs(check: LogsCheck, engine: EngineSnapshot): Promise<CheckResult> {
  return engine.judgeContainers(check.container, l10n.t('run one'), async (info) => {
    const who = subject(info, check.container);
    let raw: Buffer;
    try {
      raw = await engine.call((signal) =>
        engine.ctx.docker.getContainer(info.Id).logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL, abortSignal: signal }),
      );
    } catch (err) {
      if (isNotFound(err)) return { ok: false, reason: l10n.t('{0} disappeared while being checked', who), progress: 0 };
      throw err;
    }
    const text = demuxBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const held = textHolds(text, check);
    if (held.ok) {
      const wanted = describeTextWant(check, 'many');
      return {
        ok: true,
        reason: held.found !== undefined ? l10n.t('the logs of {0} {1} ("{2}")', who, wanted, held.found) : l10n.t('the logs of {0} {1}', who, wanted),
        progress: 2,
      };
    }
    const lacks = describeTextWant(held.missing, 'manyLack');
    const printed = text.trim() ? l10n.t('its last line is "{0}"', lastLine(text)) : l10n.t('it has printed nothing yet');
    return {
      ok: false,
      reason: info.State === 'running'
        ? l10n.t('the logs of {0} {1}; {2}', who, lacks, printed)
        : l10n.t('the logs of {0} (it is {1}) {2}; {3}', who, info.State, lacks, printed),
      progress: 1,
    };
  });
}
