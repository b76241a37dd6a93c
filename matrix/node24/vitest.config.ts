import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs packages/instrumentation's tests with this folder's dependencies: the OpenTelemetry SDK 3.x
// (api 1.10, sdk-metrics 3, instrumentation 0.30x, sdk-trace 3), openai 7 (and 6, for the
// coexistence tests with @opentelemetry/instrumentation-openai, which stops at openai 6) and ollama.
// The test files and the sources of @llm-otel/core and @llm-otel/instrumentation go through Vite,
// so the aliases below decide which copy of each OpenTelemetry package they import.
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const dep = (name: string) => here(`./node_modules/${name}`);
const exact = (name: string) => new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`);

export default defineConfig({
  root: here('../..'),
  resolve: {
    alias: [
      { find: exact('@llm-otel/core'), replacement: here('../../packages/core/src/index.ts') },
      { find: exact('@opentelemetry/api'), replacement: dep('@opentelemetry/api') },
      { find: exact('@opentelemetry/instrumentation'), replacement: dep('@opentelemetry/instrumentation') },
      {
        find: exact('@opentelemetry/instrumentation-openai'),
        replacement: dep('@opentelemetry/instrumentation-openai'),
      },
      { find: exact('@opentelemetry/sdk-metrics'), replacement: dep('@opentelemetry/sdk-metrics') },
      { find: exact('@opentelemetry/sdk-trace-base'), replacement: dep('@opentelemetry/sdk-trace') },
    ],
  },
  test: {
    // test-node24: clients that need Node >= 22 (the Vercel AI SDK, LangChain.js), run here only.
    include: ['packages/instrumentation/test/**/*.test.ts', 'packages/instrumentation/test-node24/**/*.test.ts'],
    // The root config's summary line ('N passed, N failed') for CI.
    reporters: ['default', here('../../scripts/vitest-summary-reporter.ts')],
    execArgv: ['--expose-gc'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    env: {
      LLM_OTEL_TEST_MODULES_FROM: here('./package.json'),
      LLM_OTEL_OPENAI_MODULES: 'openai,openai-v6',
      LLM_OTEL_OLLAMA_MODULES: 'ollama',
      LLM_OTEL_ESM_FIXTURE_DIR: here('./esm'),
      LLM_OTEL_CHECK_CONTRIB_SPANS: 'false',
    },
  },
});
