import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'native/sage_db', 'native/sage_flow', 'examples', 'scripts', 'bench'],
  },
});
