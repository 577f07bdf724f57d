/**
 * `container-labs validate [paths...] [--json] [--strict]`
 *
 * Checks lab and course files (folders are searched recursively) and prints one line per
 * problem, `file:line:col: error: message`, with paths relative to the current directory,
 * then a summary such as `12 files, 0 errors, 1 warning`.
 *
 * Exit codes: 0 clean (warnings allowed), 1 any error (or any warning with --strict, or no
 * lab files found), 2 usage error (unknown option, a path that does not exist, nothing to
 * validate).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import type { LabIssue } from '../core/model';
import { fileKind, scanCatalog } from '../core/labs/loader';
import { bundledIds } from './bundled';
import { parseCommandLine, usageRows } from './args';
import type { CliIo } from './io';
import { isReporterName, report, REPORTER_NAMES, type CaseResult, type ReporterName } from './reporters';

function usage(): string {
  return [
    l10n.t('Usage: {0}', 'container-labs validate [paths...] [--json] [--strict] [--reporter NAME [--output FILE]]'),
    '',
    l10n.t('Checks *.lab.yaml and *.course.yaml files; folders are searched recursively.\nDefault paths: ./labs and ./.container-labs (those that exist).'),
    '',
    usageRows(21, [
      ['--json', l10n.t('print the result as JSON')],
      ['--strict', l10n.t('treat warnings as errors (exit 1)')],
      ['--reporter NAME', l10n.t('print the result for CI: {0} (github: annotations at each file:line:col)', REPORTER_NAMES.join(', '))],
      ['--output FILE', l10n.t('write the --reporter output to FILE and print the usual lines')],
    ]),
  ].join('\n');
}

/** One case per file: passed when it has no error, one failed case per error, warnings marked. */
function validateCases(files: string[], issues: readonly LabIssue[], shown: (file: string) => string): CaseResult[] {
  const cases: CaseResult[] = [];
  for (const file of files) {
    const mine = issues.filter((i) => shown(i.file) === file);
    if (!mine.some((i) => i.severity === 'error')) cases.push({ suite: file, name: 'is a valid lab file', status: 'passed', file });
    for (const i of mine) {
      cases.push({ suite: file, name: `line ${i.line}, col ${i.col}`, status: i.severity === 'error' ? 'failed' : 'passed', warning: i.severity === 'warning', message: i.message, file, line: i.line, col: i.col });
    }
  }
  return cases;
}

/** The summary line: `12 files, 0 errors, 1 warning`. */
function summary(files: number, errors: number, warnings: number): string {
  return [
    files === 1 ? l10n.t('{0} file', files) : l10n.t('{0} files', files),
    errors === 1 ? l10n.t('{0} error', errors) : l10n.t('{0} errors', errors),
    warnings === 1 ? l10n.t('{0} warning', warnings) : l10n.t('{0} warnings', warnings),
  ].join(', ');
}

export async function runValidate(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(
    'validate',
    {
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        strict: { type: 'boolean' },
        reporter: { type: 'string' },
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    io,
    usage(),
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals: paths } = parsed;
  const json = values.json === true;
  const strict = values.strict === true;
  const output = values.output === undefined ? undefined : path.resolve(io.cwd, values.output);
  let reporter: ReporterName | undefined;
  if (values.reporter !== undefined) {
    if (!isReporterName(values.reporter)) {
      io.err(`container-labs validate: ${l10n.t("unknown reporter '{0}'; choose one of {1}", values.reporter, REPORTER_NAMES.join(', '))}`);
      return 2;
    }
    reporter = values.reporter;
  }

  const resolved = paths.map((p) => path.resolve(io.cwd, p));
  if (resolved.length === 0) {
    for (const folder of ['labs', '.container-labs']) {
      const candidate = path.resolve(io.cwd, folder);
      if (existsSync(candidate)) resolved.push(candidate);
    }
    if (resolved.length === 0) {
      io.err(`container-labs validate: ${l10n.t('nothing to validate: no ./labs or ./.container-labs here; give the paths to check')}\n\n${usage()}`);
      return 2;
    }
  }
  const missing = resolved.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    for (const p of missing) io.err(`container-labs validate: ${l10n.t('{0}: no such file or folder', path.relative(io.cwd, p) || p)}`);
    return 2;
  }

  // A course file given alone is read with the labs beside it (the labs it lists are there);
  // only the files asked for are reported.
  const context = resolved.filter((p) => fileKind(p) === 'course' && !statSync(p).isDirectory()).map((p) => path.dirname(p));
  const asked = (file: string): boolean => resolved.some((p) => file === p || file.startsWith(p + path.sep));
  const scan = await scanCatalog(
    [...resolved, ...context].map((p) => ({ path: p, origin: 'workspace' as const })),
    { reserved: await bundledIds() },
  );
  const catalog = scan.catalog;
  const files = scan.files.filter(asked);
  const issues: LabIssue[] = [...catalog.broken.flatMap((b) => b.issues), ...catalog.warnings].filter((i) => asked(i.file));
  const shown = (file: string): string => path.relative(io.cwd, file) || file;
  issues.sort((a, b) => (shown(a.file) < shown(b.file) ? -1 : shown(a.file) > shown(b.file) ? 1 : a.line - b.line || a.col - b.col));
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;

  if (output !== undefined && reporter === undefined) {
    io.err(`container-labs validate: ${l10n.t('--output goes with --reporter')}`);
    return 2;
  }
  if (reporter !== undefined) {
    const text = report(reporter, validateCases(files.map(shown), issues, shown), { tool: 'container-labs validate' });
    if (output !== undefined) writeFileSync(output, `${text}\n`);
    else io.out(text);
  }
  if (reporter !== undefined && output === undefined) {
    // The report is the output.
  } else if (json) {
    io.out(
      JSON.stringify(
        {
          files: files.length,
          errors,
          warnings,
          labs: catalog.labs.map((l) => l.id),
          courses: catalog.courses.map((c) => c.id),
          issues: issues.map((i) => ({ file: shown(i.file), line: i.line, col: i.col, severity: i.severity, message: i.message })),
        },
        null,
        2,
      ),
    );
  } else {
    for (const i of issues) io.out(`${shown(i.file)}:${i.line}:${i.col}: ${i.severity}: ${i.message}`);
    io.out(summary(files.length, errors, warnings));
  }
  if (files.length === 0) {
    io.err(`container-labs validate: ${l10n.t('no *.lab.yaml or *.course.yaml files in {0}', resolved.map(shown).join(', '))}`);
    return 1;
  }
  return errors > 0 || (strict && warnings > 0) ? 1 : 0;
}
