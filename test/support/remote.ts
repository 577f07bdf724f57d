/**
 * Shared by the remote-engine health tests (TLS and ssh lanes): the lane's environment with
 * changes, the product's health check for an environment, and what the docker CLI says with
 * the same environment (the tests compare the two).
 */
import { spawnSync } from 'node:child_process';
import { resolveEndpoint } from '../../src/core/engine/connection';
import { checkHealth, type HealthReport } from '../../src/core/engine/health';

/** This process's environment with these changes (undefined removes a variable). */
export function envWith(changes: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** The health report for the engine this environment names, as the CLI's `health` makes it. */
export function health(env: NodeJS.ProcessEnv): Promise<HealthReport> {
  return checkHealth(resolveEndpoint({ env }), { env });
}

/** What the docker CLI says with this environment: its exit code and stderr. */
export function dockerCli(env: NodeJS.ProcessEnv, timeoutMs = 60_000): { code: number | null; stderr: string } {
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stderr: r.stderr };
}
