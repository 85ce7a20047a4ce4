import { defineConfig } from 'vitest/config';

// `npm run screenshots`: the README's pictures, not a test (the default run does not include it).
export default defineConfig({
  test: {
    include: ['scripts/screenshots/*.shots.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
