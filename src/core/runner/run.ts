/**
 * The headless lab runner behind `container-labs test`: for each step, run its solution in a
 * real shell against the engine, then ask the engine (through the step's check) whether the
 * step is done. The check, not an exit code, decides. What the lab created is recorded in a
 * ResourceLedger and removed afterwards, so that the next run starts clean.
 */
import type Dockerode from 'dockerode';
import type { Check, CheckResult, Lab, LabCommand, PlaceholderValues, Step } from '../model';
import { checkNeedsPolling, evaluateCheck } from '../checks/evaluate';
import { EngineEvents } from '../checks/events';
import { defaultPlaceholders, ensureLabData, fillCommand } from '../labs/placeholders';
import { cleanup, CommandWindows, ResourceLedger, type LedgerEvent } from '../ledger';
import type { Disposable, Event } from '../events';
import type { EngineEndpoint } from '../engine/connection';
import { ForegroundProcess, runShell, type ShellResult } from './shell';
import type { CommandRun, LabRunResult, StepRunResult, StepRunStatus } from './types';
import { errorMessage } from '../text';

export interface RunLabOptions {
  docker: Dockerode;
  /** Host where published ports answer (EngineEndpoint.publishedHost). */
  publishedHost: string;
  /** The endpoint, only to name it in "cannot check" reasons. */
  endpoint?: EngineEndpoint;
  /** Where commands run, and the base of `${labData}`. */
  workspaceFolder: string;
  /** Environment for the commands, default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Placeholder values; default `defaultPlaceholders({ workspaceFolder, labId })`. */
  placeholders?: PlaceholderValues;
  /** Run the steps up to and including this one, then stop. */
  untilStep?: string;
  /** Deadline of each command, default 120 000 ms. */
  commandTimeoutMs?: number;
  /** Deadline of each check; default 60 000 ms for checks that poll (HTTP, logs, files), 10 000 otherwise. */
  checkTimeoutMs?: number;
  /** Grace period between SIGINT, SIGTERM and SIGKILL for foreground commands, default 5000 ms. */
  stopGraceMs?: number;
  /** Leave what the lab created in the engine. */
  keep?: boolean;
  signal?: AbortSignal;
  /**
   * Engine events (container/image/volume), for the ledger and to re-check at once. Default:
   * the runner opens its own EngineEvents subscription for the lab.
   */
  events?: Event<LedgerEvent>;
  /** Called as each step finishes (the CLI prints progress). */
  onStep?: (lab: Lab, step: StepRunResult) => void;
}

const DEFAULT_COMMAND_TIMEOUT = 120_000;
/** After the last step, how long events may take to reach the ledger. */
const EVENT_SETTLE_MS = 400;

/** The commands the runner uses to solve a step (never interactive ones). */
export function solutionCommands(step: Step): LabCommand[] {
  const source = step.solution?.commands ?? step.commands;
  return source.filter((c) => !c.interactive);
}

