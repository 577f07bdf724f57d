/** Command ids, as contributed in package.json. */
export const Commands = {
  refresh: 'containerLabs.refresh',
  openWalkthrough: 'containerLabs.openWalkthrough',
  checkStep: 'containerLabs.checkStep',
  runStepCommand: 'containerLabs.runStepCommand',
  resetStep: 'containerLabs.resetStep',
  resetLab: 'containerLabs.resetLab',
  cleanupLab: 'containerLabs.cleanupLab',
  exportReport: 'containerLabs.exportReport',
  exportProgressFile: 'containerLabs.exportProgressFile',
  recordLab: 'containerLabs.recordLab',
  stopRecording: 'containerLabs.stopRecording',
  testRecordedLab: 'containerLabs.testRecordedLab',
  showHealth: 'containerLabs.showHealth',
  fixEngine: 'containerLabs.fixEngine',
  interrupt: 'containerLabs.interrupt',
  openService: 'containerLabs.openService',
  nextStep: 'containerLabs.nextStep',
  previousStep: 'containerLabs.previousStep',
  openLabFile: 'containerLabs.openLabFile',
  showLog: 'containerLabs.showLog',
  openFirstLab: 'containerLabs.openFirstLab',
} as const;

/**
 * The string fields `keys` of a command's options argument (from a caller, a keybinding or a
 * forged link: anything), each kept only when it is a string; anything else gives no options.
 */
export function stringOptions<K extends string>(value: unknown, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  if (typeof value !== 'object' || value === null) return out;
  const v = value as Record<string, unknown>;
  for (const key of keys) {
    const field = v[key];
    if (typeof field === 'string') out[key] = field;
  }
  return out;
}
