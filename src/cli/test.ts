/**
 * `container-labs test [paths...] [--lab ID]... [--step ID] [--grep PATTERN] [--bail] [--watch]
 * [--reporter NAME [--output FILE]] [--json] [--json-out FILE] [--keep] [--timeout S]
 * [--workspace DIR] [--host URL]`: solves every step of every lab against the real engine,
 * then checks it, and prints a table per lab. Instructors run it in CI to know their labs are
 * still solvable. Exit codes: 0 all steps passed (or had nothing to check), 1 a step failed or
 * could not be checked (or a lab file is broken), 2 usage error or no engine.
 */
import { watch as watchFolder, type FSWatcher } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import type { BrokenLab, Lab } from '../core/model';
import { loadCatalog } from '../core/labs/loader';
import { readYaml } from '../core/labs/yamlSource';
import { compilePattern, type Pattern } from '../core/checks/pattern';
import { runLab } from '../core/runner/run';
import type { LabRunResult, StepRunResult, StepRunStatus } from '../core/runner/types';
import type { CleanupOutcome, CleanupReport } from '../core/runtime/cleanup';
import { errorMessage } from '../core/text';
import { labRoots } from './check';
import { connectEngine, formatHealth, healthJson, type EngineConnection } from './health';
import { parseCommandLine, usageRows } from './args';
import type { CliIo } from './io';
import { isReporterName, report, REPORTER_NAMES, type CaseResult, type CaseStatus, type ReporterName } from './reporters';
import { workspaceFor } from './workspace';

function usage(): string {
  return [
    l10n.t('Usage: {0}', 'container-labs test [paths...] [options]'),
    '',
    l10n.t("Runs each step's solution commands in a real shell against the Docker engine, then the\nstep's check, and prints a table of steps. Paths default to ./labs and ./.container-labs."),
    usageRows(20, [
      ['--lab ID', l10n.t('only this lab (repeatable)')],
      ['--step ID', l10n.t('stop after this step (earlier steps run to set it up)')],
      ['--grep PATTERN', l10n.t('only the labs or steps whose id or title matches (a regular expression,\ntried on LAB, LAB/STEP and the titles); a picked step runs with the steps\nbefore it, which set it up')],
      ['--bail', l10n.t('stop at the first step that fails (still cleans up)')],
      ['--watch', l10n.t('after the run, run a lab again whenever its file changes (Ctrl+C ends)')],
      ['--reporter NAME', l10n.t("print the results for CI: {0} (github: annotations at each step's line)", REPORTER_NAMES.join(', '))],
      ['--output FILE', l10n.t('write the --reporter output to FILE and print the usual tables')],
      ['--timeout S', l10n.t("deadline of each step's check in seconds (default 60 for HTTP/logs/files, 10 otherwise)")],
      ['--keep', l10n.t("leave what the labs created (default: remove it after each lab, the same\nclean-up plan the extension offers: only what the lab's commands created)")],
      ['--json', l10n.t('print the results as JSON instead of tables')],
      ['--json-out FILE', l10n.t('also write the results as JSON to FILE')],
      ['--workspace DIR', l10n.t("the folder ${workspaceFolder} means, where commands run (default: the\nfolder that holds the lab's .container-labs folder, else the current one)")],
      ['--host URL', l10n.t('the Docker engine to use (default: like the docker CLI)')],
    ]),
    l10n.t('Exit codes: 0 no step failed, 1 a step failed or a lab file is broken, 2 usage error or no engine.'),
  ].join('\n');
}

/** The status words of the table: the same in every language (logs and scripts look for them). */
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
  /** Lab files that did not load (the other labs still ran). */
  broken: Array<{ file: string; line: number; col: number; message: string }>;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  ms: number;
}

