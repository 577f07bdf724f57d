/** `container: {...}`: a container matching the fields exists, in a state, with an exit code or flags. */
import * as l10n from '@vscode/l10n';
import type Dockerode from 'dockerode';
import type { CheckResult, ContainerCheck } from '../../model';
import { renderPath } from '../../labs/schema';
import type { EngineSnapshot } from '../snapshot';
import { exitCodeFromStatus, exitText, firstLine, matchPhrase, sinceNote, subject } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const container: CheckKindSpec<ContainerCheck> = {
  describe(c) {
    const match = matchPhrase(c);
    const what = c.exitCode !== undefined
      ? l10n.t('a container {0} exited with code {1}', match, c.exitCode)
      : c.state
        ? l10n.t('a container {0} is {1}', match, c.state)
        : l10n.t('a container {0} exists', match);
    const flags: string[] = [];
    if (c.tty !== undefined) flags.push(c.tty ? l10n.t('with a TTY (-t)') : l10n.t('without a TTY'));
    if (c.interactive !== undefined) flags.push(c.interactive ? l10n.t('with stdin open (-i)') : l10n.t('without -i'));
    if (c.autoRemove !== undefined) flags.push(c.autoRemove ? l10n.t('removed on exit (--rm)') : l10n.t('not --rm'));
    if (c.health !== undefined) flags.push(c.health === 'none' ? l10n.t('with no health check') : l10n.t('health {0}', c.health));
    if (c.restartPolicy !== undefined) flags.push(l10n.t('restart policy {0}', c.restartPolicy));
    return [what, ...flags].join(', ') + sinceNote(c);
  },

  evaluate: evaluateContainer,

  needsPolling: () => false,
  subjects: (container) => subjects({ container }),

  lint(c, at) {
    if (c.exitCode === undefined || c.state === undefined || c.state === 'exited') return [];
    return [{
      path: [...at, 'container', 'state'],
      message: `${renderPath([...at, 'container'])}: exitCode means the container has exited, so state must be exited (or left out), not ${c.state}`,
    }];
  },
};

function evaluateContainer(check: ContainerCheck, engine: EngineSnapshot): Promise<CheckResult> {
  const wantState = check.exitCode !== undefined ? 'exited' : check.state;
  const wanted = check.exitCode !== undefined ? l10n.t('run it and let it finish') : wantState === 'running' ? l10n.t('start one') : l10n.t('run one');
  return engine.judgeContainers(check, wanted, async (info) => {
    const who = subject(info, check);
    let progress = 0;
    if (wantState && info.State !== wantState) {
      if (wantState === 'running') return { ok: false, reason: await engine.notRunning(info, check), progress };
      if (wantState === 'exited' && info.State === 'running') {
        return { ok: false, reason: l10n.t('{0} is still running; it has not exited yet', who), progress };
      }
      if (wantState === 'exited' && info.State === 'created') {
        return { ok: false, reason: await engine.notRunning(info, check), progress };
      }
      return { ok: false, reason: l10n.t('{0} is {1}, not {2}', who, info.State, wantState), progress };
    }
    progress = 1;
    if (check.exitCode !== undefined) {
      const code = exitCodeFromStatus(info.Status) ?? (await engine.inspect(info.Id))?.State.ExitCode;
      if (code !== check.exitCode) {
        const oom = code === 137 ? (await engine.inspect(info.Id))?.State.OOMKilled === true : false;
        return {
          ok: false,
          reason: code === undefined
            ? l10n.t('{0} exited with an unknown code, not {1}', who, check.exitCode)
            : l10n.t('{0} exited with {1}, not {2}', who, exitText(code, oom), check.exitCode),
          progress,
        };
      }
    }
    progress = 2;
    if (check.tty !== undefined || check.interactive !== undefined || check.autoRemove !== undefined || check.health !== undefined || check.restartPolicy !== undefined) {
      const inspected = await engine.inspect(info.Id);
      if (!inspected) return { ok: false, reason: l10n.t('{0} disappeared while being checked', who), progress };
      if (check.tty !== undefined && inspected.Config.Tty !== check.tty) {
        return { ok: false, reason: check.tty ? l10n.t('{0} was started without a TTY: add -t (usually -it)', who) : l10n.t('{0} was started with a TTY (-t); run it without -t', who), progress };
      }
      if (check.interactive !== undefined && inspected.Config.OpenStdin !== check.interactive) {
        return { ok: false, reason: check.interactive ? l10n.t('{0} does not keep stdin open: add -i (usually -it)', who) : l10n.t('{0} keeps stdin open (-i); run it without -i', who), progress };
      }
      if (check.autoRemove !== undefined && inspected.HostConfig.AutoRemove !== check.autoRemove) {
        return { ok: false, reason: check.autoRemove ? l10n.t('{0} was started without --rm', who) : l10n.t('{0} was started with --rm', who), progress };
      }
      if (check.restartPolicy !== undefined) {
        const policy = restartPolicyOf(inspected);
        if (policy !== check.restartPolicy) return { ok: false, reason: l10n.t('{0} has restart policy {1}, not {2}: run it with --restart {2}', who, policy, check.restartPolicy), progress };
      }
      if (check.health !== undefined) {
        const why = healthMismatch(inspected, check.health, who);
        if (why !== undefined) return { ok: false, reason: why, progress };
      }
    }
    const reason = check.exitCode !== undefined
      ? l10n.t('{0} exited with {1}', who, exitText(check.exitCode))
      : info.State === 'exited'
        ? l10n.t('{0} exists ({1})', who, info.Status.toLowerCase())
        : l10n.t('{0} is {1}', who, info.State);
    return { ok: true, reason, progress: 3 };
  });
}

/** The restart policy as `--restart` names it (the engine says "" or "no" for none). */
function restartPolicyOf(inspected: Dockerode.ContainerInspectInfo): string {
  const name = inspected.HostConfig.RestartPolicy?.Name ?? '';
  return name === '' ? 'no' : name;
}

/** Why the container's health is not the one wanted (with the health check's last words), or undefined. */
function healthMismatch(inspected: Dockerode.ContainerInspectInfo, wanted: NonNullable<ContainerCheck['health']>, who: string): string | undefined {
  const health = inspected.State.Health;
  const status = health?.Status && health.Status !== '' ? health.Status : 'none';
  if (status === wanted) return undefined;
  if (status === 'none') return l10n.t('{0} has no health check: add one with --health-cmd (or HEALTHCHECK in the Dockerfile)', who);
  if (wanted === 'none') return l10n.t('{0} has a health check (it is {1}); run it without --health-cmd (or with --no-healthcheck)', who, status);
  const last = health?.Log?.at(-1);
  const output = last ? firstLine(last.Output ?? '') : '';
  const said = !last
    ? l10n.t('no health check has run yet')
    : output
      ? l10n.t('its last health check exited with {0}: "{1}"', last.ExitCode, output)
      : l10n.t('its last health check exited with {0}', last.ExitCode);
  if (status === 'starting') return l10n.t('{0} is still starting: its health check has not decided yet; {1}', who, said);
  return l10n.t('{0} is {1}, not {2}; {3}', who, status, wanted, said);
}
