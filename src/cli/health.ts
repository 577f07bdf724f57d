/**
 * `container-labs health [--json] [--host URL]`: whether the Docker engine answers, and if not,
 * why and how to fix it. Exit 0 when it answers, 2 when it does not.
 *
 * Also the engine connection shared by `test` and `check`, which report health first.
 */
import type Dockerode from 'dockerode';
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
  const lines = [report.ok ? report.message : `error: ${report.message}`];
  if (!report.ok) lines.push(`  engine: ${report.endpoint.description}`);
  if (report.engine) lines.push(`  engine: ${report.engine.product} ${report.engine.version}${report.engine.rootless ? ', rootless' : ''}${report.engine.hostName ? ` on host ${report.engine.hostName}` : ''}${report.clientApiVersion ? `, spoken to in API ${report.clientApiVersion}` : ''}`);
  if (report.context) lines.push(`  context: ${report.context}`);
  if (report.user) lines.push(`  as: ${report.user}`);
  lines.push(`  published ports answer on: ${report.endpoint.publishedHost}`);
  for (const note of report.notes ?? []) lines.push(`  note: ${note}`);
  if (report.fixes.length) {
    lines.push('How to fix it:');
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

const USAGE = `Usage: container-labs health [--json] [--host URL]

Reports whether the Docker engine answers (DOCKER_HOST, DOCKER_CONTEXT, the current docker
context or the default socket, like the docker CLI), and how to fix it when it does not.
Exit codes: 0 the engine answers, 2 it does not.`;

export async function runHealth(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(
    'health',
    {
      args,
      allowPositionals: false,
      options: { json: { type: 'boolean' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    },
    io,
    USAGE,
  );
  if (typeof parsed === 'number') return parsed;
  const endpoint = resolveEndpoint({ override: parsed.values.host, env: io.env });
  const report = await checkHealth(endpoint, { env: io.env });
  if (parsed.values.json) io.out(JSON.stringify(healthJson(report), null, 2));
  else io.out(formatHealth(report));
  return report.ok ? 0 : 2;
}
