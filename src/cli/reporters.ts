/**
 * CI reporters for `validate` and `test`: the same results as JUnit XML, TAP 13, GitHub Actions
 * annotations or JSON, chosen with `--reporter NAME`. Each reporter is one entry in a table;
 * all of them read the same plain `CaseResult`s, so `validate` (a case per file, a failure per
 * problem) and `test` (a case per step) share them.
 */
import { inert } from '../core/text';

export type CaseStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface CaseResult {
  /** The lab (or the file, for validate). */
  suite: string;
  /** The step (or the file's problem). */
  name: string;
  status: CaseStatus;
  /** One line: why it failed or was skipped. */
  message?: string;
  /** More lines (a command's output). */
  detail?: string;
  /** Where to point an annotation, relative to the working directory. */
  file?: string;
  line?: number;
  col?: number;
  ms?: number;
  /** A warning (validate): passes, but the github reporter shows it as a warning annotation. */
  warning?: boolean;
}

export interface ReportMeta {
  /** `container-labs validate` or `container-labs test`. */
  tool: string;
  /** Total wall-clock time. */
  ms?: number;
}

export type ReporterName = 'junit' | 'tap' | 'github' | 'json';

function xml(text: string): string {
  // XML 1.0 cannot carry most control characters at all: show them as escapes first.
  return inert(text, 'plain').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

function junit(cases: readonly CaseResult[], meta: ReportMeta): string {
  const suites = new Map<string, CaseResult[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const count = (list: readonly CaseResult[], status: CaseStatus): number => list.filter((c) => c.status === status).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="${xml(meta.tool)}" tests="${cases.length}" failures="${count(cases, 'failed')}" errors="${count(cases, 'error')}" skipped="${count(cases, 'skipped')}" time="${seconds(meta.ms)}">`);
  for (const [suite, list] of suites) {
    const time = list.reduce((t, c) => t + (c.ms ?? 0), 0);
    lines.push(`  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${count(list, 'failed')}" errors="${count(list, 'error')}" skipped="${count(list, 'skipped')}" time="${seconds(time)}">`);
    for (const c of list) {
      const attrs = `name="${xml(c.name)}" classname="${xml(suite)}" time="${seconds(c.ms)}"${c.file ? ` file="${xml(c.file)}"` : ''}${c.line ? ` line="${c.line}"` : ''}`;
      const body = JUNIT_BODY[c.status](c);
      lines.push(body ? `    <testcase ${attrs}>\n${body}\n    </testcase>` : `    <testcase ${attrs}/>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

const JUNIT_BODY: Record<CaseStatus, (c: CaseResult) => string> = {
  passed: () => '',
  skipped: (c) => `      <skipped message="${xml(c.message ?? '')}"/>`,
  failed: (c) => `      <failure message="${xml(c.message ?? 'failed')}">${xml(c.detail ?? c.message ?? '')}</failure>`,
  error: (c) => `      <error message="${xml(c.message ?? 'error')}">${xml(c.detail ?? c.message ?? '')}</error>`,
};

function tap(cases: readonly CaseResult[]): string {
  const lines = ['TAP version 13', `1..${cases.length}`];
  cases.forEach((c, i) => {
    const name = inert(`${c.suite} / ${c.name}`, 'plain').replace(/#/g, '\\#');
    const ok = c.status === 'passed' || c.status === 'skipped';
    const directive = c.status === 'skipped' ? ` # SKIP ${inert(c.message ?? '', 'plain')}` : '';
    lines.push(`${ok ? 'ok' : 'not ok'} ${i + 1} - ${name}${directive}`);
    if (!ok) {
      lines.push('  ---');
      lines.push(`  message: ${JSON.stringify(inert(c.message ?? c.status, 'plain'))}`);
      lines.push(`  severity: ${c.status === 'error' ? 'error' : 'fail'}`);
      if (c.file) lines.push(`  at: ${JSON.stringify(`${c.file}:${c.line ?? 1}:${c.col ?? 1}`)}`);
      lines.push('  ...');
    }
  });
  return lines.join('\n');
}

/** A GitHub Actions workflow-command property: `%`, CR, LF, `:` and `,` escaped as the runner expects. */
function ghProperty(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function ghMessage(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function github(cases: readonly CaseResult[]): string {
  const lines: string[] = [];
  for (const c of cases) {
    if ((c.status === 'passed' && !c.warning) || c.status === 'skipped') continue;
    const level = c.warning && c.status === 'passed' ? 'warning' : 'error';
    const props = [c.file ? `file=${ghProperty(c.file)}` : '', c.line ? `line=${c.line}` : '', c.col ? `col=${c.col}` : '', `title=${ghProperty(`${c.suite}: ${c.name}`)}`].filter(Boolean).join(',');
    // Annotations are shown as text by the runner; masking keeps secrets out of them.
    lines.push(`::${level} ${props}::${ghMessage(inert(c.message ?? c.status, 'plain'))}`);
  }
  const failed = cases.filter((c) => c.status === 'failed' || c.status === 'error').length;
  lines.push(`${cases.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}

function json(cases: readonly CaseResult[], meta: ReportMeta): string {
  return JSON.stringify({ tool: meta.tool, ms: meta.ms, cases }, null, 2);
}

const REPORTERS: Record<ReporterName, (cases: readonly CaseResult[], meta: ReportMeta) => string> = { junit, tap, github, json };

export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

export function isReporterName(name: string): name is ReporterName {
  return (REPORTER_NAMES as string[]).includes(name);
}

/** The report in the chosen format. */
export function report(name: ReporterName, cases: readonly CaseResult[], meta: ReportMeta): string {
  return REPORTERS[name](cases, meta);
}
