// ESLint with typescript-eslint (type-aware rules on the project's tsconfig).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * What workflow code may not import. A running case keeps the rules it was given: fees, tariffs,
 * checklists, visa and coverage lists come from its input (workflows/rules.ts), never from config/
 * read live, so config/ gives workflow code types only. `allowed` re-admits one path (gitignore style).
 */
function workflowImportBans(allowed = []) {
  return [
    { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process'], message: 'Workflow code is deterministic: no Node built-ins.' },
    { group: ['../activities/*', '../activities'], allowTypeImports: true, message: 'Import activity types only, through proxyActivities.' },
    { group: ['../config/*', '../../config/*', ...allowed], allowTypeImports: true, message: "Workflow code reads rules from the case's own version (caseRules in workflows/rules.ts), never live from config/: import types only." },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'generated/', 'coverage/', '.temporal/', '.dev/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // Workflow determinism: the SDK's sandbox replaces these, but using them reads as a bug.
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use the workflow-safe uuid4() or pass randomness in.' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'bench/bareWorkflow.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: workflowImportBans() }] },
  },
  {
    // The worker evaluates these modules once and shares them between all its cases
    // (lib/workflowBundle.ts): state at module level would pass from one case to another. The SDK
    // freezes shared objects, but not a Map's or a Set's contents nor a `let`.
    files: ['workflows/**/*.ts', 'config/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "Program > VariableDeclaration[kind!='const'], Program > ExportNamedDeclaration > VariableDeclaration[kind!='const']", message: 'No module-level let or var in modules shared by every case: keep state inside the workflow function.' },
        { selector: ':matches(Program > VariableDeclaration, Program > ExportNamedDeclaration > VariableDeclaration) > VariableDeclarator > NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet)$/]', message: 'No module-level Map or Set in modules shared by every case: their contents would pass from one case to another.' },
        { selector: 'PropertyDefinition[static=true]', message: 'No static class fields in modules shared by every case.' },
      ],
    },
  },
  {
    // The frozen first rules version, for histories recorded before cases carried their rules.
    files: ['workflows/rules.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: workflowImportBans(['!../config/rules', '../config/rules/*', '!../config/rules/v2026-01']) }] },
  },
  {
    // People act only on durable state: what the API and the pages show comes from the read model the
    // workflow writes. A workflow query can run workflow code ahead of recorded history (see
    // docs/operations.md), so queries are for ops diagnosis only, in an ops module.
    files: ['api/**/*.ts', 'web/**/*.ts'],
    ignores: ['api/ops/**'],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.property.name='query']", message: 'No workflow queries where people read state: read the case from the read model (lib/caseView.ts). Ops diagnosis belongs in api/ops/.' },
        { selector: "ImportSpecifier[imported.name='getStateQuery']", message: 'getStateQuery is for ops diagnosis only: read the case from the read model (lib/caseView.ts).' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // The portal's one browser script (progressive enhancement), loaded as a classic script.
  { files: ['web/static/**/*.js'], languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', XMLHttpRequest: 'readonly', FormData: 'readonly' } } },
  { files: ['jest.config.js'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
);
