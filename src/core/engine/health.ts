/**
 * Is the engine there and usable? A report that tells apart the usual reasons it is not,
 * each with its fix. No `vscode` import.
 */
import type Dockerode from 'dockerode';
import { createDocker, type EngineEndpoint } from './connection';
import { callWithDeadline, describeEngineError, engineErrorKind } from './errors';

export type HealthProblem =
  | 'not-running'
  | 'permission-denied'
  | 'wrong-context'
  | 'too-old'
  | 'no-engine-in-codespace'
  | 'unreachable';

export interface HealthFix {
  title: string;
  /** A shell command that fixes it, to show or to send to a terminal (never run silently). */
  command?: string;
  url?: string;
}

export interface HealthReport {
  ok: boolean;
  problem?: HealthProblem;
  /** One or two sentences for people. */
  message: string;
  fixes: HealthFix[];
  endpoint: EngineEndpoint;
  serverVersion?: string;
  apiVersion?: string;
  /** Operating system / architecture the engine reports, e.g. `linux/amd64`. */
  platform?: string;
  elapsedMs: number;
}

export interface HealthOptions {
  /** Deadline for the whole check, default 3000 ms. */
  timeoutMs?: number;
  /** Environment, default `process.env` (for CODESPACES). */
  env?: NodeJS.ProcessEnv;
  /** A client to use instead of one built from the endpoint. */
  docker?: Dockerode;
  signal?: AbortSignal;
}

/** The oldest Engine API the checks rely on (Docker 19.03). */
export const MIN_API_VERSION = '1.40';

export async function checkHealth(endpoint: EngineEndpoint, opts: HealthOptions = {}): Promise<HealthReport> {
  const started = Date.now();
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const report = (fields: Omit<HealthReport, 'endpoint' | 'elapsedMs'>): HealthReport => ({
    ...fields,
    endpoint,
    elapsedMs: Date.now() - started,
  });

  if (endpoint.contextError) {
    return report({
      ok: false,
      problem: 'wrong-context',
      message: `The docker context cannot be used: ${endpoint.contextError}.`,
      fixes: [
        { title: 'List the contexts that exist', command: 'docker context ls' },
        { title: 'Switch back to the default context', command: 'docker context use default' },
        ...(env.DOCKER_CONTEXT ? [{ title: 'Or unset DOCKER_CONTEXT in your shell', command: 'unset DOCKER_CONTEXT' }] : []),
      ],
    });
  }

  if (endpoint.hostError) {
    return report({
      ok: false,
      problem: 'unreachable',
      message: `The engine address cannot be used: ${endpoint.hostError}.`,
      fixes: [
        { title: 'Use a docker host such as unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST' },
        ...(endpoint.hostError.startsWith('DOCKER_HOST') ? [{ title: 'Or unset DOCKER_HOST in your shell', command: 'unset DOCKER_HOST' }] : []),
      ],
    });
  }

  const docker = opts.docker ?? createDocker(endpoint, { timeoutMs });
  let version: Dockerode.DockerVersion;
  try {
    version = await callWithDeadline((signal) => versionOf(docker, signal), timeoutMs, opts.signal);
  } catch (err) {
    return report(problemFor(err, endpoint, env, timeoutMs));
  }
  const apiVersion = version.ApiVersion;
  const serverVersion = version.Version;
  const platform = version.Os && version.Arch ? `${version.Os}/${version.Arch}` : undefined;
  if (apiVersion && compareApiVersions(apiVersion, MIN_API_VERSION) < 0) {
    return report({
      ok: false,
      problem: 'too-old',
      message: `The Docker Engine at ${endpoint.url} is too old: version ${serverVersion} speaks API ${apiVersion}; Container Labs needs API ${MIN_API_VERSION} (Docker 19.03) or newer.`,
      fixes: [
        { title: 'Update Docker Engine', url: 'https://docs.docker.com/engine/install/' },
        { title: 'Update Docker Desktop', url: 'https://docs.docker.com/desktop/release-notes/' },
      ],
      serverVersion,
      apiVersion,
      platform,
    });
  }
  return report({
    ok: true,
    message: `Docker Engine ${serverVersion} (API ${apiVersion}) answers at ${endpoint.description}.`,
    fixes: [],
    serverVersion,
    apiVersion,
    platform,
  });
}

