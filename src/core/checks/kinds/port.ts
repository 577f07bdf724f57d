/** `port: {...}`: a running container publishes a container port (on a given host port). */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import type { PortCheck } from '../../model';
import { CannotCheck, type EngineSnapshot, type Verdict } from '../snapshot';
import { joinWith, matchPhrase, sinceNote, subject } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const port: CheckKindSpec<PortCheck> = {
  describe(p) {
    const match = matchPhrase(p.container);
    const protocol = p.protocol ?? 'tcp';
    const publishes = p.hostPort !== undefined
      ? l10n.t('a running container {0} publishes {1}/{2} on host port {3}', match, p.containerPort, protocol, p.hostPort)
      : l10n.t('a running container {0} publishes {1}/{2}', match, p.containerPort, protocol);
    return publishes + sinceNote(p.container);
  },
  evaluate: (check, engine) => engine.judgeContainers(check.container, l10n.t('start one'), (info) => portVerdict(info, check, engine)),
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
    const list = others.map((p) => l10n.t('{0} on {1}', p.PrivatePort, p.PublicPort)).join(', ');
    const reason = others.length
      ? l10n.t('{0} is running but does not publish port {1} (it publishes {2}); run it with -p {3}', who, check.containerPort, list, want)
      : l10n.t('{0} is running but publishes no ports; run it with -p {1}', who, want);
    return { ok: false, reason, progress: 1 };
  }
  if (check.hostPort !== undefined) {
    const exact = found.find((b) => b.hostPort === check.hostPort);
    if (!exact) {
      const ports = joinWith([...new Set(found.map((b) => String(b.hostPort)))], (first, next) => l10n.t('{0} and {1}', first, next));
      return {
        ok: false,
        reason: l10n.t('{0} is running but publishes {1} on host port {2}, not {3}; run it with -p {4}', who, check.containerPort, ports, check.hostPort, want),
        progress: 2,
      };
    }
    return { ok: true, reason: l10n.t('{0} publishes {1} on host port {2}', who, check.containerPort, exact.hostPort), progress: 3, binding: exact };
  }
  const first = found[0];
  if (!first) throw new CannotCheck('internal error: binding lost');
  return { ok: true, reason: l10n.t('{0} publishes {1} on host port {2}', who, check.containerPort, first.hostPort), progress: 3, binding: first };
}
