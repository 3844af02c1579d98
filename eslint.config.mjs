// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_CHILD_PROCESS = { group: ['node:child_process', 'child_process'], message: 'No child processes in src/core or src/proxy (docs/architecture.md#security-rules).' };
/** Deep imports into the core (`../core/client`, `../../core/types/errors`); `../core` itself is fine. */
const DEEP_CORE = { group: ['**/core/*', '!**/core/index'], message: 'Import the core from its public surface, src/core/index.ts (../core), not a deep path.' };

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.vscode-test/', 'test-results/', 'bench/.peers/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.name='eval']", message: 'No eval in src/ (docs/architecture.md#security-rules).' },
        { selector: "NewExpression[callee.name='Function']", message: 'No new Function in src/ (docs/architecture.md#security-rules).' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', performance: 'readonly' } },
  },
  {
    // The core runs in the proxy, the extension host and tests: it must never depend on the editor.
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/proxy never import vscode.' }], patterns: [NO_CHILD_PROCESS] }] },
  },
  {
    // Outside the core, src/core/index.ts is its one public surface (docs/architecture.md#layers).
    files: ['src/proxy/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core and src/proxy never import vscode.' }], patterns: [NO_CHILD_PROCESS, DEEP_CORE] }] },
  },
  {
    files: ['src/extension/**/*.ts', 'src/webview/**/*.ts', 'src/shared/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_CORE] }] },
  },
);
