/** `http: {...}`: a GET on the host port publishing a container port answers as wanted. */
import { STATUS_CODES } from 'node:http';
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
    const expect = h.status !== undefined ? `status ${h.status}` : 'a 2xx/3xx status';
    return `HTTP GET ${h.path ?? '/'} on the port publishing ${h.containerPort} of a container ${matchPhrase(h.container)} answers ${expect}${bodyWanted(h)}`;
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

/** " with a body that contains ... (and matches ...)", or nothing. */
function bodyWanted(h: HttpCheck): string {
  const text = describeTextWant(bodyWant(h), { contains: 'contains', matches: 'matches' });
  return text ? ` with a body that ${text}` : '';
}

function evaluateHttp(check: HttpCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const portCheck: PortCheck = { container: check.container, containerPort: check.containerPort };
  return engine.judgeContainers(check.container, 'start one', async (info) => {
    const port = await portVerdict(info, portCheck, engine);
    if (!port.ok || !port.binding) return port;
    const host = engine.hostFor(port.binding.ip);
    const probePath = check.path ?? '/';
    const timeoutMs = check.timeoutMs ?? 5000;
    const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
    const where = `port ${check.containerPort} is published on host port ${port.binding.hostPort}${loopback ? '' : ` of ${host}`}`;
    const answer = await probeHttp(host, port.binding.hostPort, probePath, timeoutMs, engine.ctx.signal);
    if ('error' in answer) {
      if (answer.error === 'timeout') {
        return { ok: false, reason: `${where} but nothing answered HTTP within ${formatSeconds(timeoutMs)}`, progress: 3 };
      }
      if (answer.error === 'ECONNREFUSED') {
        return { ok: false, reason: `${where} but nothing answers HTTP there yet (connection refused at ${host}:${port.binding.hostPort}); the server may still be starting`, progress: 3 };
      }
      if (answer.error === 'ECONNRESET' || answer.error === 'EPIPE' || answer.error === 'HPE_INVALID_CONSTANT') {
        return { ok: false, reason: `${where} but the connection closed without an HTTP answer; the server may still be starting`, progress: 3 };
      }
      return { ok: false, reason: `${where} but the HTTP request failed: ${answer.message}`, progress: 3 };
    }
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port.binding.hostPort}${probePath}`;
    const statusText = `${answer.status}${STATUS_CODES[answer.status] ? ` (${STATUS_CODES[answer.status]})` : ''}`;
    const redirect = answer.location ? ` redirecting to ${answer.location}` : '';
    const statusOk = check.status !== undefined ? answer.status === check.status : answer.status >= 200 && answer.status < 400;
    if (!statusOk) {
      const expected = check.status !== undefined ? `${check.status}` : 'a 2xx or 3xx status';
      return { ok: false, reason: `GET ${url} answered ${statusText}${redirect}, expected ${expected}`, progress: 4 };
    }
    const held = textHolds(answer.body, bodyWant(check));
    if (!held.ok) {
      const truncated = answer.truncated ? ` (first ${formatSize(answer.body.length)} read)` : '';
      return { ok: false, reason: `GET ${url} answered ${statusText} but the body does not ${held.missing}${truncated}`, progress: 5 };
    }
    return { ok: true, reason: `GET ${url} answered ${statusText}${redirect}${bodyWanted(check)}`, progress: 6 };
  });
}
