import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/coverage', '.refinery'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': boundaries(false),
    },
  },
  {
    // Tests of any lib may use the shared test helpers (libs/testing) on top.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    // The tools are plain JavaScript: their imports are checked all the same.
    files: ['**/*.mjs'],
    plugins: { '@nx': nx },
    rules: { '@nx/enforce-module-boundaries': boundaries(false) },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

/** Which projects may import which; `tests` adds libs/testing for test files. */
function boundaries(tests) {
  const testing = tests ? ['type:testing'] : [];
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        // A service may use any shared lib but never another service.
        {
          sourceTag: 'type:app',
          onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:domain', 'type:testing'],
        },
        {
          sourceTag: 'type:infra',
          onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', ...testing],
        },
        {
          sourceTag: 'type:domain',
          onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:contracts', ...testing],
        },
        { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
        {
          sourceTag: 'type:testing',
          onlyDependOnLibsWithTags: ['type:infra', 'type:contracts'],
        },
        // deploy/test drives the services as processes (libs/testing): libs only, never an app.
        {
          sourceTag: 'type:e2e',
          onlyDependOnLibsWithTags: ['type:testing', 'type:infra', 'type:contracts', 'type:domain'],
        },
        // tools/ runs before a build may exist; what it needs of the code it loads from dist/.
        { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:contracts', 'type:infra'] },
        {
          sourceTag: 'scope:ingestion',
          onlyDependOnLibsWithTags: ['scope:shared', 'scope:ingestion'],
        },
        {
          sourceTag: 'scope:enrichment',
          onlyDependOnLibsWithTags: ['scope:shared', 'scope:enrichment'],
        },
        {
          sourceTag: 'scope:quality',
          onlyDependOnLibsWithTags: ['scope:shared', 'scope:quality'],
        },
        {
          sourceTag: 'scope:learning',
          onlyDependOnLibsWithTags: ['scope:shared', 'scope:learning'],
        },
        {
          sourceTag: 'scope:datasets',
          onlyDependOnLibsWithTags: ['scope:shared', 'scope:datasets'],
        },
        {
          sourceTag: 'scope:analytics',
          onlyDependOnLibsWithTags: ['scope:shared', 'scope:analytics'],
        },
      ],
    },
  ];
}