export function toTestJson(results: LabRunResult[], ms: number, broken: readonly BrokenLab[] = [], shown: (file: string) => string = (f) => f): TestJson {
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
    broken: broken.flatMap((b) => b.issues.filter((i) => i.severity === 'error').map((i) => ({ file: shown(i.file), line: i.line, col: i.col, message: i.message }))),
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

/** Widths of the table's STEP, STATUS and TIME columns: each at least as wide as its header (in the CLI's language). */
function stepWidth(ids: readonly string[]): number {
  return Math.max(l10n.t('STEP').length, ...ids.map((id) => id.length));
}

function statusWidth(): number {
  return Math.max(l10n.t('STATUS').length, ...Object.values(STATUS_LABEL).map((l) => l.length));
}

function timeWidth(): number {
  return Math.max(8, l10n.t('TIME').length);
}

/** The table's header, aligned with `formatStepRow`'s columns. */
export function formatHeader(idWidth: number): string {
  return `  ${pad(l10n.t('STEP'), idWidth)}  ${pad(l10n.t('STATUS'), statusWidth())}  ${pad(l10n.t('TIME'), timeWidth())}  ${l10n.t('REASON')}`;
}

/** The lines under a failed step: each command with how it ended and its output, then the check's parts. */
function stepDetail(step: StepRunResult): string[] {
  const lines: string[] = [];
  for (const c of step.commands) {
    const how = c.foreground
      ? c.exitCode === null
        ? l10n.t('running in the foreground')
        : l10n.t('foreground, exited {0}', String(c.exitCode))
      : c.timedOut
        ? l10n.t('timed out')
        : l10n.t('exit {0}', String(c.exitCode ?? c.signal));
    lines.push(`$ ${c.text}   [${how}, ${formatMs(c.ms)}]`);
    for (const l of c.tail ?? []) lines.push(`| ${l}`);
  }
  for (const child of step.check?.children ?? []) {
    lines.push(`${child.status === 'passed' ? 'ok  ' : 'not '} ${child.reason}`);
  }
  return lines;
}

/** One table row, plus the commands' exit codes and output when the step did not pass. */
export function formatStepRow(step: StepRunResult, idWidth: number): string[] {
  const time = formatMs(step.commandsMs + step.checkMs);
  const lines = [`  ${pad(step.id, idWidth)}  ${pad(STATUS_LABEL[step.status], statusWidth())}  ${pad(time, timeWidth())}  ${step.reason}`];
  if (step.status === 'failed' || step.status === 'error') lines.push(...stepDetail(step).map((l) => `      ${l}`));
  return lines;
}

function outcomeWords(): Record<CleanupOutcome, string> {
  return { removed: l10n.t('removed'), 'already-gone': l10n.t('gone'), refused: l10n.t('REFUSED') };
}

/** One line per thing of the lab's clean-up plan: what happened to it and why it was the lab's. */
export function formatCleanup(report: CleanupReport): string[] {
  const words = outcomeWords();
  const width = Math.max(...Object.values(words).map((w) => w.length));
  return report.items.map((i) => `    ${pad(words[i.outcome], width)}  ${i.kind} ${i.name}: ${i.why}${i.reason ? ` (${i.reason})` : ''}`);
}

const CASE_STATUS: Record<StepRunStatus, CaseStatus> = { passed: 'passed', failed: 'failed', error: 'error', skipped: 'skipped', info: 'passed', quiz: 'skipped' };

/** Where each step of a lab file starts (the line of its `id`), for annotations; empty when unreadable. */
async function stepPositions(file: string): Promise<Map<string, { line: number; col: number }>> {
  const at = new Map<string, { line: number; col: number }>();
  try {
    const src = readYaml(await fs.readFile(file, 'utf8'), file);
    const steps = (src.data as { steps?: Array<{ id?: unknown }> } | undefined)?.steps;
    steps?.forEach((s, i) => {
      if (typeof s.id === 'string') at.set(s.id, src.locate(['steps', i, 'id']));
    });
  } catch {
    // No position: the annotation goes to the file.
  }
  return at;
}

/** The reporters' cases: one per step (at its line in the lab file), one per error of a broken file. */
async function testCases(results: readonly LabRunResult[], broken: readonly BrokenLab[], shown: (file: string) => string): Promise<CaseResult[]> {
  const cases: CaseResult[] = [];
  for (const b of broken) {
    for (const i of b.issues.filter((x) => x.severity === 'error')) {
      cases.push({ suite: shown(b.file), name: `loads (line ${i.line}, col ${i.col})`, status: 'error', message: i.message, file: shown(i.file), line: i.line, col: i.col });
    }
  }
  for (const r of results) {
    const at = await stepPositions(r.file);
    for (const s of r.steps) {
      const c: CaseResult = { suite: r.id, name: s.id, status: CASE_STATUS[s.status], message: s.reason, ms: s.commandsMs + s.checkMs, file: shown(r.file) };
      const pos = at.get(s.id);
      if (pos) {
        c.line = pos.line;
        c.col = pos.col;
      }
      if (s.status === 'failed' || s.status === 'error') {
        const detail = stepDetail(s);
        if (detail.length) c.detail = [s.reason, ...detail].join('\n');
      }
      cases.push(c);
    }
  }
  return cases;
}

/** What `--grep` picks: whole labs, or steps (with the steps before them). */
function pick(labs: readonly Lab[], pattern: Pattern | undefined): Array<{ lab: Lab; untilStep?: string }> {
  if (!pattern) return labs.map((lab) => ({ lab }));
  const picked: Array<{ lab: Lab; untilStep?: string }> = [];
  for (const lab of labs) {
    if (pattern.test(lab.id) || pattern.test(lab.title)) {
      picked.push({ lab });
      continue;
    }
    const steps = lab.steps.filter((s) => pattern.test(`${lab.id}/${s.id}`) || pattern.test(s.title));
    const last = steps[steps.length - 1];
    if (last) picked.push({ lab, untilStep: last.id });
  }
  return picked;
}

interface TestOptions {
  values: {
    step?: string;
    keep?: boolean;
    bail?: boolean;
    workspace?: string;
  };
  checkTimeoutMs?: number;
  engine: EngineConnection;
  say: (text: string) => void;
  io: CliIo;
  signal: AbortSignal;
}

/** Runs the labs one after another, printing each table; stops early on --bail or an interrupt. */
async function runLabs(work: ReadonlyArray<{ lab: Lab; untilStep?: string }>, t: TestOptions): Promise<LabRunResult[]> {
  const { io, say, engine } = t;
  const results: LabRunResult[] = [];
  for (const { lab, untilStep } of work) {
    if (t.signal.aborted) break;
    const idWidth = stepWidth(lab.steps.map((s) => s.id));
    say('');
    say(`${lab.id}: ${lab.title} (${path.relative(io.cwd, lab.source.file) || lab.source.file})`);
    say(formatHeader(idWidth));
    const until = t.values.step ?? untilStep;
    const result = await runLab(lab, {
      docker: engine.docker,
      publishedHost: engine.endpoint.publishedHost,
      endpoint: engine.endpoint,
      workspaceFolder: workspaceFor(lab.source.file, io.cwd, t.values.workspace),
      env: io.env,
      ...(until !== undefined ? { untilStep: until } : {}),
      ...(t.checkTimeoutMs !== undefined ? { checkTimeoutMs: t.checkTimeoutMs } : {}),
      keep: t.values.keep === true,
      bail: t.values.bail === true,
      signal: t.signal,
      onStep: (_lab, step) => {
        for (const line of formatStepRow(step, idWidth)) say(line);
      },
    });
    results.push(result);
    if (result.cleanup && (result.cleanup.removed || result.cleanup.refused)) {
      const c = result.cleanup;
      say(`  ${c.refused ? l10n.t('cleanup: removed {0}, already gone {1}, REFUSED {2}', c.removed, c.alreadyGone, c.refused) : l10n.t('cleanup: removed {0}, already gone {1}', c.removed, c.alreadyGone)}`);
      for (const line of formatCleanup(c)) say(line);
    }
    for (const note of result.notes) say(`  ${l10n.t('note: {0}', note)}`);
    if (t.values.bail && result.failed + result.errors > 0) break;
  }
  return results;
}

function formatIssue(io: CliIo, issue: { file: string; line: number; col: number; severity: string; message: string }): string {
  return `${path.relative(io.cwd, issue.file) || issue.file}:${issue.line}:${issue.col}: ${issue.severity}: ${issue.message}`;
}

export async function runTest(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(
    'test',
    {
      args,
      allowPositionals: true,
      options: {
        lab: { type: 'string', multiple: true },
        step: { type: 'string' },
        grep: { type: 'string' },
        bail: { type: 'boolean' },
        watch: { type: 'boolean' },
        reporter: { type: 'string' },
        output: { type: 'string' },
        json: { type: 'boolean' },
        'json-out': { type: 'string' },
        keep: { type: 'boolean' },
        timeout: { type: 'string' },
        workspace: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    io,
    usage(),
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  let checkTimeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      io.err(`container-labs test: ${l10n.t("--timeout must be a positive number of seconds, not '{0}'", values.timeout)}`);
      return 2;
    }
    checkTimeoutMs = Math.round(seconds * 1000);
  }
  let reporter: ReporterName | undefined;
  if (values.reporter !== undefined) {
    if (!isReporterName(values.reporter)) {
      io.err(`container-labs test: ${l10n.t("unknown reporter '{0}'; choose one of {1}", values.reporter, REPORTER_NAMES.join(', '))}`);
      return 2;
    }
    reporter = values.reporter;
  }
  if (values.output !== undefined && reporter === undefined) {
    io.err(`container-labs test: ${l10n.t('--output goes with --reporter')}`);
    return 2;
  }
  let pattern: Pattern | undefined;
  if (values.grep !== undefined) {
    try {
      pattern = compilePattern(values.grep);
    } catch (error) {
      io.err(`container-labs test: --grep: ${errorMessage(error)}`);
      return 2;
    }
  }
  if (values.workspace !== undefined) {
    const dir = path.resolve(io.cwd, values.workspace);
    const info = await fs.stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      io.err(`container-labs test: ${l10n.t('--workspace {0}: no such folder', values.workspace)}`);
      return 2;
    }
  }
  const started = Date.now();
  // With a reporter and no --output, the report is the output; --json prints JSON only.
  const quiet = values.json === true || (reporter !== undefined && values.output === undefined);
  const say = (text: string): void => {
    if (!quiet) io.out(text);
  };

  // The engine first: without it nothing below means anything.
  const engine = await connectEngine(io, values.host);
  if (!engine.health.ok) {
    if (values.json) io.out(JSON.stringify({ error: engine.health.message, health: healthJson(engine.health) }, null, 2));
    else io.err(formatHealth(engine.health));
    return 2;
  }
  say(engine.health.message);

  const roots = labRoots(positionals, io.cwd);
  const catalog = await loadCatalog(roots);
  // A broken file is reported, and the other labs still run (the run then exits 1).
  const reportBroken = (broken: readonly BrokenLab[]): void => {
    for (const b of broken) for (const issue of b.issues.filter((i) => i.severity === 'error')) io.err(formatIssue(io, issue));
    if (broken.length) io.err(`container-labs test: ${l10n.t('{0} lab file(s) do not load; fix them first (container-labs validate)', broken.length)}`);
  };
  reportBroken(catalog.broken);

  let labs: Lab[] = catalog.labs;
  if (values.lab?.length) {
    const wanted = values.lab;
    const unknown = wanted.filter((id) => !catalog.labs.some((l) => l.id === id) && !catalog.broken.some((b) => b.id === id));
    if (unknown.length) {
      io.err(`container-labs test: ${l10n.t('no lab {0} (labs: {1})', unknown.map((u) => `'${u}'`).join(', '), catalog.labs.map((l) => l.id).join(', ') || l10n.t('none'))}`);
      return 2;
    }
    labs = catalog.labs.filter((l) => wanted.includes(l.id));
  }
  if (values.step) {
    const stepId = values.step;
    labs = labs.filter((l) => l.steps.some((s) => s.id === stepId));
    if (!labs.length && !catalog.broken.length) {
      io.err(`container-labs test: ${l10n.t("no lab has a step '{0}'", stepId)}`);
      return 2;
    }
  }
  const work = pick(labs, pattern);
  if (pattern && !work.length && !catalog.broken.length) {
    io.err(`container-labs test: ${l10n.t('--grep {0} matches no lab or step (labs: {1})', values.grep ?? '', labs.map((l) => l.id).join(', ') || l10n.t('none'))}`);
    return 2;
  }
  if (!work.length && !catalog.broken.length) {
    io.err(`container-labs test: ${l10n.t('no labs found in {0}', roots.map((r) => path.relative(io.cwd, r.path) || '.').join(', '))}`);
    return 2;
  }

  // Ctrl+C stops after the current command and still cleans up; a second one exits at once.
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.err(`container-labs test: ${l10n.t('interrupted; stopping and cleaning up (Ctrl+C again to quit now)')}`);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  const stopOuter = (): void => abort.abort();
  io.signal?.addEventListener('abort', stopOuter, { once: true });

  const options: TestOptions = { values, engine, say, io, signal: abort.signal, ...(checkTimeoutMs !== undefined ? { checkTimeoutMs } : {}) };
  const shown = (file: string): string => path.relative(io.cwd, file) || file;

  /** Prints the summary and the reports of one run; its exit code. */
  const finish = async (results: LabRunResult[], broken: readonly BrokenLab[], ms: number): Promise<number> => {
    const json = toTestJson(results, ms, broken, shown);
    if (values['json-out']) {
      const file = path.resolve(io.cwd, values['json-out']);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, JSON.stringify(json, null, 2) + '\n');
    }
    if (reporter !== undefined) {
      const text = report(reporter, await testCases(results, broken, shown), { tool: 'container-labs test', ms });
      if (values.output !== undefined) {
        const file = path.resolve(io.cwd, values.output);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, `${text}\n`);
      } else io.out(text);
    }
    const failed = json.failed + json.errors;
    if (values.json) {
      io.out(JSON.stringify(json, null, 2));
    } else {
      const steps = sum(results, (r) => r.steps.length);
      const infos = sum(results, (r) => r.steps.filter((s) => s.status === 'info' || s.status === 'quiz').length);
      say('');
      say(
        broken.length
          ? l10n.t('{0} passed, {1} failed, {2} skipped, {3} lab file(s) broken', json.passed, failed, json.skipped, broken.length)
          : l10n.t('{0} passed, {1} failed, {2} skipped', json.passed, failed, json.skipped),
      );
      const counted = json.errors
        ? l10n.t('{0} lab(s), {1} step(s) ({2} without a check, {3} could not be checked) in {4}', results.length, steps, infos, json.errors, formatMs(ms))
        : l10n.t('{0} lab(s), {1} step(s) ({2} without a check) in {3}', results.length, steps, infos, formatMs(ms));
      say(abort.signal.aborted ? l10n.t('{0} (interrupted)', counted) : counted);
    }
    return failed > 0 || broken.length > 0 ? 1 : 0;
  };

  let code: number;
  try {
    const results = await runLabs(work, options);
    code = await finish(results, catalog.broken, Date.now() - started);
    if (values.watch && !abort.signal.aborted) {
      code = await watchLabs(roots, { ...options, pick: (all) => pick(values.lab?.length ? all.filter((l) => values.lab?.includes(l.id)) : all, pattern), reportBroken, finish, initial: code });
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    io.signal?.removeEventListener('abort', stopOuter);
  }
  if (abort.signal.aborted && !io.signal?.aborted) return 130;
  return code;
}

