/** `mount: {...}`: a container has a bind, volume or tmpfs mount at a path (read-only or not). */
import * as path from 'node:path';
import type { CheckResult, MountCheck } from '../../model';
import type { EngineSnapshot } from '../snapshot';
import { matchPhrase, subject, trimSlash } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const mount: CheckKindSpec<MountCheck> = {
  describe(m) {
    const kind = m.type ? `a ${m.type} mount` : 'a mount';
    return `${kind}${m.source ? ` of ${m.source}` : ''} at ${m.destination}${m.readOnly === undefined ? '' : m.readOnly ? ' (read-only)' : ' (read-write)'} in a container ${matchPhrase(m.container)}`;
  },
  evaluate: evaluateMount,
  needsPolling: () => false,
  subjects: (m) => subjects({ container: m.container, volumes: true }),
};

function evaluateMount(check: MountCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const destination = trimSlash(check.destination);
  return engine.judgeContainers(check.container, 'run one with the mount', async (info) => {
    const who = subject(info, check.container);
    const mounts = info.Mounts ?? [];
    let mount = mounts.find((mt) => trimSlash(mt.Destination) === destination);
    if (!mount && check.type !== 'bind' && check.type !== 'volume') {
      // `--tmpfs /x` is kept in HostConfig.Tmpfs, not in Mounts (only `--mount type=tmpfs` is).
      const tmpfs = (await engine.inspect(info.Id))?.HostConfig?.Tmpfs ?? {};
      const options = Object.entries(tmpfs).find(([dest]) => trimSlash(dest) === destination)?.[1];
      if (options !== undefined) {
        const readOnly = options.split(',').includes('ro');
        mount = { Type: 'tmpfs', Source: '', Destination: destination, Mode: options, RW: !readOnly, Propagation: '' };
      }
    }
    if (!mount) {
      const others = mounts.map((mt) => mt.Destination).sort().join(', ');
      const flag = check.type === 'tmpfs' ? `--tmpfs ${destination}` : `-v ${check.source ?? 'SOURCE'}:${destination}${check.readOnly ? ':ro' : ''}`;
      return {
        ok: false,
        reason: `nothing is mounted at ${destination} in ${who}${others ? ` (it has ${others})` : ''}; run it with ${flag}`,
        progress: 0,
      };
    }
    const type = mount.Type;
    if (check.type && type !== check.type) {
      return { ok: false, reason: `${destination} in ${who} is a ${type} mount, not a ${check.type} mount`, progress: 1 };
    }
    if (check.source !== undefined) {
      const actual = type === 'volume' ? (mount.Name ?? mount.Source) : mount.Source;
      const expected = type === 'volume' ? check.source : trimSlash(check.source);
      const same = type === 'volume' ? actual === expected : trimSlash(path.resolve(actual)) === trimSlash(path.resolve(expected));
      if (!same) {
        const what = type === 'volume' ? 'volume' : 'path';
        return { ok: false, reason: `${destination} in ${who} is mounted from ${what} ${actual}, not from ${expected}`, progress: 2 };
      }
    }
    if (check.readOnly !== undefined && mount.RW === check.readOnly) {
      return {
        ok: false,
        reason: check.readOnly ? `${destination} in ${who} is mounted read-write; add :ro to make it read-only` : `${destination} in ${who} is mounted read-only; remove :ro`,
        progress: 3,
      };
    }
    const from = type === 'volume' ? `volume ${mount.Name ?? mount.Source}` : type === 'tmpfs' ? 'tmpfs' : mount.Source;
    return { ok: true, reason: `${destination} in ${who} is mounted from ${from}${mount.RW ? '' : ' (read-only)'}`, progress: 4 };
  });
}
