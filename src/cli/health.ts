/**
 * `container-labs health [--json] [--host URL]`: whether the Docker engine answers, and if not,
 * why and how to fix it. Exit 0 when it answers, 2 when it does not.
 *
 * Also the engine connection shared by `test` and `check`, which report health first.
 */
import type Dockerode from 'dockerode';
import * as l10n from '@vscode/l10n';
import { createDocker, resolveEndpoint, type EngineEndpoint } from '../core/engine/connection';
import { checkHealth, type HealthReport } from '../core/engine/health';
import { parseCommandLine } from './args';
import type { CliIo } from './io';

export interface EngineConnection {
  endpoint: EngineEndpoint;
  docker: Dockerode;
  health: HealthReport;
}

/** Resolves the endpoint like the docker CLI (or `--host`), builds a client and asks for its health. */
export async function connectEngine(io: CliIo, host?: string): Promise<EngineConnection> {
  const endpoint = resolveEndpoint({ override: host, env: io.env });
  const docker = createDocker(endpoint, { env: io.env });
  const health = await checkHealth(endpoint, { docker, env: io.env });
  return { endpoint, docker, health };
}

/** The report for people: the message, which engine as whom, the notes, then each fix with its command or link. */
export function formatHealth(report: HealthReport): string {
  // `error:` is a severity word, as in validate's `file:line:col: error:` lines: not translated.
  const lines = [report.ok ? report.message : `error: ${report.message}`];
  if (!report.ok) lines.push(`  ${l10n.t('engine: {0}', report.endpoint.description)}`);
  if (report.engine) {
    let engine = `${report.engine.product} ${report.engine.version}`;
    if (report.engine.rootless) engine = l10n.t('{0}, rootless', engine);
    if (report.engine.hostName) engine = l10n.t('{0} on host {1}', engine, report.engine.hostName);
    if (report.clientApiVersion) engine = l10n.t('{0}, spoken to in API {1}', engine, report.clientApiVersion);
    lines.push(`  ${l10n.t('engine: {0}', engine)}`);
  }
  if (report.context) lines.push(`  ${l10n.t('context: {0}', report.context)}`);
  if (report.user) lines.push(`  ${l10n.t('as: {0}', report.user)}`);
  lines.push(`  ${l10n.t('published ports answer on: {0}', report.endpoint.publishedHost)}`);
  for (const note of report.notes ?? []) lines.push(`  ${l10n.t('note: {0}', note)}`);
  if (report.fixes.length) {
    lines.push(l10n.t('How to fix it:'));
    for (const fix of report.fixes) {
      const how = fix.command ? `\n      $ ${fix.command}` : fix.url ? `\n      ${fix.url}` : '';
      lines.push(`  - ${fix.title}${how}`);
    }
  }
  return lines.join('\n');
}

export function healthJson(report: HealthReport): Record<string, unknown> {
  return {
    ok: report.ok,
    problem: report.problem ?? null,
    message: report.message,
    fixes: report.fixes,
    endpoint: { url: report.endpoint.url, kind: report.endpoint.kind, source: report.endpoint.source, description: report.endpoint.description, publishedHost: report.endpoint.publishedHost },
    engine: report.engine ?? null,
    user: report.user ?? null,
    context: report.context ?? null,
    notes: report.notes ?? [],
    serverVersion: report.serverVersion ?? null,
    apiVersion: report.apiVersion ?? null,
    clientApiVersion: report.clientApiVersion ?? null,
    platform: report.platform ?? null,
    elapsedMs: report.elapsedMs,
  };
}

function usage(): string {
  return [
    l10n.t('Usage: {0}', 'container-labs health [--json] [--host URL]'),
    '',
    l10n.t('Reports whether the Docker engine answers (DOCKER_HOST, DOCKER_CONTEXT, the current docker\ncontext or the default socket, like the docker CLI), and how to fix it when it does not.'),
    l10n.t('Exit codes: 0 the engine answers, 2 it does not.'),
  ].join('\n');
}

export async function runHealth(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(
    'health',
    {
      args,
      allowPositionals: false,
      options: { json: { type: 'boolean' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    },
    io,
    usage(),
  );
  if (typeof parsed === 'number') return parsed;
  const endpoint = resolveEndpoint({ override: parsed.values.host, env: io.env });
  const report = await checkHealth(endpoint, { env: io.env });
  if (parsed.values.json) io.out(JSON.stringify(healthJson(report), null, 2));
  else io.out(formatHealth(report));
  return report.ok ? 0 : 2;
}
