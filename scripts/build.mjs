// Bundles the extension host code, the CLI and the webview with esbuild.
//   node scripts/build.mjs [--production] [--watch] [--cli-package]
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** The bundled course's ids (src/cli/bundled.ts): `validate` reports a workshop lab that reuses one. */
const bundledIds = readdirSync('labs')
  .filter((f) => /\.(lab|course)\.ya?ml$/.test(f))
  .map((f) => ({ id: /^id:\s*(\S+)/m.exec(readFileSync(join('labs', f), 'utf8'))?.[1], kind: f.includes('.course.') ? 'course' : 'lab', file: f }))
  .filter((r) => r.id);

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * dockerode loads its BuildKit session support (gRPC + protobuf, about 400 KB minified) when it
 * starts, for `buildImage` with BuildKit, which Container Labs never calls: bundle a stub instead.
 */
const withoutBuildKit = {
  name: 'without-buildkit',
  setup(build) {
    build.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
      /[\\/]dockerode[\\/]lib$/.test(args.resolveDir) ? { path: args.path, namespace: 'without-buildkit' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'without-buildkit' }, () => ({
      contents: 'module.exports = function () { throw new Error("BuildKit builds are not part of Container Labs"); };',
      loader: 'js',
    }));
  },
};

/** Node-side bundles: the extension (vscode is provided by the host) and the CLI. */
const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ssh2's optional native addon; dockerode works without it.
  external: ['vscode', 'cpu-features', '*.node'],
  plugins: [withoutBuildKit],
  define: { __VERSION__: JSON.stringify(version), __BUNDLED_IDS__: JSON.stringify(JSON.stringify(bundledIds)) },
};

const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
];

/**
 * The installable CLI (`--cli-package`): packages/cli/ gets the CLI bundle (every dependency
 * inside it, so the package has none) and the schemas it validates against; `npm pack` there
 * makes the tarball workshop repositories install.
 */
async function buildCliPackage() {
  const pkgDir = 'packages/cli';
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.version !== version) throw new Error(`packages/cli/package.json has version ${pkg.version}, the extension ${version}: keep them equal`);
  rmSync(join(pkgDir, 'dist'), { recursive: true, force: true });
  rmSync(join(pkgDir, 'schemas'), { recursive: true, force: true });
  await esbuild.build({ ...node, minify: true, sourcemap: false, entryPoints: ['src/cli/main.ts'], outfile: join(pkgDir, 'dist', 'cli.js'), banner: { js: '#!/usr/bin/env node' } });
  chmodSync(join(pkgDir, 'dist', 'cli.js'), 0o755);
  mkdirSync(join(pkgDir, 'schemas'));
  for (const name of readdirSync('schemas').filter((f) => f.endsWith('.json'))) copyFileSync(join('schemas', name), join(pkgDir, 'schemas', name));
  copyFileSync('LICENSE', join(pkgDir, 'LICENSE'));
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else if (process.argv.includes('--cli-package')) {
  await buildCliPackage();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
