/**
 * Running a piece of the project as user `nobody` (for "a user outside the docker group").
 *
 * The checkout may sit where `nobody` cannot read it (a CI clone under /root, mode 0700), so
 * the code is never run from there: it is bundled with its dependencies (esbuild) into a
 * fresh folder of its own under the system temp folder, run from there, and that folder is
 * removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

/** uid and gid of `nobody` / `nogroup` on Debian. */
export const NOBODY = 65534;

/** What to run: a file of the project, or source text whose imports resolve from `resolveDir`. */
export type Program = { entry: string } | { code: string; resolveDir: string };

export interface RunAsNobodyOptions {
  /** `esm` for the project's .mjs scripts, `cjs` for compiled TypeScript. Default `cjs`. */
  format?: 'cjs' | 'esm';
  args?: string[];
  /** The child's whole environment besides PATH and HOME (nothing of ours leaks in). */
  env?: NodeJS.ProcessEnv;
  /** Working folder; default the bundle's own folder. It must be one `nobody` can enter. */
  cwd?: string;
  timeoutMs?: number;
}

export interface RunAsNobodyResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// An ES module bundle of CommonJS dependencies needs these three names.
const ESM_SHIM =
  "import { createRequire as __clCreateRequire } from 'node:module'; import { fileURLToPath as __clFileUrl } from 'node:url'; " +
  'const require = __clCreateRequire(import.meta.url); const __filename = __clFileUrl(import.meta.url); ' +
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));";

/** The first folder on the way to `dir` that other users may not enter, if any. */
function closedAncestor(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Bundles `program` into a world-readable temp folder, runs it as nobody with node, removes the folder. */
export function runAsNobody(program: Program, opts: RunAsNobodyOptions = {}): RunAsNobodyResult {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error('running code as another user needs root (this test process is not root)');
  }
  const format = opts.format ?? 'cjs';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-as-nobody-'));
  try {
    fs.chmodSync(dir, 0o755);
    const closed = closedAncestor(dir);
    if (closed) throw new Error(`user nobody cannot enter ${closed} (on the way to the temp folder ${dir}); set TMPDIR to a folder others may enter`);
    const outfile = path.join(dir, format === 'esm' ? 'program.mjs' : 'program.cjs');
    const source = 'entry' in program ? { entryPoints: [program.entry] } : { stdin: { contents: program.code, resolveDir: program.resolveDir, loader: 'js' as const } };
    esbuild.buildSync({
      ...source,
      bundle: true,
      platform: 'node',
      format,
      outfile,
      logLevel: 'error',
      // Optional native parts of ssh2 (dockerode): required inside try/catch, absent in the copy.
      external: ['cpu-features', '*.node'],
      banner: format === 'esm' ? { js: ESM_SHIM } : undefined,
    });
    fs.chmodSync(outfile, 0o644);
    // Node's uid/gid options also drop the supplementary groups (docker among them).
    const r = spawnSync(process.execPath, [outfile, ...(opts.args ?? [])], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: opts.cwd ?? dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...opts.env },
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 30_000,
    });
    if (r.error) throw new Error(`could not run ${outfile} as nobody: ${r.error.message}`);
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
