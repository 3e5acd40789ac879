import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

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
  {
    // imports flow one way: engine ← worker, engine ← store ← components/charts
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@huggingface/*', 'react', 'react-dom', 'zustand', 'd3', '../worker/*', '../store/*', '../components/*', '../charts/*'] }],
    },
  },
  {
    // the decoder is pure TypeScript over a ModelBackend: no library, no UI
    files: ['src/decoder/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@huggingface/*', 'react', 'react-dom', 'zustand', 'd3', '../store/*', '../components/*', '../charts/*'] }],
    },
  },
  {
    files: ['src/store/**/*.ts', 'src/components/**/*.{ts,tsx}', 'src/charts/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@huggingface/*'] }] },
  },
);
