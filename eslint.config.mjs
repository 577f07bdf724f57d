// ESLint (flat config) with typescript-eslint's type-aware rules over the product, the webview,
// the tests and the scripts. `npm run lint` must report zero errors and zero warnings; it runs
// inside `npm test`, so CI runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-results/**', '.vscode-test/**', '.bench/**', 'media/**', 'labs/**', 'packages/cli/dist/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Files no tsconfig.json includes: this config and the mocha reporter (CommonJS).
        projectService: { allowDefaultProject: ['eslint.config.mjs', 'test/reporter.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      // `void promise` drops a rejection as surely as a bare call: handle it (catch and log).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      'no-console': 'error',
    },
  },
  {
    // The webview runs in a browser.
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Scripts and the test runner's reporter are plain JavaScript: type-aware through
    // scripts/tsconfig.json (allowJs), and they print to the console by design.
    files: ['**/*.mjs', '**/*.js'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/consistent-type-imports': 'off',
      // Without type annotations every value from another module is `any` to the checker:
      // these rules would flag every line of plain JavaScript. The promise rules still apply.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // CLI and tests write to the console by design.
    files: ['src/cli/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
