import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Import patterns of the layer rules below (gitignore-style, matched against the import string). */
const D3 = ['d3', 'd3-*'];
const WORKER = ['**/worker/*', '**/worker'];
const STORE = ['**/store/*', '**/store'];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'tools/model/build', 'playwright-report', 'test-results', 'public'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'Token text and imported data are untrusted: render as text.' },
        { selector: "AssignmentExpression[left.property.name='innerHTML']", message: 'Token text and imported data are untrusted: render as text.' },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules, 'react-hooks/set-state-in-effect': 'off' },
  },
  // Layers (docs/ARCHITECTURE.md): what each folder may import. A file matches one layer object, so
  // each lists every pattern that applies to it (a later object's no-restricted-imports replaces an
  // earlier one's). d3 is for src/charts only.
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/charts/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: D3 }] },
  },
  {
    // imports flow one way: engine ← worker, engine ← store ← components/charts
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@huggingface/*', 'react', 'react-dom', 'zustand', ...D3, '../worker/*', '../store/*', '../components/*', '../charts/*'] }],
    },
  },
  {
    // the decoder is pure TypeScript over a ModelBackend: no library, no UI
    files: ['src/decoder/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@huggingface/*', 'react', 'react-dom', 'zustand', ...D3, ...STORE, '../components/*', '../charts/*'] }],
    },
  },
  {
    // components render selectors and call store actions: never the worker
    files: ['src/components/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@huggingface/*', ...D3, ...WORKER] }] },
  },
  {
    files: ['src/store/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@huggingface/*', ...D3] }] },
  },
  {
    files: ['src/charts/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@huggingface/*', ...WORKER] }] },
  },
  {
    // translations are data: the store imports i18n, never the other way round
    files: ['src/i18n/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...D3, ...STORE, ...WORKER] }] },
  },
);
