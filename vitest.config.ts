import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Kills redis-servers left behind by a crashed worker (test/helpers/redis.ts).
    globalSetup: ['test/setup/redis-global.ts'],
  },
});
