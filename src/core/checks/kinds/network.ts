/**
 * `network: { name, driver?, container? }`: a network exists (with that driver, and a matching
 * container connected to it); `networkAbsent`, its opposite, shares the lookup.
 */
import type Dockerode from 'dockerode';
import type { CheckResult, NetworkAbsentCheck, NetworkCheck } from '../../model';
import { isNotFound } from '../../engine/errors';
import type { EngineSnapshot } from '../snapshot';
import { containerName, matchPhrase, plural, sinceNote, subject } from '../words';
import { type CheckKindSpec, mergeSubjects, subjects } from './spec';

export const network: CheckKindSpec<NetworkCheck> = {
  describe(n) {
    const driver = n.driver !== undefined ? ` (${n.driver} driver)` : '';
    const connected = n.container ? ` and a container ${matchPhrase(n.container)} is connected to it${sinceNote(n.container)}` : '';
    return `network ${n.name}${driver} exists${connected}`;
  },
  evaluate: (check, engine) => evaluateNetwork(check, engine),
  needsPolling: () => false,
  subjects: (n) => mergeSubjects([subjects({ networks: true }), ...(n.container ? [subjects({ container: n.container })] : [])]),
};

export const networkAbsent: CheckKindSpec<NetworkAbsentCheck> = {
  describe: (n) => `network ${n.name} is removed`,
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
    return { status: 'failed', reason: `network ${check.name} does not exist: create it with docker network create${driver} ${check.name}` };
  }
  if (check.driver !== undefined && info.Driver !== check.driver) {
    return { status: 'failed', reason: `network ${check.name} uses the ${info.Driver} driver, not ${check.driver}: remove it (docker network rm ${check.name}) and create it with docker network create --driver ${check.driver} ${check.name}` };
  }
  const match = check.container;
  if (!match) return { status: 'passed', reason: `network ${check.name} exists (${info.Driver} driver)` };
  return engine.judgeContainers(match, 'run one', (c) => Promise.resolve(connection(c, match, check.name)));
}

/** Whether the listed container is connected to the network, said for people. */
function connection(c: Dockerode.ContainerInfo, match: NonNullable<NetworkCheck['container']>, networkName: string): { ok: boolean; reason: string; progress: number } {
  const who = subject(c, match);
  const on = Object.keys(c.NetworkSettings?.Networks ?? {});
  if (on.includes(networkName)) return { ok: true, reason: `${who} is connected to network ${networkName}`, progress: 1 };
  const where = on.length > 0 ? ` (it is on ${on.join(', ')})` : '';
  return { ok: false, reason: `${who} is not connected to network ${networkName}${where}: run it with --network ${networkName}, or connect it with docker network connect ${networkName} ${containerName(c)}`, progress: 0 };
}

async function evaluateNetworkAbsent(check: NetworkAbsentCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const info = await inspectNetwork(check.name, engine);
  if (!info) return { status: 'passed', reason: `network ${check.name} does not exist` };
  const connected = Object.values(info.Containers ?? {}).map((c) => c.Name).filter((n): n is string => typeof n === 'string' && n !== '');
  if (connected.length > 0) {
    const names = connected.slice(0, 3).join(', ');
    return {
      status: 'failed',
      reason: `network ${check.name} still exists and ${plural(connected.length, 'container is', 'containers are')} connected to it (${names}): stop or disconnect ${connected.length === 1 ? 'it' : 'them'} (docker network disconnect ${check.name} ${connected[0]}), then docker network rm ${check.name}`,
    };
  }
  return { status: 'failed', reason: `network ${check.name} still exists: remove it with docker network rm ${check.name}` };
}
