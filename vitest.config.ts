import { defineConfig } from 'vitest/config';

// Unit tests sit beside their module (src/**/*.test.ts); integration and end-to-end tests, which
// start real servers (Redis, the testbed, Prometheus, kube-apiserver), live under test/.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
    reporters: ['default'],
  },
});
