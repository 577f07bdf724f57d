/** `port: {...}`: a running container publishes a container port (on a given host port). */
import type Dockerode from 'dockerode';
import type { PortCheck } from '../../model';
import { CannotCheck, type EngineSnapshot, type Verdict } from '../snapshot';
import { matchPhrase, sinceNote, subject } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const port: CheckKindSpec<PortCheck> = {
  describe: (p) =>
    `a running container ${matchPhrase(p.container)} publishes ${p.containerPort}/${p.protocol ?? 'tcp'}${p.hostPort !== undefined ? ` on host port ${p.hostPort}` : ''}${sinceNote(p.container)}`,
  evaluate: (check, engine) => engine.judgeContainers(check.container, 'start one', (info) => portVerdict(info, check, engine)),
  needsPolling: () => false,
  subjects: (p) => subjects({ container: p.container }),
};

/** A published port: where it answers (the `http` kind probes it there). */
export interface Binding {
  ip: string;
  hostPort: number;
}

/** The published bindings of `containerPort` on a running container, IPv4 first. */
function bindings(info: Dockerode.ContainerInfo, containerPort: number, protocol: string): Binding[] {
  return info.Ports.filter((p) => p.PrivatePort === containerPort && (p.Type || 'tcp') === protocol && typeof p.PublicPort === 'number' && p.PublicPort > 0)
    .map((p) => ({ ip: p.IP ?? '', hostPort: p.PublicPort }))
    .sort((a, b) => Number(a.ip.includes(':')) - Number(b.ip.includes(':')));
}

export async function portVerdict(info: Dockerode.ContainerInfo, check: PortCheck, engine: EngineSnapshot): Promise<Verdict & { binding?: Binding }> {
  const protocol = check.protocol ?? 'tcp';
  const who = subject(info, check.container);
  const want = `${check.hostPort ?? check.containerPort}:${check.containerPort}${protocol === 'udp' ? '/udp' : ''}`;
  if (info.State !== 'running') {
    return { ok: false, reason: await engine.notRunning(info, check.container), progress: 0 };
  }
  const found = bindings(info, check.containerPort, protocol);
  if (found.length === 0) {
    const others = info.Ports.filter((p) => typeof p.PublicPort === 'number' && p.PublicPort > 0 && !(p.IP ?? '').includes(':'));
    const list = others.map((p) => `${p.PrivatePort} on ${p.PublicPort}`).join(', ');
    const reason = others.length
      ? `${who} is running but does not publish port ${check.containerPort} (it publishes ${list}); run it with -p ${want}`
      : `${who} is running but publishes no ports; run it with -p ${want}`;
    return { ok: false, reason, progress: 1 };
  }
  if (check.hostPort !== undefined) {
    const exact = found.find((b) => b.hostPort === check.hostPort);
    if (!exact) {
      const ports = [...new Set(found.map((b) => b.hostPort))].join(' and ');
      return {
        ok: false,
        reason: `${who} is running but publishes ${check.containerPort} on host port ${ports}, not ${check.hostPort}; run it with -p ${want}`,
        progress: 2,
      };
    }
    return { ok: true, reason: `${who} publishes ${check.containerPort} on host port ${exact.hostPort}`, progress: 3, binding: exact };
  }
  const first = found[0];
  if (!first) throw new CannotCheck('internal error: binding lost');
  return { ok: true, reason: `${who} publishes ${check.containerPort} on host port ${first.hostPort}`, progress: 3, binding: first };
}
