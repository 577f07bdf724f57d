/**
 * The shell that runs lab commands, the same for the extension's lab terminal and the CLI
 * runner: bash where it exists (the terminal then has VS Code's shell integration, and lab
 * commands mean the same as in the docs whatever the student's own login shell is: fish,
 * zsh with options, PowerShell), else the system's POSIX sh. Placeholder values are quoted
 * for that shell's dialect (see `fillCommand`). No `vscode` import.
 */
import { existsSync } from 'node:fs';
import type { ShellDialect } from './shellContext';

export interface LabShell {
  /** Absolute path of the shell. */
  path: string;
  dialect: ShellDialect;
}

const BASH_PATHS = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash', '/opt/homebrew/bin/bash'];

let found: LabShell | undefined;

/** The lab shell of this machine (looked up once). */
export function labShell(exists: (file: string) => boolean = existsSync): LabShell {
  if (found && exists === existsSync) return found;
  const bash = BASH_PATHS.find((p) => exists(p));
  const shell: LabShell = bash ? { path: bash, dialect: 'bash' } : { path: '/bin/sh', dialect: 'posix' };
  if (exists === existsSync) found = shell;
  return shell;
}
