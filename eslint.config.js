// Lint rules: ESLint's and typescript-eslint's recommended sets (syntax-only, so a run takes
// seconds on this tree; tsc already type-checks it), Astro's for .astro files. Layout is
// Prettier's business, not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', '.astro/', '.meshbook/', 'node_modules/', 'publish/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...astro.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      eqeqeq: ['error', 'always'],
      // Escaping control characters in cluster text is this project's job (display-text.ts, the
      // terminal and JSON renderers): their regular expressions name them on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
