/**
 * `container-labs report FILES-OR-FOLDERS... [--format markdown|csv|html] [--output FILE]
 * [--labs PATH]...`: merges students' progress files into a class view (completion per lab and
 * step, where students are stuck and why, time per lab, partial scores). Folders are searched
 * for `container-labs-progress.json` and `*.progress.json`. A file that cannot be counted is
 * listed with why; it never stops the report. Exit codes: 0 a report was written, 1 no file
 * could be counted, 2 usage error.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { classReport, type ProgressInput } from '../core/classroom/classReport';
import { MAX_PROGRESS_BYTES, PROGRESS_FILE_NAME } from '../core/classroom/progressFile';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../core/classroom/render';
import { loadCatalog } from '../core/labs/loader';
import { errorMessage, inert } from '../core/text';
import { parseCommandLine, usageRows } from './args';
import type { CliIo } from './io';

function usage(): string {
  return [
    l10n.t('Usage: {0}', 'container-labs report FILES-OR-FOLDERS... [options]'),
    '',
    l10n.t(
      "Merges students' progress files (Container Labs: Export Progress File) into a class view.\nFolders are searched for {0} and *.progress.json (a clone of each\nstudent's repository, side by side, works).",
      PROGRESS_FILE_NAME,
    ),
    usageRows(18, [
      ['--format F', l10n.t('markdown (default), csv (a grade book: one row per student) or html (a page with a chart)')],
      ['--output FILE', l10n.t('write the report to FILE instead of printing it')],
      ['--labs PATH', l10n.t("the class's lab files (default: ./labs and ./.container-labs when they exist):\ntitles, step order and points: come from them, other labs are left out")],
    ]),
    l10n.t('Exit codes: 0 a report was written, 1 no progress file could be counted, 2 usage error.'),
  ].join('\n');
}

const SKIPPED = new Set(['node_modules', '.git']);
const MAX_DEPTH = 6;
const MAX_FILES = 5000;

function isProgressName(name: string): boolean {
  return name === PROGRESS_FILE_NAME || name.endsWith('.progress.json');
}

/** Progress files under a folder, sorted, depth first. */
async function findProgressFiles(dir: string, depth = 0, found: string[] = []): Promise<string[]> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name) && depth < MAX_DEPTH) await findProgressFiles(full, depth + 1, found);
    } else if (entry.isFile() && isProgressName(entry.name)) {
      found.push(full);
    }
    if (found.length > MAX_FILES) throw new Error(l10n.t('{0} holds more than {1} progress files; give a smaller folder', dir, MAX_FILES));
  }
  return found;
}

async function readInput(file: string, name: string): Promise<ProgressInput> {
  try {
    const info = await fs.stat(file);
    if (info.size > MAX_PROGRESS_BYTES) return { name, readError: l10n.t('{0} kB is too large for a progress file', Math.round(info.size / 1000)) };
    return { name, text: await fs.readFile(file, 'utf8') };
  } catch (error) {
    return { name, readError: l10n.t('cannot read it: {0}', errorMessage(error)) };
  }
}

function isFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

export async function runReport(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(
    'report',
    {
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        labs: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    },
    io,
    usage(),
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const format = values.format ?? 'markdown';
  if (!isFormat(format)) {
    io.err(`container-labs report: ${l10n.t("unknown format '{0}'; choose one of {1}", format, REPORT_FORMATS.join(', '))}`);
    return 2;
  }
  if (positionals.length === 0) {
    io.err(`container-labs report: ${l10n.t('give the progress files or folders to read')}\n\n${usage()}`);
    return 2;
  }
  const shown = (file: string): string => path.relative(io.cwd, file) || file;

  const inputs: ProgressInput[] = [];
  for (const p of positionals) {
    const full = path.resolve(io.cwd, p);
    let isDir: boolean;
    try {
      isDir = (await fs.stat(full)).isDirectory();
    } catch {
      io.err(`container-labs report: ${l10n.t('{0}: no such file or folder', p)}`);
      return 2;
    }
    let files: string[];
    try {
      files = isDir ? await findProgressFiles(full) : [full];
    } catch (error) {
      io.err(`container-labs report: ${errorMessage(error)}`);
      return 2;
    }
    if (isDir && files.length === 0) io.err(`container-labs report: ${l10n.t('{0}: no {1} or *.progress.json files in it', p, PROGRESS_FILE_NAME)}`);
    for (const file of files) inputs.push(await readInput(file, shown(file)));
  }

  const labPaths = values.labs ?? ['labs', '.container-labs'].filter((f) => existsSync(path.resolve(io.cwd, f)));
  const missing = labPaths.filter((p) => !existsSync(path.resolve(io.cwd, p)));
  if (missing.length > 0) {
    for (const p of missing) io.err(`container-labs report: ${l10n.t('{0}: no such file or folder', `--labs ${p}`)}`);
    return 2;
  }
  const catalog = labPaths.length > 0 ? await loadCatalog(labPaths.map((p) => ({ path: path.resolve(io.cwd, p), origin: 'workspace' as const }))) : undefined;
  for (const b of catalog?.broken ?? []) io.err(`container-labs report: ${l10n.t('{0}: not used ({1})', shown(b.file), b.issues[0]?.message ?? l10n.t('cannot be loaded'))}`);

  const report = classReport(inputs, catalog ? { labs: catalog.labs } : {});
  const text = renderReport(report, format);
  if (values.output !== undefined) {
    const out = path.resolve(io.cwd, values.output);
    await fs.writeFile(out, text);
    io.err(`container-labs report: ${l10n.t('wrote {0} ({1} students, {2} files not counted)', shown(out), report.students.length, report.problems.length)}`);
  } else {
    io.out(text);
  }
  for (const p of report.problems) io.err(inert(`container-labs report: ${l10n.t('{0}: not counted ({1}): {2}', p.file, p.kind, p.message)}`, 'plain'));
  return report.students.length > 0 ? 0 : 1;
}
