/**
 * `network: { name, driver?, container? }`: a network exists (with that driver, and a matching
 * container connected to it); `networkAbsent`, its opposite, shares the lookup.
 */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import type { CheckResult, NetworkAbsentCheck, NetworkCheck } from '../../model';
import { isNotFound } from '../../engine/errors';
import type { EngineSnapshot } from '../snapshot';
import { containerName, matchPhrase, sinceNote, subject } from '../words';
import { type CheckKindSpec, mergeSubjects, subjects } from './spec';

export const network: CheckKindSpec<NetworkCheck> = {
  describe(n) {
    if (!n.container) return n.driver !== undefined ? l10n.t('network {0} ({1} driver) exists', n.name, n.driver) : l10n.t('network {0} exists', n.name);
    const match = matchPhrase(n.container);
    const connected = n.driver !== undefined
      ? l10n.t('network {0} ({1} driver) exists and a container {2} is connected to it', n.name, n.driver, match)
      : l10n.t('network {0} exists and a container {1} is connected to it', n.name, match);
    return connected + sinceNote(n.container);
  },
  evaluate: (check, engine) => evaluateNetwork(check, engine),
  needsPolling: () => false,
  subjects: (n) => mergeSubjects([subjects({ networks: true }), ...(n.container ? [subjects({ container: n.container })] : [])]),
};

export const networkAbsent: CheckKindSpec<NetworkAbsentCheck> = {
  describe: (n) => l10n.t('network {0} is removed', n.name),
  evaluate: (check, engine) => evaluateNetworkAbsent(check, engine),
  needsPolling: () => false,
  subjects: () => subjects({ networks: true }),
};

/** The network of exactly this name (the engine also answers a name by an id prefix), or undefined. */
async function inspectNetwork(name: string, engine: EngineSnapshot): Promise<Dockerode.NetworkInspectInfo | undefined> {
  try {
    // The typings of Network.inspect take no options: the snapshot's deadline bounds it.
    const info = await engine.call(() => engine.ctx.docker.getNetwork(name).inspect());
    return info.Name === name ? info : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function evaluateNetwork(check: NetworkCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const info = await inspectNetwork(check.name, engine);
  if (!info) {
    const driver = check.driver !== undefined && check.driver !== 'bridge' ? ` --driver ${check.driver}` : '';
    return { status: 'failed', reason: l10n.t('network {0} does not exist: create it with {1}', check.name, `docker network create${driver} ${check.name}`) };
  }
  if (check.driver !== undefined && info.Driver !== check.driver) {
    return {
      status: 'failed',
      reason: l10n.t('network {0} uses the {1} driver, not {2}: remove it (docker network rm {0}) and create it with docker network create --driver {2} {0}', check.name, info.Driver, check.driver),
    };
  }
  const match = check.container;
  if (!match) return { status: 'passed', reason: l10n.t('network {0} exists ({1} driver)', check.name, info.Driver) };
  return engine.judgeContainers(match, l10n.t('run one'), (c) => Promise.resolve(connection(c, match, check.name)));
}

/** Whether the listed container is connected to the network, said for people. */
function connection(c: Dockerode.ContainerInfo, match: NonNullable<NetworkCheck['container']>, networkName: string): { ok: boolean; reason: string; progress: number } {
  const who = subject(c, match);
  const on = Object.keys(c.NetworkSettings?.Networks ?? {});
  if (on.includes(networkName)) return { ok: true, reason: l10n.t('{0} is connected to network {1}', who, networkName), progress: 1 };
  return {
    ok: false,
    reason: on.length > 0
      ? l10n.t('{0} is not connected to network {1} (it is on {2}): run it with --network {1}, or connect it with docker network connect {1} {3}', who, networkName, on.join(', '), containerName(c))
      : l10n.t('{0} is not connected to network {1}: run it with --network {1}, or connect it with docker network connect {1} {2}', who, networkName, containerName(c)),
    progress: 0,
  };
}

async function evaluateNetworkAbsent(check: NetworkAbsentCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const info = await inspectNetwork(check.name, engine);
  if (!info) return { status: 'passed', reason: l10n.t('network {0} does not exist', check.name) };
  const connected = Object.values(info.Containers ?? {}).map((c) => c.Name).filter((n): n is string => typeof n === 'string' && n !== '');
  if (connected.length > 0) {
    const names = connected.slice(0, 3).join(', ');
    return {
      status: 'failed',
      reason: connected.length === 1
        ? l10n.t('network {0} still exists and 1 container is connected to it ({1}): stop or disconnect it (docker network disconnect {0} {2}), then docker network rm {0}', check.name, names, connected[0])
        : l10n.t('network {0} still exists and {1} containers are connected to it ({2}): stop or disconnect them (docker network disconnect {0} {3}), then docker network rm {0}', check.name, connected.length, names, connected[0]),
    };
  }
  return { status: 'failed', reason: l10n.t('network {0} still exists: remove it with docker network rm {0}', check.name) };
}
