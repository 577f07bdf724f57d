/**
 * The headless lab runner behind `container-labs test`: for each step, run its solution in a
 * real shell against the engine, then wait for the step's check to pass, on the same lab
 * runtime the extension uses (the same live check, the same ownership ledger); only the
 * command executor differs (a shell here, the terminal there). A command that does not end
 * with the exit code the lab expects (runtime/commandExit.ts) fails its step at once; otherwise
 * the check decides. Afterwards the lab's clean-up plan is removed, so the next run starts clean.
 */
import type Dockerode from 'dockerode';
import type { CheckResult, Lab, PlaceholderValues, Step } from '../model';
import { checkNeedsPolling } from '../checks/evaluate';
import { EngineEvents } from '../checks/events';
import { defaultPlaceholders } from '../labs/placeholders';
import type { EngineEndpoint } from '../engine/connection';
import { LabRuntime, type PreparedCommand } from '../runtime/labRuntime';
import { MemoryStore, type CommandExecutor } from '../runtime/types';
import { ForegroundProcess, runShell, type ShellResult } from './shell';
import { commandFailure, type CommandEnd } from '../runtime/commandExit';
import type { CommandRun, LabRunResult, StepRunResult, StepRunStatus } from './types';
import { errorMessage } from '../text';
import { prepareImages } from './images';

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
  /** Stop after the first step that fails or cannot be checked (clean-up still runs). */
  bail?: boolean;
  signal?: AbortSignal;
  /** The process's engine event stream; default: the runner opens its own for the lab. */
  events?: EngineEvents;
  /** Called as each step finishes (the CLI prints progress). */
  onStep?: (lab: Lab, step: StepRunResult) => void;
  /** Called with the runtime once it is set up (tests look at its ledger). */
  onRuntime?: (runtime: LabRuntime<ShellExecution>) => void;
}

/** What running one command in the shell gave. */
export interface ShellExecution {
  ended: Promise<number | undefined>;
  /** The finished command's result (not for a foreground command). */
  result?: ShellResult;
  /** The still running foreground command. */
  foreground?: ForegroundProcess;
}

const DEFAULT_COMMAND_TIMEOUT = 120_000;
/** After the last step, how long events may take to reach the ledger. */
const EVENT_SETTLE_MS = 400;

/** The commands the runner uses to solve a step (never interactive ones), with where they are in the lab. */
export function solutionCommands(step: Step): Array<{ index: number; solution: boolean; run: string; foreground: boolean; network: boolean }> {
  const solution = step.solution?.commands !== undefined;
  const source = step.solution?.commands ?? step.commands;
  return source
    .map((c, index) => ({ index, solution, run: c.run, foreground: c.foreground === true, network: c.network === true, interactive: c.interactive === true }))
    .filter((c) => !c.interactive)
    .map(({ interactive: _interactive, ...c }) => c);
}

/** The real shell as the runtime's command executor. */
export function shellExecutor(opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal; foreground: ForegroundProcess[] }): CommandExecutor<ShellExecution> {
  return {
    async run(text, command) {
      if (command.foreground) {
        const proc = new ForegroundProcess(text, { cwd: opts.cwd, env: opts.env });
        opts.foreground.push(proc);
        return { ended: proc.whenExited.then((code) => code ?? undefined), foreground: proc };
      }
      const shellOpts: Parameters<typeof runShell>[1] = { cwd: opts.cwd, env: opts.env, timeoutMs: opts.timeoutMs };
      if (opts.signal) shellOpts.signal = opts.signal;
      const result = await runShell(text, shellOpts);
      return { ended: Promise.resolve(result.exitCode ?? undefined), result };
    },
  };
}

