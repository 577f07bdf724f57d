/**
 * The shape the handbook asks of the code, checked on the sources themselves: the core imports
 * nothing from `vscode` (the CLI runs it in plain Node) nor from outside src/core,
 * and no module of src/ takes part in an import cycle. Imports are read with the TypeScript
 * compiler's own pre-processor, so type-only imports count too.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const srcRoot = path.join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => f.endsWith('.ts') && statSync(f).isFile());
}

/** The module specifiers a file imports or re-exports. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
}

/** The data a module may import as JSON: the translations (l10n/*.json), built into the CLI. */
const DATA_DIR = path.join(repoRoot, 'l10n') + path.sep;

/**
 * A relative specifier resolved to a .ts file of src/, or undefined for a package or for a
 * translation bundle (data: it imports nothing, so it is no part of the module graph).
 */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  if (base.endsWith('.json') && base.startsWith(DATA_DIR) && existsSync(base)) return undefined;
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  throw new Error(`${path.relative(repoRoot, from)} imports ${spec}, which resolves to no .ts file`);
}

const files = sourceFiles(srcRoot);
const graph = new Map(files.map((f) => [f, importsOf(f).flatMap((s) => resolveLocal(f, s) ?? [])]));

/** Every cycle found by a depth-first walk, each as its chain of files relative to src/. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(srcRoot, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('architecture of src/', () => {
  it('reads a real module graph (the walk found the core and its imports)', () => {
    const runtime = path.join(srcRoot, 'core', 'runtime', 'labRuntime.ts');
    assert.ok((graph.get(runtime) ?? []).length > 3, 'labRuntime.ts imports several modules of src/');
  });

  it('src/core imports nothing from vscode nor from outside src/core', () => {
    const core = path.join(srcRoot, 'core') + path.sep;
    const offending: string[] = [];
    for (const file of files.filter((f) => f.startsWith(core))) {
      for (const spec of importsOf(file)) {
        const local = resolveLocal(file, spec);
        if (spec === 'vscode' || (local !== undefined && !local.startsWith(core))) {
          offending.push(`${path.relative(srcRoot, file)} -> ${spec}`);
        }
      }
    }
    assert.deepEqual(offending, []);
  });

  it('has no import cycle', () => {
    assert.deepEqual(cycles().map((c) => c.join(' -> ')), []);
  });
});
