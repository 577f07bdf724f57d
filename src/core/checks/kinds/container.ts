/** `container: {...}`: a container matching the fields exists, in a state, with an exit code or flags. */
import type Dockerode from 'dockerode';
import type { CheckResult, ContainerCheck } from '../../model';
import { renderPath } from '../../labs/schema';
import type { EngineSnapshot } from '../snapshot';
import { exitCodeFromStatus, exitText, firstLine, matchPhrase, sinceNote, subject } from '../words';
import { type CheckKindSpec, subjects } from './spec';

export const container: CheckKindSpec<ContainerCheck> = {
  describe(c) {
    const parts = [`a container ${matchPhrase(c)}`];
    if (c.exitCode !== undefined) parts.push(`exited with code ${c.exitCode}`);
    else if (c.state) parts.push(`is ${c.state}`);
    else parts.push('exists');
    const flags: string[] = [];
    if (c.tty !== undefined) flags.push(c.tty ? 'with a TTY (-t)' : 'without a TTY');
    if (c.interactive !== undefined) flags.push(c.interactive ? 'with stdin open (-i)' : 'without -i');
    if (c.autoRemove !== undefined) flags.push(c.autoRemove ? 'removed on exit (--rm)' : 'not --rm');
    if (c.health !== undefined) flags.push(c.health === 'none' ? 'with no health check' : `health ${c.health}`);
    if (c.restartPolicy !== undefined) flags.push(`restart policy ${c.restartPolicy}`);
    return [parts.join(' '), ...flags].join(', ') + sinceNote(c);
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
  const wanted = check.exitCode !== undefined ? 'run it and let it finish' : wantState === 'running' ? 'start one' : 'run one';
  return engine.judgeContainers(check, wanted, async (info) => {
    const who = subject(info, check);
    let progress = 0;
    if (wantState && info.State !== wantState) {
      if (wantState === 'running') return { ok: false, reason: await engine.notRunning(info, check), progress };
      if (wantState === 'exited' && info.State === 'running') {
        return { ok: false, reason: `${who} is still running; it has not exited yet`, progress };
      }
      if (wantState === 'exited' && info.State === 'created') {
        return { ok: false, reason: await engine.notRunning(info, check), progress };
      }
      return { ok: false, reason: `${who} is ${info.State}, not ${wantState}`, progress };
    }
    progress = 1;
    if (check.exitCode !== undefined) {
      const code = exitCodeFromStatus(info.Status) ?? (await engine.inspect(info.Id))?.State.ExitCode;
      if (code !== check.exitCode) {
        const oom = code === 137 ? (await engine.inspect(info.Id))?.State.OOMKilled === true : false;
        return {
          ok: false,
          reason: `${who} exited with ${code === undefined ? 'an unknown code' : exitText(code, oom)}, not ${check.exitCode}`,
          progress,
        };
      }
    }
    progress = 2;
    if (check.tty !== undefined || check.interactive !== undefined || check.autoRemove !== undefined || check.health !== undefined || check.restartPolicy !== undefined) {
      const inspected = await engine.inspect(info.Id);
      if (!inspected) return { ok: false, reason: `${who} disappeared while being checked`, progress };
      if (check.tty !== undefined && inspected.Config.Tty !== check.tty) {
        return { ok: false, reason: check.tty ? `${who} was started without a TTY: add -t (usually -it)` : `${who} was started with a TTY (-t); run it without -t`, progress };
      }
      if (check.interactive !== undefined && inspected.Config.OpenStdin !== check.interactive) {
        return { ok: false, reason: check.interactive ? `${who} does not keep stdin open: add -i (usually -it)` : `${who} keeps stdin open (-i); run it without -i`, progress };
      }
      if (check.autoRemove !== undefined && inspected.HostConfig.AutoRemove !== check.autoRemove) {
        return { ok: false, reason: check.autoRemove ? `${who} was started without --rm` : `${who} was started with --rm`, progress };
      }
      if (check.restartPolicy !== undefined) {
        const policy = restartPolicyOf(inspected);
        if (policy !== check.restartPolicy) return { ok: false, reason: `${who} has restart policy ${policy}, not ${check.restartPolicy}: run it with --restart ${check.restartPolicy}`, progress };
      }
      if (check.health !== undefined) {
        const why = healthMismatch(inspected, check.health, who);
        if (why !== undefined) return { ok: false, reason: why, progress };
      }
    }
    const state = check.exitCode !== undefined ? `exited with ${exitText(check.exitCode)}` : info.State === 'exited' ? `exists (${info.Status.toLowerCase()})` : `is ${info.State}`;
    return { ok: true, reason: `${who} ${state}`, progress: 3 };
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
  if (status === 'none') return `${who} has no health check: add one with --health-cmd (or HEALTHCHECK in the Dockerfile)`;
  if (wanted === 'none') return `${who} has a health check (it is ${status}); run it without --health-cmd (or with --no-healthcheck)`;
  const last = health?.Log?.at(-1);
  const said = last ? `; its last health check exited with ${last.ExitCode}${firstLine(last.Output ?? '') ? `: "${firstLine(last.Output ?? '')}"` : ''}` : '; no health check has run yet';
  if (status === 'starting') return `${who} is still starting: its health check has not decided yet${said}`;
  return `${who} is ${status}, not ${wanted}${said}`;
}