/**
 * `--watch`: waits for a lab file under the roots to change, then loads the labs again and
 * runs the labs of the changed files (a broken one is reported). Ends when the run is
 * interrupted; resolves with the exit code of the last run.
 */
async function watchLabs(
  roots: ReadonlyArray<{ path: string }>,
  t: TestOptions & {
    pick: (labs: readonly Lab[]) => Array<{ lab: Lab; untilStep?: string }>;
    reportBroken: (broken: readonly BrokenLab[]) => void;
    finish: (results: LabRunResult[], broken: readonly BrokenLab[], ms: number) => Promise<number>;
    initial: number;
  },
): Promise<number> {
  let code = t.initial;
  const changed = new Set<string>();
  let wake: (() => void) | undefined;
  const watchers: FSWatcher[] = [];
  const folders = new Set<string>();
  for (const root of roots) {
    const info = await fs.stat(root.path).catch(() => undefined);
    if (!info) continue;
    const folder = info.isDirectory() ? root.path : path.dirname(root.path);
    if (folders.has(folder)) continue;
    folders.add(folder);
    try {
      const w = watchFolder(folder, { recursive: info.isDirectory() }, (_event, name) => {
        if (typeof name !== 'string' || !/\.(lab|course)\.ya?ml$/i.test(name)) return;
        const file = path.resolve(folder, name);
        if (!info.isDirectory() && file !== path.resolve(root.path)) return;
        changed.add(file);
        wake?.();
      });
      w.on('error', () => undefined);
      watchers.push(w);
    } catch (error) {
      t.io.err(`container-labs test: ${l10n.t('cannot watch {0}: {1}', folder, errorMessage(error))}`);
    }
  }
  t.io.err(`container-labs test: ${l10n.t('watching {0} for changes (Ctrl+C ends)', [...folders].map((f) => path.relative(t.io.cwd, f) || '.').join(', '))}`);
  const stopped = new Promise<void>((resolve) => t.signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    while (!t.signal.aborted) {
      if (!changed.size) {
        await Promise.race([stopped, new Promise<void>((resolve) => (wake = resolve))]);
        wake = undefined;
        if (t.signal.aborted) break;
      }
      // Editors write a file in several steps: let them finish.
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 300))]);
      const files = new Set(changed);
      changed.clear();
      const started = Date.now();
      const catalog = await loadCatalog(roots.map((r) => ({ path: r.path, origin: 'workspace' as const })));
      const broken = catalog.broken.filter((b) => files.has(b.file));
      t.reportBroken(broken);
      const work = t.pick(catalog.labs.filter((l) => files.has(l.source.file)));
      t.say('');
      t.say(l10n.t('changed: {0}', [...files].map((f) => path.relative(t.io.cwd, f) || f).join(', ')));
      const results = await runLabs(work, t);
      code = await t.finish(results, broken, Date.now() - started);
    }
  } finally {
    for (const w of watchers) w.close();
  }
  return code;
}