export async function runLab(lab: Lab, opts: RunLabOptions): Promise<LabRunResult> {
  const started = Date.now();
  const notes: string[] = [];
  const env = opts.env ?? process.env;
  const placeholders = opts.placeholders ?? defaultPlaceholders({ workspaceFolder: opts.workspaceFolder, labId: lab.id });
  const steps: StepRunResult[] = [];
  const foreground: ForegroundProcess[] = [];

  let events = opts.events;
  let ownEvents: EngineEvents | undefined;
  if (!events) {
    ownEvents = new EngineEvents(() => opts.docker);
    events = ownEvents;
    const connected = waitForConnected(ownEvents, 10_000);
    ownEvents.start();
    if (!(await connected)) notes.push('the engine event stream did not connect within 10 s; checks fall back to polling and nothing the lab created is known for clean-up');
  }

  const executorOpts: Parameters<typeof shellExecutor>[0] = { cwd: opts.workspaceFolder, env, timeoutMs: opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT, foreground };
  if (opts.signal) executorOpts.signal = opts.signal;
  const runtime = new LabRuntime<ShellExecution>({
    engine: opts.endpoint ? { docker: opts.docker, publishedHost: opts.publishedHost, endpoint: opts.endpoint, events } : { docker: opts.docker, publishedHost: opts.publishedHost, events },
    store: new MemoryStore(),
    executor: shellExecutor(executorOpts),
    placeholders: () => placeholders,
    // Headless, nobody reads along: look again soon.
    live: { pollMs: 300 },
  });
  opts.onRuntime?.(runtime);

  // Images first: one that cannot be had fails the lab here, in the registry's words, and no
  // command of it runs.
  const images = await prepareImages(lab, opts.docker, placeholders);
  for (const ref of images.pulled) notes.push(`image ${ref} was missing and has been pulled`);
  const notRunnable = images.problems.length > 0 ? `not run: ${images.problems.join('; ')}` : undefined;

  try {
    await runtime.setCatalog({ courses: [], labs: [lab], broken: [], warnings: [] });
    for (const step of notRunnable ? [] : lab.steps) {
      if (opts.signal?.aborted) break;
      let result: StepRunResult;
      try {
        result = await runStep(runtime, lab, step, opts);
      } catch (error) {
        // A bug must not skip the clean-up below, nor hide which step it hit.
        result = { id: step.id, title: step.title, status: 'error', reason: `the runner failed: ${errorMessage(error)}`, commandsMs: 0, checkMs: 0, commands: [], notes: [] };
      }
      steps.push(result);
      opts.onStep?.(lab, result);
      if (opts.untilStep && step.id === opts.untilStep) break;
      if (opts.bail && (result.status === 'failed' || result.status === 'error')) break;
    }
  } finally {
    // Stop foreground processes first (a foreground `docker run --rm` removes its container).
    const grace = opts.stopGraceMs ?? 5000;
    const stops = await Promise.all(foreground.map((p) => p.stop(grace)));
    stops.forEach((how, i) => {
      const text = foreground[i]?.text ?? '';
      if (how === 'killed') notes.push(`foreground command had to be killed: ${text}`);
      if (how === 'terminated') notes.push(`foreground command did not stop on Ctrl+C and was terminated: ${text}`);
    });
    await sleep(EVENT_SETTLE_MS);
  }

  let cleanup;
  if (!opts.keep) {
    const done = await runtime.cleanupNow(lab.id);
    cleanup = done.report;
    for (const item of done.report.items) {
      if (item.outcome === 'refused') notes.push(`cleanup: ${item.kind} ${item.name} was not removed: ${item.reason ?? 'refused'}`);
    }
  }
  runtime.dispose();
  ownEvents?.dispose();

  if (notRunnable) {
    for (const step of lab.steps) {
      const result: StepRunResult = { id: step.id, title: step.title, status: 'error', reason: notRunnable, commandsMs: 0, checkMs: 0, commands: [], notes: [] };
      steps.push(result);
      opts.onStep?.(lab, result);
    }
  }
  const count = (s: StepRunStatus): number => steps.filter((x) => x.status === s).length;
  const result: LabRunResult = {
    id: lab.id,
    title: lab.title,
    file: lab.source.file,
    steps,
    ms: Date.now() - started,
    notes,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    errors: count('error'),
  };
  if (cleanup) result.cleanup = cleanup;
  return result;
}

