/** The headless lab runner: solve each step in a real shell, then check it against the engine. */
export { runLab, runLabs, solutionCommands, type RunLabOptions } from './run';
export { runShell, ForegroundProcess, TailBuffer, type ShellOptions, type ShellResult } from './shell';
export type { CommandRun, LabRunResult, StepRunResult, StepRunStatus } from './types';