export async function runLab(lab: Lab, opts: RunLabOptions): Promise<LabRunResult> {
  const started = Date.now();
  const notes: string[] = [];
  const env = opts.env ?? process.env;
  const placeholders = opts.placeholders ?? defaultPlaceholders({ workspaceFolder: opts.workspaceFolder, labId: lab.id });
  const steps: StepRunResult[] = [];
  const foreground: ForegroundProcess[] = [];
  const wake = new Wake();
  const disposables: Disposable[] = [];

  // The ledger's snapshot comes first, then the event subscription, so nothing the lab
  // creates is missed and nothing that existed before is recorded.
  let ledger: ResourceLedger | undefined;
  try {
    ledger = await ResourceLedger.begin(opts.docker, lab.id, { signal: opts.signal });
  } catch (error) {
    notes.push(`could not snapshot the engine before the lab (${errorText(error)}); nothing will be cleaned up`);
  }

  let ownEvents: EngineEvents | undefined;
  let onEvent = opts.events;
  if (!onEvent) {
    ownEvents = new EngineEvents(() => opts.docker);
    onEvent = ownEvents.onEvent;
    const connected = waitForConnected(ownEvents, 10_000);
    ownEvents.start();
    if (!(await connected)) notes.push('the engine event stream did not connect within 10 s; checks fall back to polling and cleanup may miss what the lab created');
  }
  disposables.push(onEvent(() => wake.fire()));
  // Only what happens while the lab's own commands run is the lab's: other programs using the
  // same engine at the same time (a CI job, another test) must not end up in the ledger.
  const windows = new CommandWindows();
  if (ledger) disposables.push(ledger.attach(onEvent, undefined, (event) => windows.accepts(event, opts.docker)));

  try {
    await ensureLabData(placeholders);
  } catch (error) {
    notes.push(`could not create the lab data folder ${placeholders.labData}: ${errorText(error)}`);
  }

  try {
    for (const step of lab.steps) {
      if (opts.signal?.aborted) break;
      let result: StepRunResult;
      try {
        result = await runStep(step, { ...opts, env, placeholders, foreground, wake, windows });
      } catch (error) {
        // A bug must not skip the cleanup below, nor hide which step it hit.
        result = { id: step.id, title: step.title, status: 'error', reason: `the runner failed: ${errorText(error)}`, commandsMs: 0, checkMs: 0, commands: [], notes: [] };
      }
      steps.push(result);
      opts.onStep?.(lab, result);
      if (opts.untilStep && step.id === opts.untilStep) break;
    }
  } finally {
    // Stop foreground processes first (a foreground `docker run --rm` removes its container).
    const grace = opts.stopGraceMs ?? 5000;
    const stops = await Promise.all(foreground.map((p) => p.stop(grace)));
    stops.forEach((how, i) => {
      if (how === 'killed') notes.push(`foreground command had to be killed: ${foreground[i].text}`);
      if (how === 'terminated') notes.push(`foreground command did not stop on Ctrl+C and was terminated: ${foreground[i].text}`);
    });
    await sleep(EVENT_SETTLE_MS);
    for (const d of disposables) d.dispose();
    ownEvents?.dispose();
  }

  let cleanupReport;
  if (!opts.keep && ledger) {
    await ledger.settled();
    cleanupReport = await cleanup(opts.docker, ledger, { signal: undefined });
    for (const item of cleanupReport.items) {
      if (item.outcome === 'failed') notes.push(`cleanup: could not remove ${item.kind} ${item.name}: ${item.reason ?? 'unknown'}`);
    }
  }

  const count = (s: StepRunStatus): number => steps.filter((x) => x.status === s).length;
  return {
    id: lab.id,
    title: lab.title,
    file: lab.source.file,
    steps,
    ms: Date.now() - started,
    cleanup: cleanupReport,
    notes,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    errors: count('error'),
  };
}

interface StepContext extends RunLabOptions {
  env: NodeJS.ProcessEnv;
  placeholders: PlaceholderValues;
  foreground: ForegroundProcess[];
  wake: Wake;
  windows: CommandWindows;
}

async function runStep(step: Step, ctx: StepContext): Promise<StepRunResult> {
  const result: StepRunResult = {
    id: step.id,
    title: step.title,
    status: 'info',
    reason: '',
    commandsMs: 0,
    checkMs: 0,
    commands: [],
    notes: [],
  };
  // The step opens now: checks limited to "since the step opened" count from here.
  const since = Date.now();
  const commands = solutionCommands(step);

  if (!step.check && commands.length === 0) {
    if (step.quiz) return { ...result, status: 'quiz', reason: 'quiz (not checked by the runner)' };
    return { ...result, status: 'info', reason: step.commands.length ? 'only interactive commands, no check' : 'reading step, no check' };
  }

  // Fill every placeholder before anything runs: a bad value stops the step, not half of it.
  let texts: string[];
  try {
    texts = commands.map((c) => fillCommand(c.run, ctx.placeholders));
  } catch (error) {
    return { ...result, status: 'error', reason: `cannot fill the placeholders: ${errorText(error)}` };
  }

  const networkFailures: string[] = [];
  const commandsStarted = Date.now();
  const stepForeground: ForegroundProcess[] = [];
  const closers: Array<() => void> = [];
  for (let i = 0; i < commands.length; i++) {
    if (ctx.signal?.aborted) break;
    const command = commands[i];
    const text = texts[i];
    if (command.foreground) {
      // Its window stays open until the step's check is done (a server starts in its own time).
      closers.push(ctx.windows.begin(text));
      const proc = new ForegroundProcess(text, { cwd: ctx.workspaceFolder, env: ctx.env });
      ctx.foreground.push(proc);
      stepForeground.push(proc);
      result.commands.push({ text, exitCode: null, ms: 0, foreground: true });
      continue;
    }
    const close = ctx.windows.begin(text);
    const run = await runShell(text, {
      cwd: ctx.workspaceFolder,
      env: ctx.env,
      timeoutMs: ctx.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT,
      signal: ctx.signal,
    });
    close();
    const failed = !succeeded(run);
    const entry: CommandRun = { text, exitCode: run.exitCode, ms: run.ms };
    if (run.signal) entry.signal = run.signal;
    if (run.timedOut) entry.timedOut = true;
    if (command.network) entry.network = true;
    if (failed) entry.tail = run.spawnError ? [run.spawnError, ...run.tail] : run.tail;
    result.commands.push(entry);
    if (failed && command.network) {
      const why = `\`${text}\` ${describeExit(run)}`;
      networkFailures.push(why);
      result.notes.push(`needs the internet: ${why}`);
    } else if (failed) {
      result.notes.push(`\`${text}\` ${describeExit(run)}`);
    }
  }
  result.commandsMs = Date.now() - commandsStarted;

  if (!step.check) {
    for (const close of closers) close();
    // Nothing decides: the step is information only; failures are remarks, not a verdict.
    const failures = result.notes.length ? `; ${result.notes.join('; ')}` : '';
    return { ...result, status: 'info', reason: `no check; ran ${commands.length} command(s)${failures}` };
  }

  const checkStarted = Date.now();
  const check = await waitForCheck(step.check, since, ctx, stepForeground);
  result.checkMs = Date.now() - checkStarted;
  result.check = check;
  for (const close of closers) close();

  for (const proc of stepForeground) {
    if (!proc.running) {
      const entry = result.commands.find((c) => c.foreground && c.text === proc.text);
      if (entry) {
        entry.exitCode = proc.exitCode;
        entry.ms = Date.now() - proc.startedAt;
        if (check.status !== 'passed') entry.tail = proc.tail;
      }
      if (check.status !== 'passed') {
        result.notes.push(`foreground command exited early with code ${String(proc.exitCode ?? proc.spawnError)}: ${proc.text}`);
      }
    }
  }

  if (check.status === 'passed') {
    return { ...result, status: 'passed', reason: check.reason };
  }
  if (ctx.signal?.aborted) {
    return { ...result, status: 'skipped', reason: 'interrupted before the check could finish' };
  }
  if (networkFailures.length) {
    return { ...result, status: 'skipped', reason: `needs the internet: ${networkFailures[0]}` };
  }
  if (commands.length === 0) {
    return {
      ...result,
      status: 'skipped',
      reason: `only interactive commands and no solution.commands, so the runner cannot solve it (${check.reason})`,
    };
  }
  const hint = result.notes.length ? ` (${result.notes[result.notes.length - 1]})` : '';
  return { ...result, status: check.status === 'error' ? 'error' : 'failed', reason: check.reason + hint };
}