async function runStep(runtime: LabRuntime<ShellExecution>, lab: Lab, step: Step, opts: RunLabOptions): Promise<StepRunResult> {
  const result: StepRunResult = { id: step.id, title: step.title, status: 'info', reason: '', commandsMs: 0, checkMs: 0, commands: [], notes: [] };
  const ref = { labId: lab.id, stepId: step.id };
  const commands = solutionCommands(step);

  if (!step.check && commands.length === 0) {
    if (step.quiz) return { ...result, status: 'quiz', reason: 'quiz (not checked by the runner)' };
    return { ...result, status: 'info', reason: step.commands.length ? 'only interactive commands, no check' : 'reading step, no check' };
  }

  // The step opens now: checks limited to "since the step opened" count from here.
  await runtime.openStep(ref);

  // Fill every placeholder before anything runs: a bad value stops the step, not half of it.
  let prepared: PreparedCommand[];
  try {
    prepared = await Promise.all(commands.map((c) => runtime.prepare(ref, c.index, { solution: c.solution })));
  } catch (error) {
    return { ...result, status: 'error', reason: errorMessage(error) };
  }

  const networkFailures: string[] = [];
  const commandsStarted = Date.now();
  const stepForeground: ForegroundProcess[] = [];
  for (const command of prepared) {
    if (opts.signal?.aborted) break;
    const { text } = command;
    const execution = await runtime.run(command);
    if (execution.foreground) {
      stepForeground.push(execution.foreground);
      result.commands.push({ text, exitCode: null, ms: 0, foreground: true });
      continue;
    }
    const run = execution.result;
    if (!run) continue;
    // The one rule of how a command should end (its exitCode:, 0 by default), as in the extension.
    const end: CommandEnd = { exitCode: run.exitCode, signal: run.signal, timedOut: run.timedOut, ms: run.ms, output: run.tail };
    if (run.spawnError !== undefined) end.spawnError = run.spawnError;
    const failure = commandFailure(text, command.command, end);
    const entry: CommandRun = { text, exitCode: run.exitCode, ms: run.ms };
    if (run.signal) entry.signal = run.signal;
    if (run.timedOut) entry.timedOut = true;
    if (command.command.network) entry.network = true;
    // Its output explains a failure, or a non-zero exit the lab allowed (when the check then fails).
    if (failure || run.exitCode !== 0) entry.tail = run.spawnError ? [run.spawnError, ...run.tail] : run.tail;
    result.commands.push(entry);
    if (failure && command.command.network) {
      networkFailures.push(failure.reason);
      result.notes.push(`needs the internet: ${failure.reason}`);
    } else if (failure) {
      // The step fails here, with the command's output: no check can make up for it, and
      // waiting out the check's deadline would only hide why.
      result.commandsMs = Date.now() - commandsStarted;
      return { ...result, status: 'failed', reason: failure.reason };
    }
  }
  result.commandsMs = Date.now() - commandsStarted;

  const check = step.check;
  if (!check) {
    // Nothing decides: the step is information only; failures are remarks, not a verdict.
    const failures = result.notes.length ? `; ${result.notes.join('; ')}` : '';
    return { ...result, status: 'info', reason: `no check; ran ${commands.length} command(s)${failures}` };
  }

  const checkStarted = Date.now();
  const waitOpts: Parameters<typeof runtime.awaitPass>[1] = {
    timeoutMs: opts.checkTimeoutMs ?? (checkNeedsPolling(check) ? 60_000 : 10_000),
    // A foreground server that already died will not come back: stop waiting for it.
    stop: () => stepForeground.length > 0 && stepForeground.every((p) => !p.running),
  };
  if (opts.signal) waitOpts.signal = opts.signal;
  const outcome: CheckResult = await runtime.awaitPass(ref, waitOpts);
  result.checkMs = Date.now() - checkStarted;
  result.check = outcome;

  for (const proc of stepForeground) {
    if (proc.running) continue;
    const entry = result.commands.find((c) => c.foreground && c.text === proc.text);
    if (entry) {
      entry.exitCode = proc.exitCode;
      entry.ms = Date.now() - proc.startedAt;
      if (outcome.status !== 'passed') entry.tail = proc.tail;
    }
    if (outcome.status !== 'passed') result.notes.push(`foreground command exited early with code ${String(proc.exitCode ?? proc.spawnError)}: ${proc.text}`);
  }

  if (outcome.status === 'passed') return { ...result, status: 'passed', reason: outcome.reason };
  if (opts.signal?.aborted) return { ...result, status: 'skipped', reason: 'interrupted before the check could finish' };
  if (networkFailures.length) return { ...result, status: 'skipped', reason: `needs the internet: ${networkFailures[0] ?? ''}` };
  if (commands.length === 0) {
    return { ...result, status: 'skipped', reason: `only interactive commands and no solution.commands, so the runner cannot solve it (${outcome.reason})` };
  }
  const hint = result.notes.length ? ` (${result.notes[result.notes.length - 1] ?? ''})` : '';
  return { ...result, status: outcome.status === 'error' ? 'error' : 'failed', reason: outcome.reason + hint };
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
