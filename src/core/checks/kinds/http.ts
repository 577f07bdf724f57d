/** `http: {...}`: a GET on the host port publishing a container port answers as wanted. */
import { STATUS_CODES } from 'node:http';
import * as l10n from '@vscode/l10n';
import type { CheckResult, HttpCheck, PortCheck } from '../../model';
import { formatSeconds } from '../../engine/errors';
import { probeHttp } from '../http';
import type { EngineSnapshot } from '../snapshot';
import { describeTextWant, textHolds, type TextWant } from '../pattern';
import { formatSize, matchPhrase } from '../words';
import { portVerdict } from './port';
import { type CheckKindSpec, subjects, textWantProblems } from './spec';

export const http: CheckKindSpec<HttpCheck> = {
  describe(h) {
    const expect = h.status !== undefined ? l10n.t('status {0}', h.status) : l10n.t('a 2xx/3xx status');
    const body = describeTextWant(bodyWant(h), 'one');
    const match = matchPhrase(h.container);
    return body
      ? l10n.t('HTTP GET {0} on the port publishing {1} of a container {2} answers {3} with a body that {4}', h.path ?? '/', h.containerPort, match, expect, body)
      : l10n.t('HTTP GET {0} on the port publishing {1} of a container {2} answers {3}', h.path ?? '/', h.containerPort, match, expect);
  },
  evaluate: evaluateHttp,
  // A server answers (or stops answering) without an engine event.
  needsPolling: () => true,
  subjects: (h) => subjects({ container: h.container }),
  lint: (h, at) => textWantProblems(bodyWant(h), [...at, 'http'], { contains: 'bodyContains', matches: 'bodyMatches', required: false }),
};

function bodyWant(h: HttpCheck): TextWant {
  return { contains: h.bodyContains, matches: h.bodyMatches };
}

function evaluateHttp(check: HttpCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const portCheck: PortCheck = { container: check.container, containerPort: check.containerPort };
  return engine.judgeContainers(check.container, l10n.t('start one'), async (info) => {
    const port = await portVerdict(info, portCheck, engine);
    if (!port.ok || !port.binding) return port;
    const host = engine.hostFor(port.binding.ip);
    const probePath = check.path ?? '/';
    const timeoutMs = check.timeoutMs ?? 5000;
    const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
    const where = loopback
      ? l10n.t('port {0} is published on host port {1}', check.containerPort, port.binding.hostPort)
      : l10n.t('port {0} is published on host port {1} of {2}', check.containerPort, port.binding.hostPort, host);
    const answer = await probeHttp(host, port.binding.hostPort, probePath, timeoutMs, engine.ctx.signal);
    if ('error' in answer) {
      if (answer.error === 'timeout') {
        return { ok: false, reason: l10n.t('{0} but nothing answered HTTP within {1}', where, formatSeconds(timeoutMs)), progress: 3 };
      }
      if (answer.error === 'ECONNREFUSED') {
        return { ok: false, reason: l10n.t('{0} but nothing answers HTTP there yet (connection refused at {1}:{2}); the server may still be starting', where, host, port.binding.hostPort), progress: 3 };
      }
      if (answer.error === 'ECONNRESET' || answer.error === 'EPIPE' || answer.error === 'HPE_INVALID_CONSTANT') {
        return { ok: false, reason: l10n.t('{0} but the connection closed without an HTTP answer; the server may still be starting', where), progress: 3 };
      }
      return { ok: false, reason: l10n.t('{0} but the HTTP request failed: {1}', where, answer.message), progress: 3 };
    }
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port.binding.hostPort}${probePath}`;
    // The status as HTTP says it (`404 (Not Found)`): the protocol's words, in every language.
    const statusText = `${answer.status}${STATUS_CODES[answer.status] ? ` (${STATUS_CODES[answer.status]})` : ''}`;
    const answered = answer.location ? l10n.t('{0} redirecting to {1}', statusText, answer.location) : statusText;
    const statusOk = check.status !== undefined ? answer.status === check.status : answer.status >= 200 && answer.status < 400;
    if (!statusOk) {
      const expected = check.status !== undefined ? `${check.status}` : l10n.t('a 2xx or 3xx status');
      return { ok: false, reason: l10n.t('GET {0} answered {1}, expected {2}', url, answered, expected), progress: 4 };
    }
    const held = textHolds(answer.body, bodyWant(check));
    if (!held.ok) {
      const lacks = describeTextWant(held.missing, 'oneLacks');
      return {
        ok: false,
        reason: answer.truncated
          ? l10n.t('GET {0} answered {1} but the body {2} (first {3} read)', url, statusText, lacks, formatSize(answer.body.length))
          : l10n.t('GET {0} answered {1} but the body {2}', url, statusText, lacks),
        progress: 5,
      };
    }
    const body = describeTextWant(bodyWant(check), 'one');
    return { ok: true, reason: body ? l10n.t('GET {0} answered {1} with a body that {2}', url, answered, body) : l10n.t('GET {0} answered {1}', url, answered), progress: 6 };
  });
}
