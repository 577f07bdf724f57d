/**
 * `container-labs check LAB STEP [--json] [--since ISO|0] [--labs PATH]... [--host URL]`:
 * checks the PRESENT state of one step against the engine (nothing runs). `--since` limits
 * "created since the step opened" checks to a moment; the default 0 means any time.
 * Exit codes: 0 passed, 1 failed, 2 cannot check (engine down, unknown lab or step, usage).
 */
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import type { Check, CheckResult } from '../core/model';
import { describeCheck } from '../core/checks/describe';
import { EngineEvents } from '../core/checks/events';
import { LabRuntime } from '../core/runtime/labRuntime';
import { MemoryStore } from '../core/runtime/types';
import { loadCatalog } from '../core/labs/loader';
import { defaultPlaceholders } from '../core/labs/placeholders';
import { connectEngine, formatHealth, healthJson } from './health';
import { parseCommandLine, usageRows } from './args';
import type { CliIo } from './io';
import { workspaceFor } from './workspace';

function usage(): string {
  return [
    l10n.t('Usage: {0}', 'container-labs check <lab> <step> [--json] [--since ISO|0] [--labs PATH]... [--workspace DIR] [--host URL]'),
    '',
    l10n.t('Checks the present state of one step against the Docker engine; runs nothing.'),
    usageRows(
      18,
      [
        ['--since ISO|0', l10n.t('count only containers created since this moment (default 0: any time)')],
        ['--labs PATH', l10n.t('where the labs are (default: ./labs and ./.container-labs)')],
        ['--workspace DIR', l10n.t("what ${workspaceFolder} means (default: the folder holding the lab's .container-labs)")],
        ['--json', l10n.t('print the result as JSON')],
      ],
      1,
    ),
    l10n.t('Exit codes: 0 passed, 1 failed, 2 cannot check.'),
  ].join('\n');
}

/** The status words of a check result: the same in every language, as in `test`'s table. */
export const STATUS_WORD: Record<string, string> = { passed: 'PASS', failed: 'FAIL', error: 'ERROR' };

/** `0` or an ISO date (or unix ms) -> unix ms; undefined when it is neither. */
export function parseSince(value: string | undefined): number | undefined {
  if (value === undefined || value === '0' || value === '') return 0;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A check result and its parts, indented, one line each. */
export function formatCheckResult(result: CheckResult, indent = ''): string[] {
  const lines = [`${indent}${STATUS_WORD[result.status] ?? result.status.toUpperCase()}  ${result.reason}`];
  for (const child of result.children ?? []) lines.push(...formatCheckResult(child, indent + '  '));
  return lines;
}

/** The lab roots the CLI reads: the given paths, or ./labs and ./.container-labs. */
export function labRoots(paths: string[], cwd: string): Array<{ path: string; origin: 'bundled' | 'workspace' }> {
  const list = paths.length ? paths : ['labs', '.container-labs'];
  return list.map((p) => ({ path: path.resolve(cwd, p), origin: 'workspace' as const }));
}

/** The check with every container match counting containers of any time (what `--since 0` checks). */
function anyTime(check: Check): Check {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value).map(([k, v]) => [k, walk(v, k)] as const);
    const copy: Record<string, unknown> = Object.fromEntries(entries);
    if ((key === 'container' || key === 'containerAbsent') && copy.since === undefined) copy.since = 'any';
    return copy;
  };
  return walk(check, undefined) as Check;
}

export async function runCheck(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(
    'check',
    {
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        since: { type: 'string' },
        labs: { type: 'string', multiple: true },
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
  if (positionals.length !== 2) {
    io.err(`container-labs check: ${l10n.t('expected a lab id and a step id')}\n\n${usage()}`);
    return 2;
  }
  const [labId, stepId] = positionals;
  const since = parseSince(values.since);
  if (since === undefined) {
    io.err(`container-labs check: ${l10n.t("--since must be 0 or a date such as 2024-05-01T10:00:00Z, not '{0}'", values.since ?? '')}`);
    return 2;
  }

  const roots = labRoots(values.labs ?? [], io.cwd);
  const catalog = await loadCatalog(roots);
  const lab = catalog.labs.find((l) => l.id === labId);
  if (!lab) {
    const known = catalog.labs.map((l) => l.id).join(', ') || l10n.t('none');
    const where = roots.map((r) => path.relative(io.cwd, r.path) || '.').join(', ');
    io.err(`container-labs check: ${l10n.t("no lab '{0}' in {1} (labs: {2})", labId, where, known)}`);
    return 2;
  }
  const step = lab.steps.find((s) => s.id === stepId);
  if (!step) {
    io.err(`container-labs check: ${l10n.t("lab '{0}' has no step '{1}' (steps: {2})", labId, stepId, lab.steps.map((s) => s.id).join(', '))}`);
    return 2;
  }
  if (!step.check) {
    const why = step.quiz ? l10n.t("step '{0}/{1}' has no check (a quiz)", labId, stepId) : l10n.t("step '{0}/{1}' has no check (a reading step)", labId, stepId);
    io.err(`container-labs check: ${why}`);
    return 2;
  }

  const engine = await connectEngine(io, values.host);
  if (!engine.health.ok) {
    if (values.json) io.out(JSON.stringify({ lab: labId, step: stepId, status: 'error', reason: engine.health.message, health: healthJson(engine.health) }, null, 2));
    else io.err(formatHealth(engine.health));
    return 2;
  }

  // The same runtime as `test` and the extension, asked once; nothing runs, no state is kept.
  const events = new EngineEvents(() => engine.docker);
  const runtime = new LabRuntime({
    engine: { docker: engine.docker, endpoint: engine.endpoint, events },
    store: new MemoryStore(),
    executor: { run: () => Promise.reject(new Error(l10n.t('container-labs check runs no commands'))) },
    placeholders: (l) => defaultPlaceholders({ workspaceFolder: workspaceFor(l.source.file, io.cwd, values.workspace), labId: l.id, home: io.env.HOME }),
    liveChecks: () => false,
  });
  let result: CheckResult;
  try {
    await runtime.setCatalog({ ...catalog, labs: [lab] });
    result = await runtime.evaluate({ labId, stepId }, { since });
  } finally {
    runtime.dispose();
    events.dispose();
  }
  // In the words of what was checked: with the default --since 0, containers of any time count.
  const expects = describeCheck(since === 0 ? anyTime(step.check) : step.check);
  if (values.json) {
    io.out(JSON.stringify({ lab: labId, step: stepId, expects, ...result }, null, 2));
  } else {
    io.out(`${labId}/${stepId}: ${expects}`);
    io.out(formatCheckResult(result).join('\n'));
  }
  return result.status === 'passed' ? 0 : result.status === 'failed' ? 1 : 2;
}
