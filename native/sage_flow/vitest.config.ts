import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sage-flow-native',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
