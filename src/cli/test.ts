/**
 * `container-labs test [paths...] [--lab ID]... [--step ID] [--json] [--json-out FILE] [--keep]
 * [--timeout S] [--host URL]`: solves every step of every lab against the real engine, then
 * checks it, and prints a table per lab. Instructors run it in CI to know their labs are still
 * solvable. Exit codes: 0 all steps passed (or had nothing to check), 1 a step failed or could
 * not be checked (or a lab file is broken), 2 usage error or no engine.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Lab } from '../core/model';
import { loadCatalog } from '../core/labs/loader';
import { runLab } from '../core/runner/run';
import type { LabRunResult, StepRunResult, StepRunStatus } from '../core/runner/types';
import type { CleanupOutcome, CleanupReport } from '../core/runtime/cleanup';
import { labRoots } from './check';
import { connectEngine, formatHealth, healthJson, tryParse } from './health';
import type { CliIo } from './io';

const USAGE = `Usage: container-labs test [paths...] [options]

Runs each step's solution commands in a real shell against the Docker engine, then the
step's check, and prints a table of steps. Paths default to ./labs and ./.container-labs.
  --lab ID        only this lab (repeatable)
  --step ID       stop after this step (earlier steps run to set it up)
  --timeout S     deadline of each step's check in seconds (default 60 for HTTP/logs/files, 10 otherwise)
  --keep          leave what the labs created (default: remove it after each lab, the same
                  clean-up plan the extension offers: only what the lab's commands created)
  --json          print the results as JSON instead of tables
  --json-out FILE also write the results as JSON to FILE
  --host URL      the Docker engine to use (default: like the docker CLI)
Exit codes: 0 no step failed, 1 a step failed or a lab file is broken, 2 usage error or no engine.`;

export const STATUS_LABEL: Record<StepRunStatus, string> = {
  passed: 'PASS',
  failed: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIP',
  info: '-',
  quiz: '-',
};

/** The shape `--json-out` writes (the test harness reads it). */
export interface TestJson {
  labs: Array<{
    id: string;
    title: string;
    file: string;
    ms: number;
    steps: Array<{ id: string; status: StepRunStatus; reason: string; ms: number; commands: StepRunResult['commands'] }>;
    cleanup?: LabRunResult['cleanup'];
    notes: string[];
  }>;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  ms: number;
}

export function toTestJson(results: LabRunResult[], ms: number): TestJson {
  return {
    labs: results.map((r) => ({
      id: r.id,
      title: r.title,
      file: r.file,
      ms: r.ms,
      steps: r.steps.map((s) => ({ id: s.id, status: s.status, reason: s.reason, ms: s.commandsMs + s.checkMs, commands: s.commands })),
      cleanup: r.cleanup,
      notes: r.notes,
    })),
    passed: sum(results, (r) => r.passed),
    failed: sum(results, (r) => r.failed),
    skipped: sum(results, (r) => r.skipped),
    errors: sum(results, (r) => r.errors),
    ms,
  };
}

