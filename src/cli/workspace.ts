/**
 * Where a lab's `${workspaceFolder}` is in the CLI: the folder that holds the `.container-labs`
 * folder the lab file is in (as in the extension, whose workspace folder holds it), or
 * `--workspace DIR`; the current directory only for a lab file outside any `.container-labs`.
 * Commands of `test` run there too, as they would in the extension's terminal.
 */
import * as path from 'node:path';

export const LABS_FOLDER = '.container-labs';

export function workspaceFor(labFile: string, cwd: string, override?: string): string {
  if (override !== undefined) return path.resolve(cwd, override);
  let dir = path.dirname(path.resolve(cwd, labFile));
  for (;;) {
    if (path.basename(dir) === LABS_FOLDER) return path.dirname(dir);
    const parent = path.dirname(dir);
    if (parent === dir) return cwd;
    dir = parent;
  }
}
