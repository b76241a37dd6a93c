import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'grafana/test/**/*.test.ts',
      'e2e/test/**/*.test.ts',
    ],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each test file gets its own process: the OpenTelemetry globals are process-wide.
    pool: 'forks',
    // Memory-bound tests call global.gc() to measure retained, not transient, heap.
    execArgv: ['--expose-gc'],
  },
});
