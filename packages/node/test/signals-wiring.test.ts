import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastJson, type NodeRun, runNode } from './run-node.js';

const fixture = fileURLToPath(new URL('./fixtures/signals-probe.cjs', import.meta.url));

/** Runs `node --require @llm-otel/node/register signals-probe.cjs` with `env` over a clean signal set-up. */
function run(env: Record<string, string | undefined>): Promise<NodeRun> {
  return runNode(['--require', '@llm-otel/node/register', fixture], {
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: undefined,
    OTEL_TRACES_EXPORTER: undefined,
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    OTEL_LOG_LEVEL: undefined,
    OTEL_SDK_DISABLED: undefined,
    ...env,
  });
}

describe('logs and traces set-up of --require @llm-otel/node/register', () => {
  it('loads no logs or trace SDK module, and gives core no event sink, when no exporter is configured', async () => {
    const { code, stdout, stderr } = await run({});
    expect(code, stderr).toBe(0);
    expect(lastJson(stdout)).toEqual({ loaded: [], sink: false, logs: false, traces: false });
  });

  it('loads no logs or trace SDK module when the exporters are none, even with an OTLP endpoint set', async () => {
    const { code, stdout, stderr } = await run({
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(code, stderr).toBe(0);
    expect(lastJson(stdout)).toEqual({ loaded: [], sink: false, logs: false, traces: false });
  });

  it('writes each call as a log record with OTEL_LOGS_EXPORTER=console, loading the logs SDK only', async () => {
    const { code, stdout, stderr } = await run({ OTEL_LOGS_EXPORTER: 'console' });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('gen_ai.client.inference.operation.details');
    expect(lastJson(stdout)).toEqual({ loaded: ['sdk-logs'], sink: true, logs: true, traces: false });
  });

  it('sets up traces with OTEL_TRACES_EXPORTER=console without the OTLP exporters', async () => {
    const { code, stdout, stderr } = await run({ OTEL_TRACES_EXPORTER: 'console' });
    expect(code, stderr).toBe(0);
    expect(lastJson(stdout)).toMatchObject({ sink: false, logs: false, traces: true });
    const { loaded } = lastJson(stdout) as { loaded: string[] };
    expect(loaded).toContain('sdk-trace');
    expect(loaded).toContain('context-async-hooks');
    expect(loaded).not.toContain('exporter-trace-otlp');
    expect(loaded).not.toContain('sdk-logs');
  });

  it('fails start-up naming the variable when OTEL_LOGS_EXPORTER has an unknown exporter', async () => {
    const { code, stderr } = await run({ OTEL_LOGS_EXPORTER: 'loki' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /OTEL_LOGS_EXPORTER="loki" is not valid; accepted: a comma-separated list of otlp, console, none/,
    );
  });
});
