/**
 * Setting keys, context keys and state keys in one place, with typed readers.
 * Every key here also appears in package.json (`contributes.configuration`).
 */
import * as vscode from 'vscode';

export const SECTION = 'containerLabs';

export const SettingKeys = {
  labsFolder: 'labsFolder',
  engineHost: 'engine.host',
  liveChecks: 'liveChecks',
} as const;

export const Defaults = {
  labsFolder: '.container-labs',
  engineHost: '',
  liveChecks: true,
} as const;

/** Context keys for `when` clauses in package.json. */
export const ContextKeys = {
  /** `checking` | `ok` | the health report's problem, e.g. `not-running`. */
  engineState: 'containerLabs.engineState',
  /** Number of labs in the catalog (loaded + broken). */
  labCount: 'containerLabs.labCount',
  /** There is a current step. */
  hasCurrentStep: 'containerLabs.hasCurrentStep',
  /** The current step has something to open (an HTTP check). */
  currentStepHasService: 'containerLabs.currentStepHasService',
  /** The last health check passed (used by the first-run walkthrough). */
  engineOk: 'containerLabs.engineOk',
  /** A command of a lab has been run in the terminal (first-run walkthrough). */
  ranFirstCommand: 'containerLabs.ranFirstCommand',
  /** A lab has been opened (first-run walkthrough). */
  openedLab: 'containerLabs.openedLab',
} as const;

export interface Settings {
  /** Workspace-relative (or absolute) folder with the user's own labs. */
  labsFolder: string;
  /** Docker endpoint override (like DOCKER_HOST); empty means "like the docker CLI". */
  engineHost: string;
  liveChecks: boolean;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const text = (key: string, fallback: string): string => {
    const value = config.get<unknown>(key);
    return typeof value === 'string' ? value.trim() : fallback;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const value = config.get<unknown>(key);
    return typeof value === 'boolean' ? value : fallback;
  };
  return {
    labsFolder: text(SettingKeys.labsFolder, Defaults.labsFolder) || Defaults.labsFolder,
    engineHost: text(SettingKeys.engineHost, Defaults.engineHost),
    liveChecks: flag(SettingKeys.liveChecks, Defaults.liveChecks),
  };
}

export function setContext(key: string, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
