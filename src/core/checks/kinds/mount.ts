/** `mount: {...}`: a container has a bind, volume or tmpfs mount at a path (read-only or not). */
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import type { CheckResult, MountCheck } from '../../model';
import type { EngineSnapshot } from '../snapshot';
import { matchPhrase, subject, trimSlash } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const mount: CheckKindSpec<MountCheck> = {
  describe(m) {
    const kind = m.type ? l10n.t('a {0} mount', m.type) : l10n.t('a mount');
    const at = m.readOnly === undefined ? m.destination : m.readOnly ? l10n.t('{0} (read-only)', m.destination) : l10n.t('{0} (read-write)', m.destination);
    const match = matchPhrase(m.container);
    return m.source ? l10n.t('{0} of {1} at {2} in a container {3}', kind, m.source, at, match) : l10n.t('{0} at {1} in a container {2}', kind, at, match);
  },
  evaluate: evaluateMount,
  needsPolling: () => false,
  subjects: (m) => subjects({ container: m.container, volumes: true }),
};

function evaluateMount(check: MountCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const destination = trimSlash(check.destination);
  return engine.judgeContainers(check.container, l10n.t('run one with the mount'), async (info) => {
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
        reason: others
          ? l10n.t('nothing is mounted at {0} in {1} (it has {2}); run it with {3}', destination, who, others, flag)
          : l10n.t('nothing is mounted at {0} in {1}; run it with {2}', destination, who, flag),
        progress: 0,
      };
    }
    const type = mount.Type;
    if (check.type && type !== check.type) {
      return { ok: false, reason: l10n.t('{0} in {1} is a {2} mount, not a {3} mount', destination, who, type, check.type), progress: 1 };
    }
    if (check.source !== undefined) {
      const actual = type === 'volume' ? (mount.Name ?? mount.Source) : mount.Source;
      const expected = type === 'volume' ? check.source : trimSlash(check.source);
      const same = type === 'volume' ? actual === expected : trimSlash(path.resolve(actual)) === trimSlash(path.resolve(expected));
      if (!same) {
        return {
          ok: false,
          reason: type === 'volume'
            ? l10n.t('{0} in {1} is mounted from volume {2}, not from {3}', destination, who, actual, expected)
            : l10n.t('{0} in {1} is mounted from path {2}, not from {3}', destination, who, actual, expected),
          progress: 2,
        };
      }
    }
    if (check.readOnly !== undefined && mount.RW === check.readOnly) {
      return {
        ok: false,
        reason: check.readOnly ? l10n.t('{0} in {1} is mounted read-write; add :ro to make it read-only', destination, who) : l10n.t('{0} in {1} is mounted read-only; remove :ro', destination, who),
        progress: 3,
      };
    }
    const from = type === 'volume' ? l10n.t('volume {0}', mount.Name ?? mount.Source) : type === 'tmpfs' ? 'tmpfs' : mount.Source;
    return {
      ok: true,
      reason: mount.RW ? l10n.t('{0} in {1} is mounted from {2}', destination, who, from) : l10n.t('{0} in {1} is mounted from {2} (read-only)', destination, who, from),
      progress: 4,
    };
  });
}