function problemFor(
  err: unknown,
  endpoint: EngineEndpoint,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Omit<HealthReport, 'endpoint' | 'elapsedMs'> {
  const kind = engineErrorKind(err);
  const detail = describeEngineError(err, endpoint, timeoutMs);
  const inCodespace = env.CODESPACES === 'true';
  if (kind === 'not-running' && inCodespace) {
    return {
      ok: false,
      problem: 'no-engine-in-codespace',
      message: `This Codespace has no Docker Engine (${detail}). Add the docker-in-docker feature to the dev container and rebuild it.`,
      fixes: [
        {
          title: 'Add "ghcr.io/devcontainers/features/docker-in-docker:2": {} to "features" in .devcontainer/devcontainer.json, then run "Codespaces: Rebuild Container"',
          url: 'https://github.com/devcontainers/features/tree/main/src/docker-in-docker',
        },
      ],
    };
  }
  if (kind === 'not-running' && endpoint.kind === 'ssh') {
    return {
      ok: false,
      problem: 'unreachable',
      message: `The SSH connection to ${endpoint.url} was refused: ${detail}. Is sshd running there, and is the address right?`,
      fixes: [
        { title: 'Try the same connection with the docker CLI', command: `docker -H ${endpoint.url} version` },
        { title: 'Try plain SSH', command: `ssh ${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host ?? ''}${endpoint.port && endpoint.port !== 22 ? ` -p ${endpoint.port}` : ''} docker version` },
      ],
    };
  }
  if (kind === 'not-running') {
    return { ok: false, problem: 'not-running', message: `The Docker Engine is not running: ${detail}.`, fixes: startFixes(endpoint) };
  }
  if (kind === 'permission-denied') {
    return {
      ok: false,
      problem: 'permission-denied',
      message: `Permission denied on ${endpoint.socketPath ?? endpoint.url}: your user may not use the Docker socket.`,
      fixes: [
        { title: 'Add your user to the docker group, then log out and back in (or run `newgrp docker`)', command: 'sudo usermod -aG docker $USER' },
        { title: 'Docker post-installation steps for Linux', url: 'https://docs.docker.com/engine/install/linux-postinstall/' },
      ],
    };
  }
  if (kind === 'timeout') {
    return {
      ok: false,
      problem: 'unreachable',
      message: `The Docker Engine at ${endpoint.url} did not answer within ${seconds(timeoutMs)}. It may be starting, overloaded or behind a firewall.`,
      fixes: [
        { title: 'See whether the docker CLI gets an answer', command: 'docker version' },
        ...startFixes(endpoint),
      ],
    };
  }
  return {
    ok: false,
    problem: 'unreachable',
    message: `The Docker Engine at ${endpoint.url} cannot be reached: ${detail}.`,
    fixes: [
      { title: 'See what the docker CLI says', command: 'docker version' },
      ...(endpoint.source === 'DOCKER_HOST' ? [{ title: 'Check DOCKER_HOST in your shell', command: 'echo $DOCKER_HOST' }] : []),
    ],
  };
}

function startFixes(endpoint: EngineEndpoint): HealthFix[] {
  if (endpoint.kind === 'tcp' || endpoint.kind === 'ssh') {
    return [{ title: `Start Docker on ${endpoint.host ?? 'the remote host'}, or point DOCKER_HOST at an engine that runs` }];
  }
  if (process.platform === 'darwin' || process.platform === 'win32' || endpoint.source === 'Docker Desktop socket') {
    return [{ title: 'Start Docker Desktop', url: 'https://docs.docker.com/desktop/' }];
  }
  if (endpoint.source === 'rootless socket') {
    return [{ title: 'Start the rootless Docker daemon', command: 'systemctl --user start docker' }];
  }
  return [
    { title: 'Start the Docker service', command: 'sudo systemctl start docker' },
    { title: 'Without systemd, start the daemon by hand', command: 'sudo dockerd' },
    { title: 'Or start Docker Desktop', url: 'https://docs.docker.com/desktop/' },
  ];
}

/** dockerode's `version` takes `{ abortSignal }` at run time; its typings omit the argument. */
function versionOf(docker: Dockerode, signal: AbortSignal): Promise<Dockerode.DockerVersion> {
  const version = docker.version.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<Dockerode.DockerVersion>;
  return version({ abortSignal: signal });
}

/** Compare API versions such as `1.41` and `1.9` numerically. */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