/**
 * Evaluates the check until it passes or the step's deadline: at once, again whenever an
 * engine event arrives, and on a short timer (HTTP readiness, a lost event).
 */
async function waitForCheck(check: Check, since: number, ctx: StepContext, stepForeground: ForegroundProcess[]): Promise<CheckResult> {
  const polling = checkNeedsPolling(check);
  const deadline = Date.now() + (ctx.checkTimeoutMs ?? (polling ? 60_000 : 10_000));
  const interval = polling ? 300 : 1000;
  let last: CheckResult | undefined;
  for (;;) {
    const armed = ctx.wake.arm();
    const remaining = Math.max(500, deadline - Date.now());
    last = await evaluateCheck(check, {
      docker: ctx.docker,
      publishedHost: ctx.publishedHost,
      since,
      placeholders: ctx.placeholders,
      timeoutMs: Math.min(3000, remaining),
      signal: ctx.signal,
      endpoint: ctx.endpoint,
    });
    if (last.status === 'passed' || Date.now() >= deadline || ctx.signal?.aborted) return last;
    // A foreground server that already died will not come back: stop waiting for it.
    if (stepForeground.length > 0 && stepForeground.every((p) => !p.running)) {
      // Events of its exit may still be on their way; one more look after they settle.
      await sleep(200);
      return await evaluateCheck(check, {
        docker: ctx.docker,
        publishedHost: ctx.publishedHost,
        since,
        placeholders: ctx.placeholders,
        signal: ctx.signal,
        endpoint: ctx.endpoint,
      });
    }
    await Promise.race([armed, sleep(Math.min(interval, Math.max(0, deadline - Date.now())))]);
  }
}

/** Wakes the check loop when an engine event arrives. */
class Wake {
  private resolveCurrent: () => void = () => undefined;
  private current = this.next();

  private next(): Promise<void> {
    return new Promise((resolve) => {
      this.resolveCurrent = resolve;
    });
  }

  /** A promise that resolves at the next `fire()`. */
  arm(): Promise<void> {
    return this.current;
  }

  fire(): void {
    const resolve = this.resolveCurrent;
    this.current = this.next();
    resolve();
  }
}

function waitForConnected(events: EngineEvents, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(false);
    }, ms);
    const sub = events.onStatus((status) => {
      if (status.state === 'connected') {
        clearTimeout(timer);
        sub.dispose();
        resolve(true);
      }
    });
  });
}

function succeeded(run: ShellResult): boolean {
  return run.exitCode === 0 && !run.timedOut && !run.spawnError;
}

function describeExit(run: ShellResult): string {
  if (run.spawnError) return `could not start: ${run.spawnError}`;
  if (run.timedOut) return `did not finish within ${Math.round(run.ms / 1000)} s`;
  if (run.signal) return `was stopped by ${run.signal}`;
  return `exited with code ${String(run.exitCode)}`;
}

function errorText(error: unknown): string {
  return errorMessage(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
