/**
 * "Container Labs: Export Progress File": writes the student's progress as
 * `container-labs-progress.json` (schemas/progress.schema.json, for `container-labs report`)
 * and the Markdown report beside it (`container-labs-progress.md`, to read) into the
 * workspace, where they can be committed and pushed (a GitHub Classroom repository).
 */
import { stringOptions } from '../common/commands';
import * as vscode from 'vscode';
import { buildProgressFile, PROGRESS_FILE_NAME, progressFileText } from '../core/classroom/progressFile';
import type { LabSession } from '../session/types';
import { progressReport } from './report';

const NAME_KEY = 'containerLabs.studentName';

export interface ExportOptions {
  /** The name to put in the file; without it the student is asked (empty: no name). */
  student?: string;
  /** The folder to write into; default the first workspace folder (or a folder the student picks). */
  folder?: string;
}

function optionsFrom(value: unknown): ExportOptions {
  return stringOptions(value, ['student', 'folder']);
}

/** Writes both files; resolves to the JSON file's URI, or undefined when the student cancelled. */
export async function exportProgressFile(context: vscode.ExtensionContext, session: LabSession, arg: unknown): Promise<vscode.Uri | undefined> {
  const opts = optionsFrom(arg);
  let student = opts.student;
  if (student === undefined) {
    student = await vscode.window.showInputBox({
      title: 'Export Progress File',
      prompt: 'Your name, as your instructor knows you (optional: leave empty for none)',
      value: context.globalState.get<string>(NAME_KEY) ?? '',
      ignoreFocusOut: true,
    });
    if (student === undefined) return undefined;
    await context.globalState.update(NAME_KEY, student);
  }
  let folder: vscode.Uri | undefined = opts.folder !== undefined ? vscode.Uri.file(opts.folder) : vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, openLabel: 'Export Here', title: 'Where to write the progress file' });
    folder = picked?.[0];
    if (!folder) return undefined;
  }
  const version = (context.extension.packageJSON as { version?: unknown }).version;
  const file = buildProgressFile({
    labs: session.catalog.labs,
    state: (ref) => session.getState(ref),
    extensionVersion: typeof version === 'string' ? version : 'unknown',
    student,
  });
  const json = vscode.Uri.joinPath(folder, PROGRESS_FILE_NAME);
  const markdown = vscode.Uri.joinPath(folder, PROGRESS_FILE_NAME.replace(/\.json$/, '.md'));
  const encoder = new TextEncoder();
  await vscode.workspace.fs.writeFile(json, encoder.encode(progressFileText(file)));
  await vscode.workspace.fs.writeFile(markdown, encoder.encode(progressReport(session, file.student ? { who: file.student } : {})));
  void vscode.window.showInformationMessage(`Progress written to ${PROGRESS_FILE_NAME} and its .md report. Commit and push them to hand them in.`);
  return json;
}
