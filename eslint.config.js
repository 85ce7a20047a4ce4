// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers' boundaries (README, "Architecture"). Patterns are gitignore-style and match
 * the import specifier, so `**\/db/**` catches `../db/x.js` and `../../db/models/y.js` alike.
 */
const io = {
  group: [
    '**/db/**',
    '**/services/**',
    '**/channels/**',
    '**/http/**',
    '**/jobs/**',
    '**/startup/**',
    '**/app.js',
    '**/main.js',
    '**/config.js',
    '**/logger.js',
    '**/i18n.js',
    'mongoose',
    'mongodb',
    'agenda',
    '@agendajs/*',
    'express',
    'helmet',
    'pino',
    'pino-http',
    'grammy',
    'grammy/*',
    '@grammyjs/*',
    'qrcode',
    'node:fs',
    'node:fs/*',
    'fs',
    'fs/*',
    'node:net',
    'net',
    'node:http',
    'http',
    'node:https',
    'https',
    'node:child_process',
    'child_process',
    'node:dns',
    'node:tls',
    'node:dgram',
  ],
  message: 'src/domain holds pure rules: no database, network, files or other layers. Pass the facts in.',
};
const chatOrWeb = {
  group: ['**/channels/**', '**/http/**', '**/startup/**', 'grammy', 'grammy/*', '@grammyjs/*', 'express', 'helmet'],
  message: 'Services know no channel or web page: return plain results and let the caller render them.',
};
/** The bag of every model: whoever holds it can write any collection. Not even as a type. */
const allModels = {
  group: ['**/db/models/index.js'],
  message: 'Only services use models; take the service that owns the collection instead.',
};
/**
 * Other database modules: types are allowed (services return lean documents, so a
 * `Customer` type names a service's result), values are not (a model or schema would let
 * the caller write the collection). `isDatabaseUnavailable` only classifies an error.
 */
const dbValues = {
  group: ['**/db/**', 'mongoose', 'mongodb'],
  allowTypeImports: true,
  allowImportNames: ['isDatabaseUnavailable'],
  message: 'Channels, web pages and jobs go through services, not models (document types are fine).',
};
/** ESLint's own rule: unlike the typescript-eslint one it weighs `allowTypeImports` per pattern. */
const restrict = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unawaited promises lose errors and break clean shutdown.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // An async function that awaits nothing hides a missing await or a needless promise.
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['src/domain/**/*.ts'], rules: restrict(io) },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      ...restrict(chatOrWeb),
      // FerretDB 1.x reads a whole collection for `$in` (see src/db/each-value.ts).
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='$in'], Property[key.value='$in']",
          message: 'FerretDB 1.x reads the whole collection for $in: use findEach/deleteEach, or keep it beside an equality that narrows the read.',
        },
      ],
    },
  },
  {
    files: ['src/channels/**/*.ts'],
    rules: restrict(allModels, dbValues, {
      group: ['**/http/**', '**/startup/**'],
      message: 'Channels and web pages are peers: share code through services or src/domain.',
    }),
  },
  {
    files: ['src/http/**/*.ts'],
    rules: restrict(allModels, dbValues, {
      group: ['**/channels/telegram/**', '**/channels/zalo/**', 'grammy', 'grammy/*', '**/startup/**'],
      message: 'Web pages do not reach into a chat adapter: share code through services or src/domain.',
    }),
  },
  { files: ['src/jobs/**/*.ts'], rules: restrict(allModels, dbValues) },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
