/**
 * Finds the web service a step started (Jupyter, RStudio, any HTTP check): the running
 * container, the host port its container port is published on, and Jupyter's token from
 * its logs. Every engine call has a deadline.
 */
import type Dockerode from 'dockerode';
import type { ContainerMatch, HttpCheck } from '../core/model';
import { sameImageRef } from '../core/images';
import { escapeRegExp } from '../core/text';

const DEADLINE_MS = 5000;

export interface FoundService {
  url: string;
  label: string;
  containerId: string;
  hostPort: number;
}

/** Label filters for the engine from a container match (the rest is matched here). */
function filtersFor(match: ContainerMatch): Record<string, string[]> {
  const filters: Record<string, string[]> = { status: ['running'] };
  if (match.name) filters.name = [`^/?${escapeRegExp(match.name)}$`];
  if (match.label) filters.label = [match.label];
  return filters;
}

/** Jupyter prints `http://127.0.0.1:8888/?token=abc...` (or `/lab?token=`) when it starts. */
export function tokenFromLogs(logs: string): string | undefined {
  const matches = [...logs.matchAll(/[?&]token=([0-9A-Za-z_-]+)/g)];
  const last = matches[matches.length - 1];
  return last?.[1];
}

export function serviceLabel(image: string, hostPort: number): string {
  if (/jupyter/i.test(image)) return `Jupyter on port ${hostPort}`;
  if (/rstudio/i.test(image)) return `RStudio on port ${hostPort}`;
  return `Port ${hostPort}`;
}

export async function findService(
  docker: Dockerode,
  publishedHost: string,
  http: HttpCheck,
  opts: { since?: number } = {},
): Promise<FoundService | undefined> {
  const match = http.container;
  const list = await docker.listContainers({
    filters: filtersFor(match),
    abortSignal: AbortSignal.timeout(DEADLINE_MS),
  });
  const candidates = list
    .filter((c) => !match.image || sameImageRef(c.Image, match.image))
    .filter((c) => !match.commandContains || c.Command.includes(match.commandContains))
    .filter((c) => opts.since === undefined || c.Created * 1000 >= opts.since - 1000)
    .sort((a, b) => b.Created - a.Created);
  const protocol = 'tcp';
  for (const container of candidates) {
    const port = (container.Ports ?? []).find(
      (p) => p.PrivatePort === http.containerPort && p.Type === protocol && typeof p.PublicPort === 'number' && p.PublicPort > 0,
    );
    if (!port) continue;
    const hostPort = port.PublicPort;
    let token: string | undefined;
    try {
      const logs = await docker.getContainer(container.Id).logs({
        stdout: true,
        stderr: true,
        tail: 300,
        follow: false,
        abortSignal: AbortSignal.timeout(DEADLINE_MS),
      });
      token = tokenFromLogs(Buffer.isBuffer(logs) ? logs.toString('utf8') : String(logs));
    } catch {
      token = undefined;
    }
    const host = publishedHost.includes(':') && !publishedHost.startsWith('[') ? `[${publishedHost}]` : publishedHost;
    const base = `http://${host}:${hostPort}`;
    const url = token ? `${base}/?token=${encodeURIComponent(token)}` : `${base}${http.path ?? '/'}`;
    return { url, label: serviceLabel(container.Image, hostPort), containerId: container.Id, hostPort };
  }
  return undefined;
}