function sum<T>(items: T[], f: (x: T) => number): number {
  return items.reduce((n, x) => n + f(x), 0);
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** One table row, plus the commands' exit codes and output when the step did not pass. */
export function formatStepRow(step: StepRunResult, idWidth: number): string[] {
  const time = formatMs(step.commandsMs + step.checkMs);
  const lines = [`  ${pad(step.id, idWidth)}  ${pad(STATUS_LABEL[step.status], 5)}  ${pad(time, 8)}  ${step.reason}`];
  if (step.status === 'failed' || step.status === 'error') {
    for (const c of step.commands) {
      const how = c.foreground ? (c.exitCode === null ? 'running in the foreground' : `foreground, exited ${String(c.exitCode)}`) : c.timedOut ? 'timed out' : `exit ${String(c.exitCode ?? c.signal)}`;
      lines.push(`      $ ${c.text}   [${how}, ${formatMs(c.ms)}]`);
      for (const l of c.tail ?? []) lines.push(`      | ${l}`);
    }
    for (const child of step.check?.children ?? []) {
      lines.push(`      ${child.status === 'passed' ? 'ok  ' : 'not '} ${child.reason}`);
    }
  }
  return lines;
}

const OUTCOME_WORD: Record<CleanupOutcome, string> = { removed: 'removed', 'already-gone': 'gone', refused: 'REFUSED' };

/** One line per thing of the lab's clean-up plan: what happened to it and why it was the lab's. */
export function formatCleanup(report: CleanupReport): string[] {
  return report.items.map((i) => `    ${pad(OUTCOME_WORD[i.outcome], 7)}  ${i.kind} ${i.name}: ${i.why}${i.reason ? ` (${i.reason})` : ''}`);
}

export async function runTest(args: string[], io: CliIo): Promise<number> {
  const parsed = tryParse(
    () =>
      parseArgs({
        args,
        allowPositionals: true,
        options: {
          lab: { type: 'string', multiple: true },
          step: { type: 'string' },
          json: { type: 'boolean' },
          'json-out': { type: 'string' },
          keep: { type: 'boolean' },
          timeout: { type: 'string' },
          host: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }),
    io,
    USAGE,
  );
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  let checkTimeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      io.err(`container-labs test: --timeout must be a positive number of seconds, not '${values.timeout}'`);
      return 2;
    }
    checkTimeoutMs = Math.round(seconds * 1000);
  }
  const started = Date.now();
  const json = values.json === true;
  const say = (text: string): void => {
    if (!json) io.out(text);
  };

  // The engine first: without it nothing below means anything.
  const engine = await connectEngine(io, values.host);
  if (!engine.health.ok) {
    if (json) io.out(JSON.stringify({ error: engine.health.message, health: healthJson(engine.health) }, null, 2));
    else io.err(formatHealth(engine.health));
    return 2;
  }
  say(engine.health.message);

  const roots = labRoots(positionals, io.cwd);
  const catalog = await loadCatalog(roots);
  if (catalog.broken.length) {
    for (const broken of catalog.broken) {
      for (const issue of broken.issues) {
        io.err(`${path.relative(io.cwd, issue.file) || issue.file}:${issue.line}:${issue.col}: ${issue.severity}: ${issue.message}`);
      }
    }
    io.err(`container-labs test: ${catalog.broken.length} lab file(s) do not load; fix them first (container-labs validate)`);
    return 1;
  }

  let labs: Lab[] = catalog.labs;
  if (values.lab?.length) {
    const wanted = values.lab;
    const unknown = wanted.filter((id) => !catalog.labs.some((l) => l.id === id));
    if (unknown.length) {
      io.err(`container-labs test: no lab ${unknown.map((u) => `'${u}'`).join(', ')} (labs: ${catalog.labs.map((l) => l.id).join(', ') || 'none'})`);
      return 2;
    }
    labs = catalog.labs.filter((l) => wanted.includes(l.id));
  }
  if (values.step) {
    const stepId = values.step;
    labs = labs.filter((l) => l.steps.some((s) => s.id === stepId));
    if (!labs.length) {
      io.err(`container-labs test: no lab has a step '${stepId}'`);
      return 2;
    }
  }
  if (!labs.length) {
    io.err(`container-labs test: no labs found in ${roots.map((r) => path.relative(io.cwd, r.path) || '.').join(', ')}`);
    return 2;
  }

  // Ctrl+C stops after the current command and still cleans up; a second one exits at once.
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.err('container-labs test: interrupted; stopping and cleaning up (Ctrl+C again to quit now)');
    abort.abort();
  };
  process.on('SIGINT', onSigint);

  const results: LabRunResult[] = [];
  try {
    for (const lab of labs) {
      if (abort.signal.aborted) break;
      const idWidth = Math.max(4, ...lab.steps.map((s) => s.id.length));
      say('');
      say(`${lab.id}: ${lab.title} (${path.relative(io.cwd, lab.source.file) || lab.source.file})`);
      say(`  ${pad('STEP', idWidth)}  ${pad('STATUS', 5)}  ${pad('TIME', 8)}  REASON`);
      const result = await runLab(lab, {
        docker: engine.docker,
        publishedHost: engine.endpoint.publishedHost,
        endpoint: engine.endpoint,
        workspaceFolder: io.cwd,
        env: io.env,
        untilStep: values.step,
        checkTimeoutMs,
        keep: values.keep === true,
        signal: abort.signal,
        onStep: (_lab, step) => {
          for (const line of formatStepRow(step, idWidth)) say(line);
        },
      });
      results.push(result);
      if (result.cleanup && (result.cleanup.removed || result.cleanup.refused)) {
        const c = result.cleanup;
        say(`  cleanup: removed ${c.removed}, already gone ${c.alreadyGone}${c.refused ? `, REFUSED ${c.refused}` : ''}`);
        for (const line of formatCleanup(c)) say(line);
      }
      for (const note of result.notes) say(`  note: ${note}`);
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }

  const ms = Date.now() - started;
  const report = toTestJson(results, ms);
  if (values['json-out']) {
    const file = path.resolve(io.cwd, values['json-out']);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify(report, null, 2) + '\n');
  }
  const failed = report.failed + report.errors;
  if (json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    const steps = sum(results, (r) => r.steps.length);
    const infos = sum(results, (r) => r.steps.filter((s) => s.status === 'info' || s.status === 'quiz').length);
    say('');
    say(`${report.passed} passed, ${failed} failed, ${report.skipped} skipped`);
    say(
      `${results.length} lab(s), ${steps} step(s)` +
        ` (${infos} without a check${report.errors ? `, ${report.errors} could not be checked` : ''}) in ${formatMs(ms)}` +
        (abort.signal.aborted ? ' (interrupted)' : ''),
    );
  }
  if (abort.signal.aborted) return 130;
  return failed > 0 ? 1 : 0;
}
