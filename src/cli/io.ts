/** What a CLI subcommand may touch, so tests can hand in their own streams. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Ends a long-running command (`test --watch`) as Ctrl+C would; tests use it. */
  signal?: AbortSignal;
}

export type Subcommand = (args: string[], io: CliIo) => Promise<number>;

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  cwd: process.cwd(),
  env: process.env,
};
