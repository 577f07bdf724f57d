/**
 * Problems in open lab and course files (*.lab.yaml, *.course.yaml) as editor diagnostics,
 * from the same validator the loader and the CLI use, so authors see errors as they type
 * even without the YAML extension.
 */
import * as vscode from 'vscode';
import type { LabIssue } from '../core/model';
import { validateText } from '../core/labs/loader';
import { Disposable } from '../common/lifecycle';
import type { Logger } from '../common/logger';
import { errorMessage } from '../core/text';

const LAB_FILE = /\.(lab|course)\.ya?ml$/i;
const DELAY_MS = 250;

export function isLabFile(document: vscode.TextDocument): boolean {
  return LAB_FILE.test(document.uri.path);
}

export class LabDiagnostics extends Disposable {
  readonly collection = this._register(vscode.languages.createDiagnosticCollection('container-labs'));
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly logger: Logger) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DELAY_MS)));
    this._register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.collection.delete(d.uri);
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!isLabFile(document)) return;
    const id = document.uri.toString();
    const pending = this.timers.get(id);
    if (pending) clearTimeout(pending);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        this.validate(document);
      }, delay),
    );
  }

  validate(document: vscode.TextDocument): vscode.Diagnostic[] {
    let issues: LabIssue[];
    try {
      issues = validateText(document.getText(), document.uri.fsPath);
    } catch (error) {
      this.logger.error(`validating ${document.uri.fsPath} failed: ${errorMessage(error)}`);
      return [];
    }
    const diagnostics = issues.map((issue) => toDiagnostic(document, issue));
    this.collection.set(document.uri, diagnostics);
    return diagnostics;
  }

  override dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    super.dispose();
  }
}

function toDiagnostic(document: vscode.TextDocument, issue: LabIssue): vscode.Diagnostic {
  const line = Math.min(Math.max(issue.line - 1, 0), Math.max(document.lineCount - 1, 0));
  const text = document.lineAt(line).text;
  const start = Math.min(Math.max(issue.col - 1, 0), text.length);
  // Underline the word (key or value) at the position, or to the end of the line.
  const rest = text.slice(start);
  const word = /^[^\s:#,\]}]+/.exec(rest)?.[0].length ?? rest.trimEnd().length;
  const range = new vscode.Range(line, start, line, start + Math.max(word, 1));
  const diagnostic = new vscode.Diagnostic(
    range,
    issue.message,
    issue.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
  );
  diagnostic.source = 'Container Labs';
  return diagnostic;
}

export function registerLabDiagnostics(context: vscode.ExtensionContext, deps: { logger: Logger }): LabDiagnostics {
  const diagnostics = new LabDiagnostics(deps.logger);
  context.subscriptions.push(diagnostics);
  return diagnostics;
}
