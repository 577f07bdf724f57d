/**
 * The HTTP client of the `http` check: one GET, no redirect following, a bounded body and a
 * deadline on the whole exchange. Never rejects.
 */
import * as http from 'node:http';
import * as l10n from '@vscode/l10n';
import { formatSeconds } from '../engine/errors';

const MAX_BODY = 256 * 1024;

export type HttpAnswer =
  | { status: number; location?: string; body: string; truncated: boolean }
  | { error: string; message: string };

/** One GET, no redirect following, bounded body, a deadline on the whole exchange. */
export function probeHttp(host: string, port: number, requestPath: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve) => {
    let settled = false;
    const done = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const req = http.request({
      host,
      port,
      path: requestPath.startsWith('/') ? requestPath : `/${requestPath}`,
      method: 'GET',
      agent: false,
      headers: { Accept: '*/*', Connection: 'close', 'User-Agent': 'container-labs-check' },
    });
    const timer = setTimeout(() => {
      done({ error: 'timeout', message: l10n.t('no answer within {0}', formatSeconds(timeoutMs)) });
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      done({ error: 'aborted', message: l10n.t('the check was cancelled') });
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? 'error', message: err.message }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
      const finish = () => done({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks).toString('utf8'), truncated });
      res.on('data', (chunk: Buffer) => {
        if (size >= MAX_BODY) return;
        const part = chunk.length > MAX_BODY - size ? chunk.subarray(0, MAX_BODY - size) : chunk;
        chunks.push(part);
        size += part.length;
        if (size >= MAX_BODY) {
          truncated = true;
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.end();
  });
}

