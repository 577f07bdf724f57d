/** The CLI's io for tests: what it prints, kept line by line; the environment it sees is the test's. */
import type { CliIo } from '../../src/cli/io';

export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t), cwd, env }, out, err };
}
